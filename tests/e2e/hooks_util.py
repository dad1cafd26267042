"""Helpers shared by the hook e2e tests (test_hooks*, test_nginx_*, test_concurrency):
calling the hook listener the way each media server does, and reading back
ticket state and attempts through the legacy API. Standard library only."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import harness

# Signed commands: harness.legacy, which gives a request asked again a timestamp it has not
# had, so that asking the same thing twice within a second is no repeat.
legacy = harness.legacy


def call(srv, path, body=None, method="POST", headers=None, content_type=None, token=None):
    """(status, headers, body bytes) of one hook call on the hook listener."""
    url = srv.hook_url + path
    if token is not None:
        url += ("&" if "?" in url else "?") + "token=" + urllib.parse.quote(token)
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    if content_type:
        hdrs["Content-Type"] = content_type
    return harness.request(method, url, body, hdrs)


def check(srv, token=None, **fields):
    """POST /hooks/check; returns (status, parsed JSON)."""
    status, _, data = call(srv, "/hooks/check", fields, token=token)
    return status, json.loads(data) if data else None


def nginx_rtmp(srv, fields, viewer_args="", token=None):
    """POST /hooks/nginx-rtmp with nginx's own fields first (urlencoded as nginx does)
    and the viewer's args appended raw, exactly like ngx_rtmp_notify_module."""
    body = "&".join(k + "=" + urllib.parse.quote(v, safe="") for k, v in fields)
    if viewer_args:
        body += "&" + viewer_args
    status, _, data = call(srv, "/hooks/nginx-rtmp", body, token=token,
                           content_type="application/x-www-form-urlencoded")
    return status, data


def auth_request(srv, uri, ip="10.20.30.40", headers=None, token=None):
    """GET /hooks/auth-request as nginx's auth_request subrequest sends it."""
    hdrs = {"X-Original-URI": uri, "X-Real-IP": ip}
    hdrs.update(headers or {})
    status, _, data = call(srv, "/hooks/auth-request", None, method="GET", headers=hdrs, token=token)
    return status, data


def status_of(srv, key):
    st, reply = legacy(srv, "sevu.status", {"key": key})
    assert st == 200 and reply["status"] == "success", reply
    return reply["ticket"]


def uses_left(srv, key):
    return int(status_of(srv, key)["uses"])


def attempts(srv, key=None, at_least=0, **filters):
    """The attempt rows; with at_least, waits (a liveness bound) until that many are there. On
    one instance the rows of answered decisions are always there (read your writes,
    docs/performance.md); the wait serves decisions made on another instance or still running
    (an RTMP client's play that has not been answered yet)."""
    fields = dict(filters)
    if key is not None:
        fields["key"] = key
    fields.setdefault("limit", 1000)
    deadline = time.monotonic() + 10
    while True:
        st, reply = legacy(srv, "sevu.attempts" if key is not None else "sevu.errorlog", fields)
        assert st == 200, reply
        rows = reply.get("attempts", [])
        if len(rows) >= at_least or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def count_attempts(srv, key, **filters):
    fields = dict(filters)
    fields["key"] = key
    st, reply = legacy(srv, "sevu.errorcount", fields)
    assert st == 200 and reply["status"] == "success", reply
    return int(reply["count"])


def revoke(srv, key):
    st, reply = legacy(srv, "sevu.revoke", {"key": key})
    assert st == 200 and reply["status"] == "success", reply


def add_stream_user(srv, app, stream, user, password):
    """Creates a stream user through sevu.addstreamuser; returns its id."""
    st, reply = legacy(srv, "sevu.addstreamuser",
                       {"app": app, "stream": stream, "user": user, "pass": password})
    assert st == 200 and reply.get("code") == 2071, reply
    return reply["user"]["id"]


# --- real nginx, started by the tests ---------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nginx")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=10, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def hook_calls_seen(srv):
    """A callable giving the number of hook-listener requests since it was made,
    not counting its own /metrics reads: proof that a media server called in."""
    def read():
        _, _, body = harness.request("GET", srv.hook_url + "/metrics")
        for line in body.decode().splitlines():
            if line.startswith("sevu_hook_requests_total "):
                return int(line.split()[1])
        raise AssertionError("no sevu_hook_requests_total in /metrics")

    base = read()
    reads = [0]

    def seen():
        reads[0] += 1
        return read() - base - reads[0]
    return seen


def stop_process(proc, timeout=5):
    """Terminates one process this test started (by its own handle), killing it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


class Nginx:
    """`with Nginx("rtmp.conf.in", HOOK=..., ...) as ngx:` renders tests/e2e/nginx/<template>
    into a temporary prefix (pid, logs and every temp path inside it, so it runs as
    non-root too), starts nginx in the foreground and stops it at the end. The
    placeholders @TMP@ and @RTMP_MODULE@ are filled in here; the rest come as
    keyword arguments. `ports` names the placeholders that get a free port."""

    def __init__(self, template, ports=(), **values):
        self.tmp = tempfile.mkdtemp(prefix="sevu-nginx-")
        self.values = {"TMP": self.tmp, "RTMP_MODULE": RTMP_MODULE}
        for name in ports:
            self.values[name] = str(free_port())
        self.values.update({k: str(v) for k, v in values.items()})
        with open(os.path.join(TEMPLATES, template)) as f:
            text = f.read()
        for name, value in self.values.items():
            text = text.replace("@%s@" % name, value)
        assert "@" not in "".join(line.split("#")[0] for line in text.splitlines()), \
            "unfilled placeholder in " + template
        self.conf = os.path.join(self.tmp, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(text)
        self.proc = None
        self.ports = ports

    def port(self, name):
        return int(self.values[name])

    def __enter__(self):
        self.out = open(os.path.join(self.tmp, "nginx.out"), "w")
        self.proc = subprocess.Popen([NGINX, "-p", self.tmp, "-c", self.conf],
                                     stdout=self.out, stderr=subprocess.STDOUT)
        for name in self.ports:
            if not wait_for_port(self.port(name), 30, self.proc):
                self.__exit__(None, None, None)
                raise RuntimeError("nginx did not start:\n" + self.logs())
        return self

    def __exit__(self, *exc):
        stop_process(self.proc)
        self.out.close()
        if exc and exc[0] is not None:
            sys.stderr.write("--- nginx logs ---\n" + self.logs())
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self):
        text = []
        for name in ("nginx.out", "error.log"):
            try:
                with open(os.path.join(self.tmp, name)) as f:
                    text.append(f.read()[-4000:])
            except OSError:
                pass
        return "\n".join(text)
