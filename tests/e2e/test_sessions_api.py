"""Viewer limits and viewing sessions through their API surfaces, over real HTTP against a
started sevu-server (docs/v2-api.md "Viewer limits and sessions", docs/legacy-api.md
sevu.request, docs/staging.md /test/fixtures): limits set by sevu.request, by
PUT .../limits and by fixtures, read back by GET; their validation; every route 404 for
another account; live sessions opened by nginx-rtmp play calls (the body shape of
ngx_rtmp_notify_module.c, as in test_hooks.py), listed oldest first; deny and end_oldest;
ending one or all sessions, which the viewer's next nginx-rtmp update (or next HLS
request through nginx's auth_request) meets as 403; and
N concurrent starts on a limit m opening exactly m sessions."""

import calendar
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import DEMO, check as expect  # noqa: E402
from hooks_util import attempts, auth_request, legacy, nginx_rtmp, uses_left  # noqa: E402

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
AUTH = (DEMO["cdn"], DEMO["secret"])
SESSION_FIELDS = ["id", "key", "ip", "app", "video", "media_server", "protocol", "started",
                  "last_seen"]
DATE = "%Y-%m-%d %H:%M:%S"
UPSTREAM_TICKET = {"key", "pass", "ip", "video", "app", "created_date", "used_date", "uses",
                   "active"}


def v2(srv, method, path, body=None, auth=AUTH):
    """(status, headers, parsed JSON or None)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    status, hdrs, data = harness.request(method, srv.api_url + path, body, auth=auth)
    return status, hdrs, json.loads(data.decode("utf-8")) if data else None


def expect_error(reply, status, error, field=None):
    st, _, body = reply
    expect(st == status and body["error"] == error and body["field"] == field,
           (status, error, field, reply))


def limits(srv, key):
    st, _, body = v2(srv, "GET", "/v2/sevu_token/%s/limits" % key)
    expect(st == 200, (st, body))
    return body


def sessions(srv, key):
    st, _, body = v2(srv, "GET", "/v2/sevu_token/%s/sessions" % key)
    expect(st == 200 and isinstance(body, list), (st, body))
    return body


def ticket(srv, **fields):
    """A ticket made by sevu.request with these fields; its reply's ticket object."""
    f = {"app": APP, "video": VIDEO, "pass": PASS, "ip": "", "uses": 5, "expire": "+1 day"}
    f.update(fields)
    st, reply = legacy(srv, "sevu.request", f)
    expect(st == 200 and reply.get("code") == 2002, reply)
    return reply["ticket"]


def rtmp(srv, key, clientid, call="play", addr="10.0.0.1"):
    """One nginx-rtmp notify call of the connection `clientid` (fields as
    ngx_rtmp_notify_module sends them, the viewer's args appended); its status."""
    fields = [("app", APP), ("flashver", "LNX 9,0,124,2"), ("swfurl", ""),
              ("tcurl", "rtmp://127.0.0.1:1935/" + APP), ("pageurl", ""), ("addr", addr),
              ("clientid", str(clientid))]
    if call == "play":
        fields += [("call", "play"), ("name", VIDEO), ("start", "4294965296"),
                   ("duration", "0"), ("reset", "0")]
    else:
        fields += [("call", call), ("time", "30"), ("timestamp", "30000"), ("name", VIDEO)]
    st, _ = nginx_rtmp(srv, fields, "key=%s&pass=%s" % (key, PASS))
    return st


def test_limits_set_at_creation_and_by_put():
    with harness.Server() as srv:
        plain = ticket(srv)
        expect(limits(srv, plain["key"]) == {"max_viewers": 0, "when_full": "deny"})
        # The reply's ticket object stays exactly upstream's: no new members.
        t = ticket(srv, max_viewers=2, when_full="end_oldest")
        expect(set(t) == UPSTREAM_TICKET, t)
        expect(limits(srv, t["key"]) == {"max_viewers": 2, "when_full": "end_oldest"})
        st, reply = legacy(srv, "sevu.status", {"key": t["key"]})
        expect(set(reply["ticket"]) == UPSTREAM_TICKET | {"expire_date"}, reply)
        # A string of digits, as for uses; "" counts as not given (the defaults).
        t = ticket(srv, max_viewers="3", when_full="deny")
        expect(limits(srv, t["key"]) == {"max_viewers": 3, "when_full": "deny"})
        t = ticket(srv, max_viewers="", when_full="")
        expect(limits(srv, t["key"]) == {"max_viewers": 0, "when_full": "deny"})
        # The token object of v2 keeps its twelve fields too.
        st, _, obj = v2(srv, "GET", "/v2/sevu_token/" + t["key"])
        expect(st == 200 and "max_viewers" not in obj and "when_full" not in obj, obj)

        path = "/v2/sevu_token/%s/limits" % plain["key"]
        st, _, body = v2(srv, "PUT", path, {"max_viewers": 5})
        expect(st == 200 and body == {"max_viewers": 5, "when_full": "deny"}, (st, body))
        st, _, body = v2(srv, "PUT", path, {"when_full": "end_oldest"})
        expect(st == 200 and body == {"max_viewers": 5, "when_full": "end_oldest"}, (st, body))
        st, _, body = v2(srv, "PUT", path, {})
        expect(st == 200 and body == {"max_viewers": 5, "when_full": "end_oldest"}, (st, body))
        st, _, body = v2(srv, "PUT", path, {"max_viewers": 0, "when_full": "deny"})
        expect(st == 200 and body == {"max_viewers": 0, "when_full": "deny"}, (st, body))
        st, _, body = v2(srv, "PUT", path, {"max_viewers": 1, "when_full": "end_oldest"})
        expect(limits(srv, plain["key"]) == {"max_viewers": 1, "when_full": "end_oldest"})
        # The limit changed, nothing else did.
        expect(uses_left(srv, plain["key"]) == 5)


def test_limits_validation():
    with harness.Server() as srv:
        bad = [("max_viewers", -1), ("max_viewers", "-1"), ("max_viewers", "abc"),
               ("max_viewers", 1.5), ("max_viewers", True), ("when_full", "kick"),
               ("when_full", 5), ("when_full", "DENY")]
        for name, value in bad:
            st, reply = legacy(srv, "sevu.request",
                               {"app": APP, "video": VIDEO, "pass": PASS, "uses": 5,
                                "expire": "+1 day", name: value})
            expect(st == 200 and reply["code"] == 2001 and name in reply["message"],
                   (name, value, reply))

        t = ticket(srv, max_viewers=2)
        path = "/v2/sevu_token/%s/limits" % t["key"]
        expect_error(v2(srv, "PUT", path, {"max_viewers": -1}), 400, "INVALID_VALUE", "max_viewers")
        expect_error(v2(srv, "PUT", path, {"max_viewers": 2 ** 63}), 400, "INVALID_VALUE",
                     "max_viewers")
        for value in ("2", 2.5, None, True):
            expect_error(v2(srv, "PUT", path, {"max_viewers": value}), 400, "TYPE_MISMATCH",
                         "max_viewers")
        expect_error(v2(srv, "PUT", path, {"when_full": "kick"}), 400, "INVALID_VALUE", "when_full")
        expect_error(v2(srv, "PUT", path, {"when_full": 1}), 400, "TYPE_MISMATCH", "when_full")
        # Unknown members are refused, as on the token's own PUT and POST.
        expect_error(v2(srv, "PUT", path, {"max_viewers": 1, "uses": 9}), 400, "UNKNOWN_FIELD",
                     "uses")
        expect_error(v2(srv, "PUT", path + "?max_viewers=1", {}), 400, "UNKNOWN_FIELD",
                     "max_viewers")
        expect_error(v2(srv, "PUT", path, ""), 400, "INVALID_JSON")
        expect_error(v2(srv, "PUT", path, "[1]"), 400, "INVALID_JSON")
        # A refused body changes nothing, not even its valid members.
        expect_error(v2(srv, "PUT", path, {"max_viewers": 7, "when_full": "x"}), 400,
                     "INVALID_VALUE", "when_full")
        expect(limits(srv, t["key"]) == {"max_viewers": 2, "when_full": "deny"})

        # Fixtures take the limit too, and name a bad row.
        def fixture(**over):
            row = {"cdn_id": DEMO["cdn"], "key": "fixture.0123456789abcd.00000001", "pass": PASS,
                   "video": VIDEO, "app": APP, "uses": 3, "expire_date": "+1 day"}
            row.update(over)
            return harness.request("POST", srv.hook_url + "/test/fixtures",
                                   json.dumps({"tickets": [row]}).encode(),
                                   {"Content-Type": "application/json"})

        for over, field in (({"max_viewers": -1}, "max_viewers"),
                            ({"max_viewers": "x"}, "max_viewers"),
                            ({"when_full": "kick"}, "when_full"),
                            ({"when_full": 3}, "when_full")):
            st, _, data = fixture(**over)
            expect(st == 400 and ("tickets[0]." + field) in json.loads(data)["message"],
                   (over, st, data))
        st, _, data = fixture(max_viewers=4, when_full="end_oldest")
        expect(st == 200, data)
        expect(limits(srv, "fixture.0123456789abcd.00000001") ==
               {"max_viewers": 4, "when_full": "end_oldest"})
        st, _, data = fixture(key="fixture.0123456789abcd.00000002")
        expect(st == 200, data)
        expect(limits(srv, "fixture.0123456789abcd.00000002") ==
               {"max_viewers": 0, "when_full": "deny"})


def test_another_account_sees_nothing_and_methods():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        other = (acme["cdn"], acme["secret"])
        t = ticket(srv, max_viewers=2)
        key = t["key"]
        expect(rtmp(srv, key, 1) == 200)
        sid = sessions(srv, key)[0]["id"]
        routes = [("GET", "/limits", None), ("PUT", "/limits", {"max_viewers": 9}),
                  ("GET", "/sessions", None), ("DELETE", "/sessions", None),
                  ("DELETE", "/sessions/" + sid, None)]
        for method, tail, body in routes:
            theirs = v2(srv, method, "/v2/sevu_token/" + key + tail, body, auth=other)
            unknown = v2(srv, method, "/v2/sevu_token/nosuch.0123456789abcd.00000000" + tail, body)
            expect_error(theirs, 404, "NOT_FOUND")
            expect(theirs[2] == unknown[2], (method, tail, theirs, unknown))
        # Nothing changed for the owner.
        expect(limits(srv, key) == {"max_viewers": 2, "when_full": "deny"})
        expect([s["id"] for s in sessions(srv, key)] == [sid])
        expect(rtmp(srv, key, 1, "update_play") == 200)

        for method, tail, allow in (("POST", "/limits", "GET, PUT"),
                                    ("DELETE", "/limits", "GET, PUT"),
                                    ("PUT", "/sessions", "GET, DELETE"),
                                    ("POST", "/sessions", "GET, DELETE"),
                                    ("GET", "/sessions/" + sid, "DELETE"),
                                    ("PUT", "/sessions/" + sid, "DELETE")):
            st, hdrs, body = v2(srv, method, "/v2/sevu_token/" + key + tail, "{}")
            expect(st == 405 and body["error"] == "METHOD_NOT_ALLOWED" and hdrs["allow"] == allow,
                   (method, tail, st, hdrs, body))
        expect_error(v2(srv, "GET", "/v2/sevu_token/%s/sessions/%s/x" % (key, sid)), 404,
                     "NOT_FOUND")
        expect_error(v2(srv, "GET", "/v2/sevu_token/%s/sessions?limit=5" % key), 400,
                     "UNKNOWN_FIELD", "limit")
        # Without credentials, nothing.
        st, hdrs, _ = v2(srv, "GET", "/v2/sevu_token/%s/sessions" % key, auth=None)
        expect(st == 401 and "www-authenticate" in hdrs, (st, hdrs))


def test_sessions_listed_oldest_first():
    with harness.Server() as srv:
        # Ticket time runs on from where it is set: the dates below are compared with
        # generous bounds, never exactly.
        srv.set_clock("2030-01-02 03:04:05")
        begun = calendar.timegm(time.strptime("2030-01-02 03:04:05", DATE))
        t = ticket(srv, uses=10)
        key = t["key"]
        expect(sessions(srv, key) == [])
        expect(rtmp(srv, key, 11, addr="10.0.0.11") == 200)
        srv.advance_clock(100)
        expect(rtmp(srv, key, 12, addr="10.0.0.12") == 200)
        srv.advance_clock(50)  # within the session TTL (300 s by default)
        expect(rtmp(srv, key, 11, "update_play", addr="10.0.0.11") == 200)  # kept alive
        listed = sessions(srv, key)
        expect(len(listed) == 2, listed)
        for s in listed:
            expect(list(s) == SESSION_FIELDS, s)
            expect(s["key"] == key and s["app"] == APP and s["video"] == VIDEO, s)
            expect(s["media_server"] == "nginx-rtmp" and s["protocol"] == "play", s)
            expect(len(s["id"]) == 64 and PASS not in s["id"], s)
        first, second = listed
        expect(first["ip"] == "10.0.0.11" and second["ip"] == "10.0.0.12", listed)
        def seconds(text):
            return calendar.timegm(time.strptime(text, DATE))

        expect(0 <= seconds(first["started"]) - begun < 60, first)
        expect(100 <= seconds(second["started"]) - seconds(first["started"]) < 160, listed)
        expect(150 <= seconds(first["last_seen"]) - seconds(first["started"]) < 210, first)
        expect(second["last_seen"] == second["started"], second)
        # A session its viewer closed is no longer listed.
        expect(rtmp(srv, key, 12, "play_done", addr="10.0.0.12") == 200)
        expect([s["ip"] for s in sessions(srv, key)] == ["10.0.0.11"])


def test_deny_refuses_without_spending():
    with harness.Server() as srv:
        t = ticket(srv, uses=5, max_viewers=1, when_full="deny")
        key = t["key"]
        expect(rtmp(srv, key, 1, addr="10.0.1.1") == 200)
        expect(rtmp(srv, key, 2, addr="10.0.1.2") == 403)
        rows = attempts(srv, key, at_least=2)
        expect([r["reason"] for r in rows] == ["Success", "Too many viewers"], rows)
        expect(uses_left(srv, key) == 4)
        st, _, obj = v2(srv, "GET", "/v2/sevu_token/" + key)
        expect(st == 200 and obj["uses"] == 4, obj)
        expect([s["ip"] for s in sessions(srv, key)] == ["10.0.1.1"])
        # The first plays on; once it is ended through the API, the next viewer gets in.
        expect(rtmp(srv, key, 1, "update_play", addr="10.0.1.1") == 200)
        st, _, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions" % key)
        expect(st == 200 and body == {"ended": 1}, (st, body))
        expect(rtmp(srv, key, 2, addr="10.0.1.2") == 200)
        expect(uses_left(srv, key) == 3)


def test_an_hls_viewer_who_pauses_within_the_window_still_fills_the_ticket():
    """A paused HLS viewer is live for the whole idle window (SPEC §4): a second viewer of a
    full ticket is refused for all of it, not only for half of it."""
    with harness.Server(["--session-idle", "4"]) as srv:
        key = ticket(srv, uses=5, max_viewers=1, when_full="deny")["key"]
        t0 = int(time.time()) + 60

        def hls(t, ip, n):
            st, _, data = srv.set_clock("@%d" % (t0 + t))
            expect(st == 200, data)
            return auth_request(srv, "/%s/%s-%d.ts?key=%s&pass=%s" % (APP, VIDEO, n, key, PASS), ip=ip)[0]

        try:
            expect(hls(0, "10.0.2.1", 1) == 200)
            expect(hls(1, "10.0.2.1", 2) == 200)
            # 4 s after the first viewer's last request (window 4): it is still watching.
            expect(hls(5, "10.0.2.2", 1) == 403)
            expect(hls(5, "10.0.2.1", 3) == 200)
            rows = attempts(srv, key, at_least=2)
            expect([r["reason"] for r in rows] == ["Success", "Too many viewers"], rows)
            expect(uses_left(srv, key) == 4)
            expect([s["ip"] for s in sessions(srv, key)] == ["10.0.2.1"])
        finally:
            srv.set_clock(None)


def test_end_oldest_bumps_the_first_viewer():
    with harness.Server() as srv:
        t = ticket(srv, uses=5, max_viewers=1, when_full="end_oldest")
        key = t["key"]
        expect(rtmp(srv, key, 1, addr="10.0.2.1") == 200)
        expect(rtmp(srv, key, 2, addr="10.0.2.2") == 200)
        expect([s["ip"] for s in sessions(srv, key)] == ["10.0.2.2"])
        expect(rtmp(srv, key, 1, "update_play", addr="10.0.2.1") == 403)
        expect(rtmp(srv, key, 2, "update_play", addr="10.0.2.2") == 200)
        expect(uses_left(srv, key) == 3)


def test_ending_one_and_all():
    with harness.Server() as srv:
        t = ticket(srv, uses=10)
        key = t["key"]
        for n in (1, 2, 3):
            expect(rtmp(srv, key, n, addr="10.0.3.%d" % n) == 200)
            srv.advance_clock(2)  # dates are seconds: each start its own
        listed = sessions(srv, key)
        expect([s["ip"] for s in listed] == ["10.0.3.1", "10.0.3.2", "10.0.3.3"], listed)
        first = listed[0]["id"]

        st, hdrs, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, first))
        expect(st == 204 and body is None, (st, hdrs, body))
        expect([s["ip"] for s in sessions(srv, key)] == ["10.0.3.2", "10.0.3.3"])
        expect(rtmp(srv, key, 1, "update_play", addr="10.0.3.1") == 403)
        expect(rtmp(srv, key, 2, "update_play", addr="10.0.3.2") == 200)
        # Already ended, unknown, or another ticket's: 404 alike.
        expect_error(v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, first)), 404,
                     "NOT_FOUND")
        expect_error(v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, "0" * 64)), 404,
                     "NOT_FOUND")
        other = ticket(srv)["key"]
        expect(rtmp(srv, other, 9, addr="10.0.3.9") == 200)
        theirs = sessions(srv, other)[0]["id"]
        expect_error(v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, theirs)), 404,
                     "NOT_FOUND")
        expect(len(sessions(srv, other)) == 1)

        st, _, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions" % key)
        expect(st == 200 and body == {"ended": 2}, (st, body))
        expect(sessions(srv, key) == [])
        expect(rtmp(srv, key, 2, "update_play", addr="10.0.3.2") == 403)
        expect(rtmp(srv, key, 3, "update_play", addr="10.0.3.3") == 403)
        st, _, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions" % key)
        expect(st == 200 and body == {"ended": 0}, (st, body))
        # The other ticket's viewer plays on; ending spent and returned no use.
        expect(rtmp(srv, other, 9, "update_play", addr="10.0.3.9") == 200)
        expect(uses_left(srv, key) == 7)
        # Revoking a ticket ends its sessions: none listed, its viewer refused at its update.
        st, _, _ = v2(srv, "POST", "/v2/sevu_token/%s" % other, {"active": False})
        expect(st == 200, st)
        expect(sessions(srv, other) == [])
        expect(rtmp(srv, other, 9, "update_play", addr="10.0.3.9") == 403)


def test_ending_an_hls_session():
    """HTTP streaming through nginx's auth_request: the session's next segment is refused
    at once, even though its recent requests are answered from memory."""
    with harness.Server() as srv:
        key = ticket(srv, uses=5)["key"]
        q = "?key=%s&pass=%s" % (key, PASS)
        for uri in ("/%s/%s.m3u8%s", "/%s/%s-1.ts%s", "/%s/%s-2.ts%s"):
            st, _ = auth_request(srv, uri % (APP, VIDEO, q), ip="10.0.5.1")
            expect(st == 200, uri)
        listed = sessions(srv, key)
        expect(len(listed) == 1 and listed[0]["media_server"] == "auth-request", listed)
        expect(listed[0]["ip"] == "10.0.5.1", listed)
        st, _, _ = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, listed[0]["id"]))
        expect(st == 204)
        st, _ = auth_request(srv, "/%s/%s-3.ts%s" % (APP, VIDEO, q), ip="10.0.5.1")
        expect(st == 403)
        expect(sessions(srv, key) == [])
        expect(uses_left(srv, key) == 4)


def test_a_revoke_ends_sessions_for_good():
    """A revoked ticket ends its sessions at once (docs/sessions.md): re-activated, it does
    not bring them back. Its viewers hear `Token Revoked` while it is revoked, `Session
    Ended` once it is active again, until an idle window has passed; then a start."""
    revokes = {
        "legacy": lambda srv, key: legacy(srv, "sevu.revoke", {"key": key})[1]["code"] == 2020,
        "v2": lambda srv, key: v2(srv, "POST", "/v2/sevu_token/%s" % key, {"active": False})[0] == 200,
    }
    for name, revoke in revokes.items():
        with harness.Server() as srv:
            key = ticket(srv, uses=10)["key"]
            q = "?key=%s&pass=%s" % (key, PASS)
            expect(rtmp(srv, key, 1, addr="10.0.7.1") == 200)
            expect(auth_request(srv, "/%s/%s.m3u8%s" % (APP, VIDEO, q), ip="10.0.7.2")[0] == 200)
            # A second viewer over HTTP, silent while the ticket is revoked.
            expect(auth_request(srv, "/%s/%s.m3u8%s" % (APP, VIDEO, q), ip="10.0.7.3")[0] == 200)
            expect(len(sessions(srv, key)) == 3, name)
            expect(revoke(srv, key), name)
            st, body = auth_request(srv, "/%s/%s-1.ts%s" % (APP, VIDEO, q), ip="10.0.7.2")
            expect(st == 403 and json.loads(body)["reason"] == "Token Revoked", (name, st, body))
            st, _, _ = v2(srv, "POST", "/v2/sevu_token/%s" % key, {"active": True})
            expect(st == 200, st)
            expect(sessions(srv, key) == [], (name, sessions(srv, key)))
            expect(rtmp(srv, key, 1, "update_play", addr="10.0.7.1") == 403, name)
            for ip in ("10.0.7.2", "10.0.7.3"):
                st, body = auth_request(srv, "/%s/%s-2.ts%s" % (APP, VIDEO, q), ip=ip)
                expect(st == 403 and json.loads(body)["reason"] == "Session Ended", (name, ip, body))
            expect(uses_left(srv, key) == 7, name)
            # Past the idle window since its end, the viewer starts anew, spending a use.
            srv.advance_clock(61)
            expect(auth_request(srv, "/%s/%s-3.ts%s" % (APP, VIDEO, q), ip="10.0.7.3")[0] == 200)
            expect(uses_left(srv, key) == 6, name)
            expect(len(sessions(srv, key)) == 1, name)


def test_concurrent_starts_open_exactly_the_limit():
    with harness.Server() as srv:
        t = ticket(srv, uses=100, max_viewers=3, when_full="deny")
        key = t["key"]
        results = [None] * 20
        gate = threading.Barrier(len(results))

        def start(i):
            gate.wait()
            results[i] = rtmp(srv, key, 100 + i, addr="10.0.4.%d" % (i + 1))

        threads = [threading.Thread(target=start, args=(i,)) for i in range(len(results))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        expect(sorted(results) == [200] * 3 + [403] * 17, results)
        expect(len(sessions(srv, key)) == 3)
        expect(uses_left(srv, key) == 97)
        rows = attempts(srv, key, at_least=20)
        expect(sorted(r["reason"] for r in rows) == ["Success"] * 3 + ["Too many viewers"] * 17,
               rows)


if __name__ == "__main__":
    harness.main(globals())
