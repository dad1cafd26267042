#!/usr/bin/env python3
"""Ending a session at once through the media server's own API (--srs-api,
--mediamtx-api; docs/hooks.md, "Ending a session at once").

SRS and MediaMTX are not packaged for Debian, so each API is a small fake that
records the requests it gets and answers as the real one does:
- SRS: DELETE /api/v1/clients/{client_id} answers 200 {"code": 0}, or
  {"code": 2049} (ERROR_RTMP_CLIENT_NOT_FOUND) for a client it does not know
  (SrsGoApiClients::serve_http in
  https://github.com/ossrs/srs/blob/develop/trunk/src/app/srs_app_http_api.cpp).
- MediaMTX: POST /v3/<kind>/kick/{id} answers 200 {"status": "ok"}, or 404
  {"status": "error", "error": ...} for an unknown id; GET /v3/rtspconns/get/{id}
  answers the connection with its "session"
  (https://github.com/bluenviron/mediamtx/blob/main/api/openapi.yaml, api/api.go
  writeOK/writeError).
A session is ended by a bump (a ticket with max_viewers 1 and when_full
end_oldest, and a second viewer) or through the v2 session routes."""

import base64
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402
from hooks_util import call, free_port  # noqa: E402

APP, VIDEO, PASS = "demo-origin", "mystream", "secretpass123"


class FakeApi:
    """A media server's API on loopback: records (method, path, Authorization) and answers
    through answer(method, path) -> (status, json body). hold: an Event every request waits
    for before it is answered (a slow API)."""

    def __init__(self, answer, hold=None):
        self.requests = []
        self.answer = answer
        self.hold = hold
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self):
                fake.requests.append((self.command, self.path, self.headers.get("Authorization")))
                if fake.hold is not None:
                    fake.hold.wait(30)
                status, body = fake.answer(self.command, self.path)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a held answer: sevu-server gave up on it (its timeout)

            do_GET = do_POST = do_DELETE = handle_one

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.requests) < count:
            time.sleep(0.05)
        return list(self.requests)


def srs_api(known_clients):
    def answer(method, path):
        m = re.fullmatch(r"/api/v1/clients/([^/]+)", path)
        if method != "DELETE" or not m:
            return 404, {"code": 1}
        if m.group(1) not in known_clients:
            return 200, {"code": 2049}
        return 200, {"code": 0, "server": "vid-0xk989d", "service": "2e9b8c1a", "pid": "1"}
    return FakeApi(answer)


def mediamtx_api(kickable, conns=None):
    """kickable: the paths /v3/<kind>/kick/<id> that exist; conns: rtspconns id -> session."""
    conns = conns or {}

    def answer(method, path):
        m = re.fullmatch(r"/v3/rtspconns/get/([^/]+)", path)
        if method == "GET" and m and m.group(1) in conns:
            return 200, {"id": m.group(1), "session": conns[m.group(1)], "remoteAddr": "10.0.0.1:5000"}
        if method == "POST" and path in kickable:
            return 200, {"status": "ok"}
        return 404, {"status": "error", "error": "not found"}
    return FakeApi(answer)


def v2(srv, method, path, body=None):
    """(status, parsed JSON or None) of a v2 call as the demo account."""
    data = json.dumps(body).encode() if body is not None else None
    status, _, reply = harness.request(method, srv.api_url + path, data,
                                       auth=(harness.DEMO["cdn"], harness.DEMO["secret"]))
    return status, json.loads(reply) if reply else None


def limited_ticket(srv):
    """A ticket with max_viewers 1, when_full end_oldest (PUT .../limits, docs/v2-api.md)."""
    key = harness.new_ticket(srv, uses=10)["key"]
    st, body = v2(srv, "PUT", "/v2/sevu_token/%s/limits" % key,
                  {"max_viewers": 1, "when_full": "end_oldest"})
    check(st == 200, (st, body))
    return key


def srs_play(srv, key, client_id, ip):
    body = {"server_id": "vid-0xk989d", "service_id": "2e9b8c1a", "action": "on_play",
            "client_id": client_id, "ip": ip, "vhost": "__defaultVhost__", "app": APP,
            "stream": VIDEO, "tcUrl": "rtmp://127.0.0.1:1935/" + APP,
            "param": "?key=%s&pass=%s" % (key, PASS), "pageUrl": "", "stream_url": "/%s/%s" % (APP, VIDEO),
            "stream_id": "vid-7x3c1pa"}
    status, _, data = call(srv, "/hooks/srs", body)
    return status, data


def mediamtx_read(srv, key, protocol, ident, ip):
    body = {"ip": ip, "user": "", "password": "", "token": "", "action": "read",
            "path": APP + "/" + VIDEO, "protocol": protocol, "id": ident,
            "query": "key=%s&pass=%s" % (key, PASS)}
    status, _, _ = call(srv, "/hooks/mediamtx", body)
    return status


def kicks(srv):
    """{(server, result): count} of sevu_session_kicks_total."""
    _, _, data = harness.request("GET", srv.hook_url + "/metrics")
    out = {}
    for line in data.decode().splitlines():
        m = re.match(r'sevu_session_kicks_total\{(.*)\} (\S+)', line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            out[(labels["server"], labels["result"])] = float(m.group(2))
    return out


def wait_for_kicks(srv, expected, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = kicks(srv)
        if all(seen.get(k, 0) >= v for k, v in expected.items()):
            return seen
        time.sleep(0.05)
    return kicks(srv)


def test_srs_bump_deletes_the_first_client():
    fake = srs_api({"341w361a"})  # the second viewer's client is not known to it
    try:
        with harness.Server(["--srs-api", fake.url]) as srv:
            key = limited_ticket(srv)
            st, body = srs_play(srv, key, "341w361a", "10.1.1.1")
            check(st == 200 and body == b"0", (st, body))
            check(fake.requests == [], fake.requests)
            st, body = srs_play(srv, key, "9x2k7a1b", "10.1.1.2")
            check(st == 200 and body == b"0", (st, body))
            seen = fake.wait_for(1)
            check(seen == [("DELETE", "/api/v1/clients/341w361a", None)], seen)
            check(wait_for_kicks(srv, {("srs", "kicked"): 1}).get(("srs", "kicked")) == 1, kicks(srv))
            # A third viewer bumps the second; SRS no longer knows that client: "gone".
            st, _ = srs_play(srv, key, "00000000", "10.1.1.3")
            check(st == 200)
            seen = fake.wait_for(2)
            check(seen[1][:2] == ("DELETE", "/api/v1/clients/9x2k7a1b"), seen)
            check(wait_for_kicks(srv, {("srs", "kicked"): 1, ("srs", "gone"): 1}).get(("srs", "gone")) == 1,
                  kicks(srv))
    finally:
        fake.close()


def test_mediamtx_bump_kicks_by_protocol():
    # An RTMP reader is a connection; an RTSP reader asks first with its
    # connection's id (DESCRIBE), then with its session's (SETUP): the
    # connection is looked up for the session, which is what MediaMTX kicks.
    rtmp_id = "0b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21"
    rtsp_conn = "5b6c3f0e-5a3a-4a43-a8d5-0c5a4f3e1a2b"
    rtsp_session = "c2a1b0f9-8e7d-4c6b-a5f4-e3d2c1b0a9f8"
    fake = mediamtx_api({"/v3/rtmpconns/kick/" + rtmp_id, "/v3/rtspsessions/kick/" + rtsp_session},
                        {rtsp_conn: rtsp_session})
    url = fake.url.replace("http://", "http://api-user:kick%2FSecret-7@")
    try:
        with harness.Server(["--mediamtx-api", url]) as srv:
            key = limited_ticket(srv)
            check(mediamtx_read(srv, key, "rtmp", rtmp_id, "10.2.2.1") == 200)
            check(mediamtx_read(srv, key, "rtsp", rtsp_conn, "10.2.2.2") == 200)  # bumps the RTMP reader
            check(mediamtx_read(srv, key, "rtsp", rtsp_session, "10.2.2.2") == 200)  # same session
            seen = fake.wait_for(1)
            auth = "Basic " + base64.b64encode(b"api-user:kick/Secret-7").decode()
            check(seen == [("POST", "/v3/rtmpconns/kick/" + rtmp_id, auth)], seen)
            # The bumped reader's next ask is refused, as without the API.
            check(mediamtx_read(srv, key, "rtmp", rtmp_id, "10.2.2.1") != 200)

            check(mediamtx_read(srv, key, "webrtc", "d4c3b2a1-0000-4000-8000-000000000001", "10.2.2.3")
                  == 200)  # bumps the RTSP reader
            seen = fake.wait_for(3)
            check([r[:2] for r in seen[1:]] == [("GET", "/v3/rtspconns/get/" + rtsp_conn),
                                                ("POST", "/v3/rtspsessions/kick/" + rtsp_session)], seen)
            check(wait_for_kicks(srv, {("mediamtx", "kicked"): 2}).get(("mediamtx", "kicked")) == 2,
                  kicks(srv))
            time.sleep(0.2)
            check("Secret-7" not in "".join(srv.output), srv.output)
    finally:
        fake.close()


def test_ending_through_the_api_kicks():
    # DELETE .../sessions/{id} and DELETE .../sessions (docs/v2-api.md) end
    # sessions like a bump does: their clients are dropped through the API.
    fake = srs_api({"341w361a", "9x2k7a1b"})
    try:
        with harness.Server(["--srs-api", fake.url]) as srv:
            key = harness.new_ticket(srv, uses=10)["key"]
            check(srs_play(srv, key, "341w361a", "10.5.5.1")[0] == 200)
            check(srs_play(srv, key, "9x2k7a1b", "10.5.5.2")[0] == 200)
            check(fake.requests == [], fake.requests)
            st, live = v2(srv, "GET", "/v2/sevu_token/%s/sessions" % key)
            check(st == 200 and len(live) == 2, (st, live))
            first = [s for s in live if s["ip"] == "10.5.5.1"][0]
            st, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, first["id"]))
            check(st in (200, 204), (st, body))
            seen = fake.wait_for(1)
            check(seen == [("DELETE", "/api/v1/clients/341w361a", None)], seen)
            st, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions" % key)
            check(st in (200, 204), (st, body))
            seen = fake.wait_for(2)
            check(seen[1:] == [("DELETE", "/api/v1/clients/9x2k7a1b", None)], seen)
            check(wait_for_kicks(srv, {("srs", "kicked"): 2}).get(("srs", "kicked")) == 2, kicks(srv))
    finally:
        fake.close()


def test_revoking_a_ticket_kicks_its_viewers():
    # A revoke ends the ticket's sessions at once (docs/sessions.md), through
    # whichever API revokes it: legacy sevu.revoke, v2 "active": false, the
    # console's revoke all end them, and with --srs-api their clients are dropped.
    fake = srs_api({"r1", "r2"})
    try:
        with harness.Server(["--srs-api", fake.url]) as srv:
            first = harness.new_ticket(srv, uses=10)["key"]
            second = harness.new_ticket(srv, uses=10)["key"]
            check(srs_play(srv, first, "r1", "10.6.6.1")[0] == 200)
            check(srs_play(srv, second, "r2", "10.6.6.2")[0] == 200)
            st, reply = harness.legacy(srv, "sevu.revoke", {"key": first})
            check(st == 200 and reply.get("code") == 2020, reply)
            seen = fake.wait_for(1)
            check(seen == [("DELETE", "/api/v1/clients/r1", None)], seen)
            st, body = v2(srv, "POST", "/v2/sevu_token/%s" % second, {"active": False})
            check(st == 200, (st, body))
            seen = fake.wait_for(2)
            check(seen[1:] == [("DELETE", "/api/v1/clients/r2", None)], seen)
            check(wait_for_kicks(srv, {("srs", "kicked"): 2}).get(("srs", "kicked")) == 2, kicks(srv))
            # Revoked again, nothing more to end: no third call.
            st, body = v2(srv, "POST", "/v2/sevu_token/%s" % second, {"active": False})
            check(st == 200, (st, body))
            time.sleep(0.5)
            check(len(fake.requests) == 2, fake.requests)
    finally:
        fake.close()


def test_only_configured_servers_are_kicked():
    # --srs-api only: MediaMTX and /hooks/check sessions end as before (denied
    # at their next contact), nothing is sent for them.
    fake = srs_api(set())
    try:
        with harness.Server(["--srs-api", fake.url]) as srv:
            key = limited_ticket(srv)
            check(mediamtx_read(srv, key, "rtmp", "0b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21", "10.3.3.1") == 200)
            check(mediamtx_read(srv, key, "rtmp", "1b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21", "10.3.3.2") == 200)
            st, _, _ = call(srv, "/hooks/check", {"key": key, "pass": PASS, "ip": "10.3.3.3", "app": APP,
                                                  "video": VIDEO})
            check(st == 200, st)
            time.sleep(0.5)
            check(fake.requests == [], fake.requests)
            check(kicks(srv) == {}, kicks(srv))
    finally:
        fake.close()


def test_slow_or_down_api_never_delays_hooks():
    # A slow API holds each kick until it times out (2 s); one that is down
    # refuses it. Either way the hooks answer at once, and the failure is
    # logged and counted.
    hold = threading.Event()
    slow = FakeApi(lambda method, path: (200, {"code": 0}), hold=hold)
    down_port = free_port()
    try:
        with harness.Server(["--srs-api", slow.url,
                             "--mediamtx-api", "http://127.0.0.1:%d" % down_port]) as srv:
            key = limited_ticket(srv)
            check(srs_play(srv, key, "aaaa1111", "10.4.4.1")[0] == 200)
            check(srs_play(srv, key, "bbbb2222", "10.4.4.2")[0] == 200)
            check(len(slow.wait_for(1)) == 1, slow.requests)  # the kick is held open now
            # Each of these bumps the one before, whose kick is held too: were a
            # hook to wait for its kick, each would take the 2 s timeout.
            start = time.monotonic()
            for i in range(5):
                st, _ = srs_play(srv, key, "cccc%04d" % i, "10.4.5.%d" % i)
                check(st == 200, st)
            check(time.monotonic() - start < 8, time.monotonic() - start)
            other = limited_ticket(srv)
            check(mediamtx_read(srv, other, "srt", "2b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21", "10.4.6.1") == 200)
            check(mediamtx_read(srv, other, "srt", "3b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21", "10.4.6.2") == 200)
            seen = wait_for_kicks(srv, {("srs", "failed"): 1, ("mediamtx", "failed"): 1})
            check(seen.get(("srs", "failed"), 0) >= 1 and seen.get(("mediamtx", "failed")) == 1, seen)
            # The metrics count a kick before its line reaches the server's output.
            check(srv.wait_for_output(r"session kick: srs DELETE http://127\.0\.0\.1:\d+/api/v1/clients/"
                                      r"aaaa1111: timed out"), srv.output)
            check(srv.wait_for_output(r"session kick: mediamtx POST http://127\.0\.0\.1:%d/v3/srtconns/kick/"
                                      r"2b3c7a5e-1f2d-4c6b-9a8e-7d6c5b4a3f21: cannot connect" % down_port),
                  srv.output)
    finally:
        slow.close()


def test_api_url_is_checked():
    # Refused before anything starts, naming the option; the password never echoed.
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        for bad in ["https://127.0.0.1:1985", "127.0.0.1:1985", "http://", "http://user@127.0.0.1:9997",
                    "http://127.0.0.1:99999", "http://u:pw-Secret-3@127.0.0.1:9997/v3?x=1"]:
            p = subprocess.run([harness.SERVER_BIN, "serve", "--db", os.path.join(tmp, "x.db"),
                                        "--mediamtx-api", bad, "--check-config"],
                                       capture_output=True, text=True)
            check(p.returncode == 2 and "--mediamtx-api" in p.stderr and "Secret-3" not in p.stderr,
                  (bad, p.returncode, p.stderr))
        p = subprocess.run([harness.SERVER_BIN, "serve", "--help"], capture_output=True, text=True)
        check("--srs-api" in p.stdout and "--mediamtx-api" in p.stdout, p.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    harness.main(globals())
