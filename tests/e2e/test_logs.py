#!/usr/bin/env python3
"""Logs (docs/operations.md, Logs): the access log has one JSON line per request and no
secret in it; the decision log one line per usher decision; SIGHUP reopens both (the
process lives on); stderr lines carry a timestamp and a level."""
import json
import os
import re
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import DEMO, Server, check, request  # noqa: E402
from hooks_util import auth_request  # noqa: E402
from hooks_util import check as hook_check  # noqa: E402

PASS = "secretpass123"
TOKEN = "h00k-t0ken-s3cret"


def lines_of(path, n, timeout=10):
    """The JSON lines of path once there are at least n (written by a thread of their own)."""
    deadline = time.monotonic() + timeout
    while True:
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_access_and_decision_logs_hold_no_secret_and_reopen_on_sighup():
    tmp = tempfile.mkdtemp(prefix="sevu-logs-")
    access, decisions = os.path.join(tmp, "access.log"), os.path.join(tmp, "decisions.log")
    with Server(extra_args=["--access-log", access, "--decision-log", decisions,
                            "--hook-token", TOKEN]) as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        hook = {"X-Sevu-Hook-Token": TOKEN}
        st, r = hook_check(srv, token=TOKEN, key=key, **{"pass": PASS}, ip="10.0.0.7",
                           app="demo-origin", video="mystream")
        check(st == 200, (st, r))
        st, r = hook_check(srv, token=TOKEN, key=key, **{"pass": "wrong-" + PASS}, ip="10.0.0.7",
                           app="demo-origin", video="mystream")
        check(st == 403, (st, r))
        st, _ = auth_request(srv, "/demo-origin/mystream/a.m3u8?key=%s&pass=%s" % (key, PASS),
                             headers=hook)
        check(st == 200, st)
        status, _, _ = request("GET", srv.api_url + "/v2/sevu_token/" + key,
                               auth=(DEMO["cdn"], DEMO["secret"]))
        check(status == 200, status)

        got = lines_of(decisions, 3)
        check(len(got) == 3, got)
        granted, refused, view = got
        check(granted["result"] == "allowed" and granted["reason"] == "Success", granted)
        check(granted["account"] == DEMO["cdn"] and granted["key"] == key, granted)
        check(granted["app"] == "demo-origin" and granted["video"] == "mystream", granted)
        check(granted["ip"] == "10.0.0.7" and granted["server"] == "sevu", granted)
        check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", granted["time"]), granted)
        check(refused["result"] == "denied" and refused["reason"] == "Invalid Auth Token", refused)
        check(view["media_server"] == "auth-request", view)

        requests = lines_of(access, 5)
        routes = [(l["listener"], l["method"], l["route"], l["status"]) for l in requests]
        check(("hooks", "POST", "/hooks/check", 200) in routes, routes)
        check(("hooks", "POST", "/hooks/check", 403) in routes, routes)
        check(("api", "GET", "/v2/sevu_token/" + key, 200) in routes, routes)
        for line in requests:
            check(set(line) == {"time", "listener", "client", "method", "route", "status", "bytes",
                                "duration_ms"}, line)
            check(line["client"] == "127.0.0.1" and line["duration_ms"] >= 0, line)

        for path in (access, decisions):
            text = open(path).read()
            for secret in (PASS, TOKEN, DEMO["secret"], "Authorization", "Basic "):
                check(secret not in text, (path, secret))
            check(oct(os.stat(path).st_mode & 0o777) == "0o600", path)

        # logrotate: rename, then SIGHUP; the server lives on and writes new files.
        os.rename(access, access + ".1")
        os.rename(decisions, decisions + ".1")
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while not os.path.exists(access) and time.monotonic() < deadline:
            time.sleep(0.05)
        st, _ = hook_check(srv, token=TOKEN, key=key, **{"pass": PASS}, ip="10.0.0.7",
                           app="demo-origin", video="mystream")
        check(st == 200, st)
        check(len(lines_of(decisions, 1)) == 1, open(decisions).read())
        check(any(l["route"] == "/hooks/check" for l in lines_of(access, 1)), open(access).read())
        check(srv.proc.poll() is None, "SIGHUP ended the process")
        check(srv.wait_for_output(r"\d{4}-\d\d-\d\dT[\d:.]+Z info sevu-server: SIGHUP"),
              "".join(srv.output))


if __name__ == "__main__":
    harness.main(globals())
