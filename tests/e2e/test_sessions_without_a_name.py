"""Sessions nothing will name again (docs/sessions.md, "Sessions without a name"), over
real HTTP against a started sevu-server: a generic POST /hooks/check without `session`
opens a session its attempt row keeps. It is listed by GET .../sessions with the other
sessions of its ticket (oldest first, every field), counts against max_viewers (deny and
end_oldest), is ended by DELETE .../sessions/{id} once, lapses after --session-ttl, and,
being in the row the grant committed, is still listed after a SIGKILL. Its viewer's
re-check without `session` (same key, pass, ip, app, video) is refused with
`Session Ended` once it was ended or bumped, and its viewer's `end` ends it."""

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


def full_ticket(srv, playing, refused):
    """A ticket of one viewer (deny) that `playing` started on; `refused` then is refused."""
    key = ticket(srv, uses=10, max_viewers=1, when_full="deny")["key"]
    expect(start(srv, key, playing)[0] == 200)
    st, body = start(srv, key, refused)
    expect(st == 403 and body["reason"] == "Too many viewers", (st, body))
    return key


def test_counted_against_the_limit():
    with harness.Server() as srv:
        key = full_ticket(srv, "10.2.0.1", "10.2.0.2")
        expect([s["ip"] for s in sessions(srv, key)] == ["10.2.0.1"])

        key = ticket(srv, uses=10, max_viewers=2, when_full="end_oldest")["key"]
        for n in (1, 2, 3):
            expect(start(srv, key, "10.3.0.%d" % n)[0] == 200)
            srv.advance_clock(1)
        expect([s["ip"] for s in sessions(srv, key)] == ["10.3.0.2", "10.3.0.3"])


def recheck(srv, key, ip, action="recheck"):
    return check(srv, key=key, **{"pass": PASS}, ip=ip, app=APP, video=VIDEO, action=action)


def test_an_ended_one_refuses_its_viewers_recheck():
    with harness.Server() as srv:
        key = ticket(srv, uses=10)["key"]
        expect(start(srv, key, "10.6.0.1")[0] == 200)
        st, body = recheck(srv, key, "10.6.0.1")
        expect(st == 200 and body["reason"] == "Success" and body["uses_left"] == 9, (st, body))
        (s,) = sessions(srv, key)
        st, _, _ = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, s["id"]))
        expect(st == 204, st)
        st, body = recheck(srv, key, "10.6.0.1")
        expect(st == 403 and body == {"allowed": False, "reason": "Session Ended"}, (st, body))
        # Another viewer of the ticket opened no session: its re-check is the ticket's.
        expect(recheck(srv, key, "10.6.0.2")[0] == 200)
        # A new start is a new session, live: its re-check passes again.
        srv.advance_clock(1)
        expect(start(srv, key, "10.6.0.1")[0] == 200)
        expect(recheck(srv, key, "10.6.0.1")[0] == 200)


def test_a_bumped_one_refuses_its_viewers_recheck():
    with harness.Server() as srv:
        key = ticket(srv, uses=10, max_viewers=1, when_full="end_oldest")["key"]
        expect(start(srv, key, "10.7.0.1")[0] == 200)
        srv.advance_clock(1)
        expect(start(srv, key, "10.7.0.2")[0] == 200)  # bumps the first
        st, body = recheck(srv, key, "10.7.0.1")
        expect(st == 403 and body["reason"] == "Session Ended", (st, body))
        expect(recheck(srv, key, "10.7.0.2")[0] == 200)


def test_ended_by_its_viewers_end():
    with harness.Server() as srv:
        key = full_ticket(srv, "10.8.0.1", "10.8.0.2")
        st, body = recheck(srv, key, "10.8.0.1", action="end")
        expect(st == 200 and body["reason"] == "Success", (st, body))
        expect(sessions(srv, key) == [])  # no longer counted
        st, body = recheck(srv, key, "10.8.0.1")
        expect(st == 403 and body["reason"] == "Session Ended", (st, body))
        expect(start(srv, key, "10.8.0.2")[0] == 200)


def test_kept_alive_by_its_viewers_rechecks():
    with harness.Server(extra_args=["--session-ttl", "30"]) as srv:
        key = ticket(srv, uses=10, max_viewers=1, when_full="deny")["key"]
        expect(start(srv, key, "10.9.0.1")[0] == 200)
        for _ in range(4):  # 80 s in all, past the TTL twice over
            srv.advance_clock(20)
            expect(recheck(srv, key, "10.9.0.1")[0] == 200)
        (s,) = sessions(srv, key)
        expect(s["ip"] == "10.9.0.1" and s["last_seen"] > s["started"], s)  # dates, same form
        st, body = start(srv, key, "10.9.0.2")
        expect(st == 403 and body["reason"] == "Too many viewers", (st, body))
        srv.advance_clock(31)  # unseen past the TTL: over
        expect(sessions(srv, key) == [])
        expect(start(srv, key, "10.9.0.2")[0] == 200)


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
