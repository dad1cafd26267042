"""The hostile battery (issue 8, "Done means"): ONE server, started with its hook
token read from a file and modest limits, takes every attack family below in
turn; afterwards it must still answer /healthz and /readyz, grant a valid
ticket's start, answer a signed sevu.status, stop with exit code 0 on SIGTERM,
and leave a database that passes PRAGMA integrity_check.

Each attack family is one function, bounded in count and time, loopback only;
each step prints PASS or FAIL with every problem it found, named after the
attack that caused it. The families that can kill a server that is not
hardened (deep JSON) run last, so the others are judged on a live server.
Standard library only; the sqlite3 CLI checks the database."""

import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import DEMO, Server, check, legacy, request  # noqa: E402

TOKEN = "b4ttery-h00k-t0ken-3c9e"
APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
STREAM_USER, STREAM_PASS = "encoder1", "pub-Secret-9"
MISSING_KEY = "mystream.0123456789abcd.01234567"  # a key's shape, never issued


class Findings:
    """Collects every problem of one attack family, so one FAIL lists them all."""

    def __init__(self):
        self.problems = []

    def expect(self, cond, what):
        if not cond:
            self.problems.append(what)
        return cond

    def done(self):
        check(not self.problems, "\n  " + "\n  ".join(self.problems))


# --- talking to the server ------------------------------------------------------------------

def hook(srv, path, body=None, method="POST", token=TOKEN, headers=None, timeout=30):
    """(status, body bytes) of one call on the hook listener; the token goes in the query."""
    url = srv.hook_url + path + ("?token=" + urllib.parse.quote(token) if token is not None else "")
    hdrs = {"Content-Type": "application/json"} if body is not None else {}
    hdrs.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    status, _, data = request(method, url, body, hdrs, timeout=timeout)
    return status, data


def play(srv, key, ip="10.1.1.1", password=PASS, timeout=30):
    status, data = hook(srv, "/hooks/check", {"key": key, "pass": password, "ip": ip, "app": APP,
                                              "video": VIDEO}, timeout=timeout)
    return status, json.loads(data) if data else None


def v2(srv, method, path, body=None, account=DEMO):
    """(status, headers, body bytes) of one v2 call with the account's Basic credentials."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return request(method, srv.api_url + path, data, {"Content-Type": "application/json"},
                   auth=(account["cdn"], account["secret"]))


def v2_token(srv, key, account=DEMO):
    """A's own view of one token: the bytes GET /v2/sevu_token/{key} answers."""
    return v2(srv, "GET", "/v2/sevu_token/" + key, account=account)[2]


def ticket_count(srv, account=DEMO):
    status, _, data = v2(srv, "GET", "/v2/sevu_token?limit=1000", account=account)
    check(status == 200, (status, data))
    return len(json.loads(data))


def attempt_count(srv, key, account=DEMO):
    _, reply = legacy(srv, "sevu.errorcount", {"key": key}, account=account)
    check(reply.get("code") == 2110, reply)
    return reply["count"]


def basic(text):
    """An Authorization header carrying `text` as Basic credentials, however wrong."""
    return {"Authorization": "Basic " + base64.b64encode(text.encode()).decode()}


def without_time(reply):
    return {k: v for k, v in reply.items() if k != "handle_time"} if isinstance(reply, dict) else reply


def in_parallel(fn, args_list, timeout=60):
    """fn(*args) for each args on its own thread; the results (or the exceptions) in order."""
    results = [None] * len(args_list)

    def run(i, args):
        try:
            results[i] = fn(*args)
        except Exception as e:  # kept, so the step names the cause
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    check(not any(t.is_alive() for t in threads), "threads hung past %d s" % timeout)
    return results


# --- the attack families --------------------------------------------------------------------

def attack_tenant_probing(srv, ctx):
    """Account B's credentials against account A's ticket key, on the legacy API
    (sevu.status, sevu.revoke, sevu.attempts, sevu.errorcount) and v2 (GET, POST,
    DELETE, the attempt routes): every answer equals the one for a missing key,
    and A's ticket and its attempts are unchanged."""
    f = Findings()
    key, b = ctx["key"], ctx["b"]
    before, attempts_before = v2_token(srv, key), attempt_count(srv, key)
    for command in ("sevu.status", "sevu.revoke", "sevu.attempts", "sevu.errorcount"):
        _, theirs = legacy(srv, command, {"key": key}, account=b)
        _, missing = legacy(srv, command, {"key": MISSING_KEY}, account=b)
        f.expect(without_time(theirs) == without_time(missing),
                 "legacy %s by B on A's key differs from a missing key: %r vs %r"
                 % (command, theirs, missing))
    for method, suffix, body in (("GET", "", None), ("POST", "", {"active": False}),
                                 ("DELETE", "", None), ("GET", "/sevu_attempt", None)):
        theirs = v2(srv, method, "/v2/sevu_token/" + key + suffix, body, account=b)
        missing = v2(srv, method, "/v2/sevu_token/" + MISSING_KEY + suffix, body, account=b)
        f.expect((theirs[0], theirs[2]) == (missing[0], missing[2]) and theirs[0] == 404,
                 "v2 %s /v2/sevu_token/{A's key}%s by B: %r, a missing key: %r"
                 % (method, suffix, theirs[::2], missing[::2]))
    theirs = v2(srv, "GET", "/v2/sevu_attempt/" + key, account=b)
    f.expect(theirs[0] == 200 and json.loads(theirs[2]) == [],
             "v2 GET /v2/sevu_attempt/{A's key} by B lists A's attempts: %r" % (theirs[::2],))
    f.expect(v2_token(srv, key) == before, "B's probing changed A's ticket: %r -> %r"
             % (before, v2_token(srv, key)))
    f.expect(attempt_count(srv, key) == attempts_before, "B's probing changed A's attempt log")
    f.done()


def attack_bad_credentials(srv, ctx):
    """Wrong, missing or borrowed signatures and stale or future timestamps on the
    legacy API, bad Basic auth on v2, and a missing or wrong hook token on every
    hook route: each refused (codes 3/2/1, 401, 401) and A's ticket untouched."""
    f = Findings()
    key, b = ctx["key"], ctx["b"]
    before, attempts_before = v2_token(srv, key), attempt_count(srv, key)
    now = int(time.time())
    legacy_cases = [
        ("signed with another account's secret", dict(secret=b["secret"]), 3),
        ("a made-up signature", dict(secret="0" * 64), 3),
        ("no signature", dict(sign_it=False), 3),
        ("a timestamp an hour old", dict(timestamp=now - 3600), 2),
        ("a timestamp an hour ahead", dict(timestamp=now + 3600), 2),
        ("another account's api key", dict(account=dict(DEMO, api_key=b["api_key"])), 1),
    ]
    for what, kw, code in legacy_cases:
        _, reply = legacy(srv, "sevu.revoke", {"key": key}, **kw)
        f.expect(isinstance(reply, dict) and reply.get("code") == code,
                 "legacy sevu.revoke with %s: want code %d, got %r" % (what, code, reply))

    v2_headers = {
        "no Authorization": {},
        "A's cdn with B's secret": basic("%s:%s" % (DEMO["cdn"], b["secret"])),
        "B's cdn with A's secret": basic("%s:%s" % (b["cdn"], DEMO["secret"])),
        "A's cdn with an empty password": basic("%s:" % DEMO["cdn"]),
        "no colon": basic(str(DEMO["cdn"])),
        "not base64": {"Authorization": "Basic !!!not-base64!!!"},
        "Bearer scheme": {"Authorization": "Bearer " + DEMO["secret"]},
    }
    for what, hdrs in v2_headers.items():
        for method, body in (("DELETE", None), ("POST", b'{"active": false}')):
            status, headers, _ = request(method, srv.api_url + "/v2/sevu_token/" + key, body,
                                         dict(hdrs, **{"Content-Type": "application/json"}))
            f.expect(status == 401 and "www-authenticate" in headers,
                     "v2 %s with %s: want 401 + WWW-Authenticate, got %d" % (method, what, status))

    viewer = "key=%s&pass=%s" % (key, PASS)
    routes = [
        ("POST", "/hooks/check", {"key": key, "pass": PASS, "ip": "10.1.1.1", "app": APP, "video": VIDEO}, {}),
        ("POST", "/hooks/srs", {"action": "on_play", "ip": "10.1.1.1", "app": APP, "stream": VIDEO,
                                "param": "?" + viewer}, {}),
        ("POST", "/hooks/mediamtx", {"ip": "10.1.1.1", "user": key, "password": PASS, "action": "read",
                                     "path": APP + "/" + VIDEO, "protocol": "rtsp", "query": ""}, {}),
        ("POST", "/hooks/nginx-rtmp", ("app=%s&addr=10.1.1.1&call=play&name=%s&%s" % (APP, VIDEO, viewer)).encode(),
         {"Content-Type": "application/x-www-form-urlencoded"}),
        ("GET", "/hooks/auth-request", None,
         {"X-Original-URI": "/%s/%s.m3u8?%s" % (APP, VIDEO, viewer), "X-Real-IP": "10.1.1.1"}),
        ("POST", "/test/clock", {"advance": 0}, {}),
        ("POST", "/hooks/no-such-route", {}, {}),
    ]
    tokens = {"no token": dict(token=None), "a wrong token": dict(token="wrong"),
              "the token cut short": dict(token=TOKEN[:-1]), "the token plus a byte": dict(token=TOKEN + "x"),
              "the token upper-cased": dict(token=TOKEN.upper()),
              "a wrong X-Sevu-Hook-Token": dict(token=None, headers={"X-Sevu-Hook-Token": "wrong"})}
    for method, path, body, hdrs in routes:
        for what, kw in tokens.items():
            status, _ = hook(srv, path, body, method, token=kw["token"],
                             headers=dict(hdrs, **kw.get("headers", {})))
            f.expect(status == 401, "%s %s with %s: want 401, got %d" % (method, path, what, status))

    f.expect(v2_token(srv, key) == before, "refused calls changed A's ticket: %r -> %r"
             % (before, v2_token(srv, key)))
    f.expect(attempt_count(srv, key) == attempts_before,
             "hook calls without the token reached the usher (attempts logged)")
    f.done()


BAD_IPS = ["auto/33", "1.2.3.4|", "|"]
FAR_EXPIRE = 253402300800  # 10000-01-01 00:00:00 UTC


def attack_bad_ticket_inputs(srv, ctx):
    """ip rules that deny everyone or admit everyone (auto/33, '1.2.3.4|', '|'), an
    expiry in the year 10000 and a NUL in a text field: refused by sevu.request (code
    2001) and v2 PUT (400), and no ticket is made."""
    f = Findings()
    count = ticket_count(srv)
    base = {"app": APP, "video": "badinput", "pass": PASS, "uses": 1}
    cases = [("ip %r" % ip, dict(ip=ip, expire="+1 day"), dict(ip=ip)) for ip in BAD_IPS]
    cases.append(("expire %d" % FAR_EXPIRE, dict(expire=FAR_EXPIRE), dict(expire_date=FAR_EXPIRE)))
    cases.append(("expire '@%d'" % FAR_EXPIRE, dict(expire="@%d" % FAR_EXPIRE),
                  dict(expire_date="@%d" % FAR_EXPIRE)))
    # A NUL, which PostgreSQL's text cannot hold, is refused on both stores alike.
    for field in ("pass", "video"):
        cases.append(("a NUL in %s" % field, {field: "a\u0000b", "expire": "+1 day"}, {field: "a\u0000b"}))
    for what, legacy_fields, v2_fields in cases:
        _, reply = legacy(srv, "sevu.request", dict(base, **legacy_fields))
        f.expect(isinstance(reply, dict) and reply.get("code") == 2001,
                 "sevu.request with %s: want code 2001, got %r" % (what, reply))
        status, _, data = v2(srv, "PUT", "/v2/sevu_token", dict(base, **v2_fields))
        f.expect(status == 400, "v2 PUT with %s: want 400, got %d %r" % (what, status, data[:200]))
    f.expect(ticket_count(srv) == count, "bad inputs made %d ticket(s)" % (ticket_count(srv) - count))
    f.done()


def attack_concurrent_starts(srv, ctx):
    """50 threads start the same 5-use ticket at once: exactly 5 are granted, the
    rest refused, and the ticket has 0 uses left."""
    key = harness.new_ticket(srv, uses=5)["key"]
    barrier = threading.Barrier(50)

    def start(i):
        barrier.wait(30)
        return play(srv, key, ip="10.2.%d.%d" % (i // 250, i % 250 + 1))[0]

    results = in_parallel(start, [(i,) for i in range(50)])
    granted, refused = results.count(200), results.count(403)
    check(granted == 5 and refused == 45, "50 concurrent starts on 5 uses: %d granted, %d refused, "
          "other %r" % (granted, refused, [r for r in results if r not in (200, 403)][:5]))
    _, reply = legacy(srv, "sevu.status", {"key": key})
    check(reply["ticket"]["uses"] == "0", "uses left after the race: %r" % reply["ticket"])


PUBLISHERS = 20
BURST_SECONDS = 4
PLAYS = 30


def attack_wrong_publish_passwords(srv, ctx):
    """20 threads send wrong publish passwords for a real stream user for 4 s (the
    generic hook, action publish) while plays and signed sevu.status calls are
    decided: each is answered, the median play and status stay under 0.25 s
    (0.7 ms when quiet; 0.5 s and more when hashing holds the store workers), and
    the broadcaster's right password is still authorized afterwards."""
    f = Findings()
    key = harness.new_ticket(srv, uses=1000)["key"]
    stop_at = time.monotonic() + BURST_SECONDS
    sent = [0]

    def publisher(i):
        while time.monotonic() < stop_at:
            try:  # the answer (403, or 503 when the hash queue is full) is not what is judged
                hook(srv, "/hooks/check", {"action": "publish", "user": STREAM_USER, "pass": "guess%d" % i,
                                           "ip": "10.66.0.%d" % (i + 1), "app": APP, "video": VIDEO},
                     timeout=15)
            except Exception:
                pass
            sent[0] += 1

    threads = [threading.Thread(target=publisher, args=(i,), daemon=True) for i in range(PUBLISHERS)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # let the burst build up
    play_times, status_times = [], []
    while len(play_times) < PLAYS and time.monotonic() < stop_at:
        start = time.monotonic()
        status, reply = play(srv, key, timeout=10)
        play_times.append(time.monotonic() - start)
        f.expect(status == 200 and reply and reply.get("allowed"), "a play during the burst: %d %r"
                 % (status, reply))
        if len(play_times) % 3 == 0:
            start = time.monotonic()
            _, reply = legacy(srv, "sevu.status", {"key": key})
            status_times.append(time.monotonic() - start)
            f.expect(reply.get("code") == 2010, "sevu.status during the burst: %r" % reply)
        time.sleep(0.05)
    for t in threads:
        t.join(30)
    f.expect(not any(t.is_alive() for t in threads), "wrong-password publishers hung")
    f.expect(sent[0] >= PUBLISHERS, "only %d wrong publishes sent: no burst to judge" % sent[0])
    f.expect(len(play_times) >= 5, "only %d plays decided in %d s" % (len(play_times), BURST_SECONDS))
    if play_times:
        f.expect(statistics.median(play_times) < 0.25,
                 "median play decision %.3f s during %d wrong publishes"
                 % (statistics.median(play_times), sent[0]))
    if status_times:
        f.expect(statistics.median(status_times) < 0.25,
                 "median sevu.status %.3f s during the burst" % statistics.median(status_times))
    status, data = hook(srv, "/hooks/check", {"action": "publish", "user": STREAM_USER, "pass": STREAM_PASS,
                                              "ip": "10.67.0.1", "app": APP, "video": VIDEO})
    f.expect(status == 200 and json.loads(data).get("reason") == "Publish Authorized",
             "the broadcaster's right password after the burst: %d %r" % (status, data))
    f.done()


SLOW_CLIENTS = 300
SLOW_SOURCES = ["127.0.0.%d" % n for n in range(2, 8)]  # 6 addresses x 50 connections


def attack_slow_connections(srv, ctx):
    """300 half-open connections to the public API (from 6 loopback addresses, more
    than --max-connections 200) stay open while /hooks/check is called: every hook
    call is decided, /healthz answers, and the public API serves again once they go."""
    f = Findings()
    held = []
    try:
        for i in range(SLOW_CLIENTS):
            try:
                s = socket.create_connection(("127.0.0.1", srv.api_port), timeout=5,
                                             source_address=(SLOW_SOURCES[i % len(SLOW_SOURCES)], 0))
                s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nContent-Ty")
                held.append(s)
            except OSError:
                pass  # refused or closed at once: the budget doing its job
        f.expect(len(held) > 200, "only %d slow connections were opened: no flood to judge" % len(held))
        time.sleep(0.5)
        for n in range(10):
            try:
                status, reply = play(srv, ctx["slow_key"], ip="10.3.0.%d" % (n + 1), timeout=5)
                f.expect(status == 200 and reply and reply.get("allowed"),
                         "/hooks/check #%d while the API is flooded: %d %r" % (n, status, reply))
            except Exception as e:  # a reset or a close is the failure being looked for
                f.expect(False, "/hooks/check #%d while the API is flooded: %r" % (n, e))
        try:
            status, _, _ = request("GET", srv.hook_url + "/healthz", timeout=5)
            f.expect(status == 200, "/healthz while the API is flooded: %d" % status)
        except Exception as e:
            f.expect(False, "/healthz while the API is flooded: %r" % e)
    finally:
        for s in held:
            s.close()
    deadline, reply = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        try:
            _, reply = legacy(srv, "sevu.status", {"key": ctx["slow_key"]})
            if isinstance(reply, dict) and reply.get("code") == 2010:
                break
        except Exception as e:
            reply = e
        time.sleep(0.2)
    f.expect(isinstance(reply, dict) and reply.get("code") == 2010,
             "the public API after the slow clients left: %r" % (reply,))
    f.done()


def post_head(headers, body=b"", path=b"/stable/"):
    return b"POST " + path + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + body


SMUGGLED = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"  # a second request: must never be answered
MALFORMED = {
    "Content-Length -1": (post_head(b"Content-Length: -1\r\n"), 400),
    "Content-Length 10^20": (post_head(b"Content-Length: 100000000000000000000\r\n"), 400),
    "two different Content-Lengths": (post_head(b"Content-Length: 2\r\nContent-Length: 3\r\n", b"{}}"), 400),
    "Content-Length and Transfer-Encoding": (
        post_head(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED), 400),
    "bad chunk size": (post_head(b"Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n"), 400),
    "HTTP/1.2": (b"GET /stable/ HTTP/1.2\r\nHost: x\r\n\r\n", 400),
    "garbage request line": (b"\x16\x03\x01 garbage request line\r\n\r\n", 400),
    "NUL in a header": (b"GET /stable/ HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400),
    "space before the colon": (b"GET /stable/ HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    "Transfer-Encoding: gzip, chunked": (
        post_head(b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n" + SMUGGLED), 501),
}


def malformed_exchange(port, wire):
    """(answer bytes, closed?) for one malformed request on its own connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(wire)
        except OSError:
            pass  # a server may close before it has read everything
        return harness.read_until_closed(s, timeout=8)


def attack_malformed_http(srv, ctx):
    """Malformed HTTP on raw sockets to both listeners (bad, huge or doubled
    Content-Length, CL with Transfer-Encoding, bad chunk size, HTTP/1.2, garbage
    request line, NUL in a header, space before the colon): one 400 (501 for
    'gzip, chunked'), then the connection closes; nothing after it is answered."""
    f = Findings()
    cases = [(listener, port, what, wire, want)
             for listener, port in (("api", srv.api_port), ("hooks", srv.hook_port))
             for what, (wire, want) in MALFORMED.items()]
    results = in_parallel(malformed_exchange, [(port, wire) for _, port, _, wire, _ in cases])
    for (listener, _, what, _, want), result in zip(cases, results):
        if isinstance(result, Exception):
            f.expect(False, "%s, %s: %r" % (listener, what, result))
            continue
        answer, closed = result
        f.expect(answer.startswith(b"HTTP/1.1 %d " % want) and answer.count(b"HTTP/1.") == 1 and closed,
                 "%s, %s: want one %d then close, got %r%s"
                 % (listener, what, want, answer[:80], "" if closed else " (left open)"))
    f.done()


DEPTH = 150000


def deep_bodies():
    arrays = b"[" * DEPTH + b"]" * DEPTH
    return {"[[[...]]]": arrays, '{"key":[[[...]]]}': b'{"key":' + arrays + b"}"}


def attack_deep_json(srv, ctx):
    """JSON nested 150,000 levels (300 KB) to /hooks/check, /hooks/srs,
    /hooks/mediamtx, v2 PUT /v2/sevu_token and legacy /stable/: refused with 400
    (legacy: its envelope, code 6), and the process lives through every one."""
    f = Findings()
    targets = [("hooks", "/hooks/check"), ("hooks", "/hooks/srs"), ("hooks", "/hooks/mediamtx"),
               ("v2", "/v2/sevu_token"), ("legacy", "/stable/")]
    for shape, body in deep_bodies().items():
        for kind, path in targets:
            what = "%s nested %d deep to %s" % (shape, DEPTH, path)
            if srv.proc.poll() is not None:
                f.expect(False, "%s: not sent, the server is dead" % what)
                continue
            try:
                if kind == "hooks":
                    status, data = hook(srv, path, body)
                elif kind == "v2":
                    status, _, data = v2(srv, "PUT", path, body)
                else:
                    status, _, data = request("POST", srv.api_url + path, body,
                                              {"Content-Type": "application/json"})
            except Exception as e:  # the connection dies with the process
                status, data = None, repr(e).encode()
            if kind == "legacy" and status == 200:
                reply = json.loads(data)
                f.expect(reply.get("code") == 6 and reply.get("status") == "failure",
                         "%s: want the code 6 envelope, got %r" % (what, reply))
            else:
                f.expect(status == 400, "%s: want 400, got %r %r" % (what, status, data[:120]))
            time.sleep(0.2)  # a crash shows in poll() a moment later
            f.expect(srv.proc.poll() is None, "%s killed the server (exit %r)" % (what, srv.proc.poll()))
    f.done()


ATTACKS = [attack_tenant_probing, attack_bad_credentials, attack_bad_ticket_inputs,
           attack_concurrent_starts, attack_wrong_publish_passwords, attack_slow_connections,
           attack_malformed_http, attack_deep_json]


# --- after the battery ------------------------------------------------------------------------

def still_serving(srv, ctx):
    """The server answers /healthz and /readyz, grants a valid ticket's start and
    answers a signed sevu.status."""
    check(srv.proc.poll() is None, "the server process died during the battery (exit %r)" % srv.proc.poll())
    status, _, body = request("GET", srv.hook_url + "/healthz", timeout=10)
    check(status == 200 and body == b"ok\n", "/healthz: %d %r" % (status, body))
    status, _, body = request("GET", srv.hook_url + "/readyz", timeout=10)
    check(status == 200, "/readyz: %d %r" % (status, body))
    key = harness.new_ticket(srv, uses=2)["key"]
    status, reply = play(srv, key, ip="10.9.0.1", timeout=10)
    check(status == 200 and reply["allowed"] and reply["uses_left"] == 1, "a valid start: %d %r" % (status, reply))
    _, reply = legacy(srv, "sevu.status", {"key": ctx["key"]})
    check(reply.get("code") == 2010 and reply["ticket"]["active"] == "1", "signed sevu.status: %r" % reply)


def clean_stop_and_intact_database(srv, ctx):
    """SIGTERM stops the server with exit code 0, and `sqlite3 DB 'PRAGMA
    integrity_check'` prints ok."""
    f = Findings()
    code = srv.stop()
    f.expect(code == 0, "exit code after SIGTERM: %r" % code)
    if not harness.is_postgres(srv.db):  # PostgreSQL keeps its own integrity: nothing to check
        p = subprocess.run(["sqlite3", srv.db, "PRAGMA integrity_check"], capture_output=True,
                           text=True, timeout=60)
        f.expect(p.returncode == 0 and p.stdout.strip() == "ok",
                 "PRAGMA integrity_check: %r %r" % (p.stdout, p.stderr))
    f.done()


AFTER = [still_serving, clean_stop_and_intact_database]


# --- running it --------------------------------------------------------------------------------

def start_server(tmp):
    """The server under attack: hook token from a 0600 file, modest limits. Returns
    (server, problem); a binary without --hook-token-file runs the battery with
    --hook-token instead, so its other results still show, and fails that step."""
    token_file = os.path.join(tmp, "hook-token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(token_file, 0o600)
    limits = ["--max-connections", "200"]
    srv = Server(["--hook-token-file", token_file] + limits, tmp=tmp)
    srv.hook_token = TOKEN  # for the harness's /test/* calls
    try:
        srv.start()
        return srv, None
    except RuntimeError as e:
        if "unknown option --hook-token-file" not in str(e):
            raise
    srv = Server(["--hook-token", TOKEN] + limits, tmp=tmp)
    srv.start()
    return srv, "this sevu-server has no --hook-token-file: the battery ran with --hook-token"


def prepare(srv):
    """A's ticket (with one attempt on record), account B, a stream user, and a
    ticket for the slow-connection family."""
    ctx = {"key": harness.new_ticket(srv, uses=100)["key"], "b": srv.create_account("battery_b"),
           "slow_key": harness.new_ticket(srv, uses=100)["key"]}
    status, _ = play(srv, ctx["key"])
    check(status == 200, "the first start of A's ticket: %d" % status)
    _, reply = legacy(srv, "sevu.addstreamuser", {"app": APP, "stream": VIDEO, "user": STREAM_USER,
                                                   "pass": STREAM_PASS})
    check(reply.get("code") == 2071, reply)
    return ctx


def run_step(fn, *args):
    start = time.monotonic()
    try:
        fn(*args)
        print("PASS %s (%.2fs)" % (fn.__name__, time.monotonic() - start), flush=True)
        return True
    except Exception:
        print("FAIL %s: %s" % (fn.__name__, " ".join((fn.__doc__ or "").split())), flush=True)
        traceback.print_exc()
        return False


def main():
    tmp = tempfile.mkdtemp(prefix="sevu-battery-")
    srv = None
    results = []
    try:
        srv, problem = start_server(tmp)
        if problem:
            print("FAIL hook_token_from_a_file: " + problem, flush=True)
            results.append(False)
        ctx = prepare(srv)
        for fn in ATTACKS + AFTER:
            results.append(run_step(fn, srv, ctx))
    except Exception:
        traceback.print_exc()
        results.append(False)
    finally:
        if srv is not None:
            srv.stop()
            if not all(results):
                sys.stdout.write("--- server output (last lines) ---\n" + "".join(srv.output[-20:]))
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True), results.count(False)), flush=True)
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
