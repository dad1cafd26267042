"""Sessions nothing will name again (docs/sessions.md, "Sessions without a name"), over
real HTTP against a started sevu-server: a generic POST /hooks/check without `session`
opens a session its attempt row keeps. It is listed by GET .../sessions with the other
sessions of its ticket (oldest first, every field), counts against max_viewers (deny and
end_oldest), is ended by DELETE .../sessions/{id} once, lapses after --session-ttl, and,
being in the row the grant committed, is still listed after a SIGKILL."""

import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import check  # noqa: E402
from test_sessions_api import APP, PASS, SESSION_FIELDS, VIDEO, rtmp, sessions, ticket, v2  # noqa: E402


def start(srv, key, ip):
    st, body = check(srv, key=key, **{"pass": PASS}, ip=ip, app=APP, video=VIDEO)
    return st, body


def test_listed_with_the_named_ones_and_ended_once():
    with harness.Server() as srv:
        key = ticket(srv, uses=10)["key"]
        expect(start(srv, key, "10.1.0.1")[0] == 200)
        srv.advance_clock(2)  # dates are seconds: each start its own
        expect(rtmp(srv, key, 7, addr="10.1.0.2") == 200)
        srv.advance_clock(2)
        expect(start(srv, key, "10.1.0.3")[0] == 200)
        listed = sessions(srv, key)
        expect([s["ip"] for s in listed] == ["10.1.0.1", "10.1.0.2", "10.1.0.3"], listed)
        for s in listed:
            expect(list(s) == SESSION_FIELDS, s)
            expect(re.fullmatch("[0-9a-f]+", s["id"]) and PASS not in s["id"], s)
            expect(s["key"] == key and s["app"] == APP and s["video"] == VIDEO, s)
        first, named, last = listed
        expect(first["media_server"] == "check" and first["protocol"] == "play", first)
        expect(named["media_server"] == "nginx-rtmp", named)
        expect(first["started"] == first["last_seen"], first)
        expect(len({s["id"] for s in listed}) == 3, listed)

        path = "/v2/sevu_token/%s/sessions/%s" % (key, first["id"])
        st, _, body = v2(srv, "DELETE", path)
        expect(st == 204 and body is None, (st, body))
        st, _, body = v2(srv, "DELETE", path)
        expect(st == 404 and body["error"] == "NOT_FOUND", (st, body))  # ended: not live
        expect([s["id"] for s in sessions(srv, key)] == [named["id"], last["id"]])
        st, _, body = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions" % key)
        expect(st == 200 and body == {"ended": 2}, (st, body))
        expect(sessions(srv, key) == [])


def test_counted_against_the_limit():
    with harness.Server() as srv:
        key = ticket(srv, uses=10, max_viewers=1, when_full="deny")["key"]
        expect(start(srv, key, "10.2.0.1")[0] == 200)
        st, body = start(srv, key, "10.2.0.2")
        expect(st == 403 and body["reason"] == "Too many viewers", (st, body))
        expect([s["ip"] for s in sessions(srv, key)] == ["10.2.0.1"])

        key = ticket(srv, uses=10, max_viewers=2, when_full="end_oldest")["key"]
        for n in (1, 2, 3):
            expect(start(srv, key, "10.3.0.%d" % n)[0] == 200)
            srv.advance_clock(1)
        expect([s["ip"] for s in sessions(srv, key)] == ["10.3.0.2", "10.3.0.3"])


def test_lapses_after_the_session_ttl():
    with harness.Server(extra_args=["--session-ttl", "30"]) as srv:
        key = ticket(srv, uses=10)["key"]
        expect(start(srv, key, "10.4.0.1")[0] == 200)
        srv.advance_clock(20)
        expect(len(sessions(srv, key)) == 1)
        srv.advance_clock(20)
        expect(sessions(srv, key) == [])


def test_still_listed_after_a_crash():
    with harness.Server() as srv:
        key = ticket(srv, uses=10)["key"]
        expect(start(srv, key, "10.5.0.1")[0] == 200)
        before = sessions(srv, key)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.start()
        expect(sessions(srv, key) == before, before)


if __name__ == "__main__":
    harness.main(globals())
