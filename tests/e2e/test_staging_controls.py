#!/usr/bin/env python3
"""Staging controls on the hook listener with --test-controls (docs/operations.md):
POST /test/fixtures inserts tickets and stream users exactly as given (the upstream
example key included), POST /test/reset empties everything but the accounts
(sessions and remembered signed writes too), POST /test/clock {"now": null} goes
back to the wall clock. Without --test-controls none of them exists."""
import calendar
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import DEMO, Server, check, request  # noqa: E402
from hooks_util import auth_request, call, legacy, status_of  # noqa: E402
from hooks_util import check as hook_check  # noqa: E402

EXAMPLE_KEY = "mystream.53ffc996dd39d5.39102367"


def post(srv, path, body):
    status, _, data = request("POST", srv.hook_url + path, json.dumps(body).encode(),
                              dict(srv.test_headers(), **{"Content-Type": "application/json"}))
    return status, json.loads(data) if data else None


def example_ticket(**over):
    row = {"cdn_id": DEMO["cdn"], "key": EXAMPLE_KEY, "pass": "user123|randomdata",
           "ip": "auto/24|auto/24", "video": "my_video.mp4|my_folder/*", "app": "demo-*",
           "uses": 999, "active": True, "expire_date": "+1 year"}
    row.update(over)
    return row


def test_fixtures_insert_rows_exactly_as_given():
    with Server() as srv:
        status, reply = post(srv, "/test/fixtures", {
            "tickets": [example_ticket(created_date="2026-01-02 03:04:05")],
            "stream_users": [{"cdn_id": DEMO["cdn"], "app": "demo-origin", "stream": "cam",
                              "user": "enc", "pass": "s3cret", "record": True}]})
        check(status == 200 and reply == {"tickets": 1, "stream_users": 1}, (status, reply))
        t = status_of(srv, EXAMPLE_KEY)
        check(t["pass"] == "user123|randomdata" and t["ip"] == "auto/24|auto/24", t)
        check(t["created_date"] == "2026-01-02 03:04:05" and int(t["uses"]) == 999, t)
        st, r = hook_check(srv, key=EXAMPLE_KEY, **{"pass": "user123|randomdata"}, ip="10.1.2.3",
                           app="demo-origin", video="my_folder/a.mp4")
        check(st == 200 and r["allowed"], (st, r))
        st, r = hook_check(srv, action="publish", user="enc", **{"pass": "s3cret"}, ip="10.1.2.3",
                           app="demo-origin", video="cam")
        check(st == 200 and r["allowed"], (st, r))


def test_fixtures_take_a_never_used_date_as_the_apis_show_it():
    """A row copied from a reply (the upstream example, sevu.status) carries used_date
    "0000-00-00 00:00:00": never used."""
    with Server() as srv:
        never = "0000-00-00 00:00:00"
        status, reply = post(srv, "/test/fixtures", {"tickets": [
            example_ticket(used_date=never),
            example_ticket(key="mystream.0123456789abcd.00000001", used_date="2026-01-02 03:04:05")]})
        check(status == 200 and reply == {"tickets": 2, "stream_users": 0}, (status, reply))
        check(status_of(srv, EXAMPLE_KEY)["used_date"] == never)
        check(status_of(srv, "mystream.0123456789abcd.00000001")["used_date"] == "2026-01-02 03:04:05")
        status, reply = post(srv, "/test/fixtures", {"tickets": [
            example_ticket(key="mystream.0123456789abcd.00000002", expire_date=never)]})
        check(status == 400, (status, reply))  # an expiry of "never" is not a date


def test_a_fixture_row_replaces_the_ticket_that_had_its_key():
    """On a --demo server the upstream example ticket is seeded; a test seeding that key
    gets its own row as given, without a reset first."""
    with Server(demo_ticket=True) as srv:
        check(status_of(srv, EXAMPLE_KEY)["pass"] == "user123|randomdata")  # the seeded one
        status, reply = post(srv, "/test/fixtures", {"tickets": [
            example_ticket(**{"pass": "given-pass", "uses": 5, "app": "demo-origin"})]})
        check(status == 200 and reply == {"tickets": 1, "stream_users": 0}, (status, reply))
        t = status_of(srv, EXAMPLE_KEY)
        check(t["pass"] == "given-pass" and int(t["uses"]) == 5 and t["app"] == "demo-origin", t)


def test_a_bad_row_is_named_and_nothing_is_inserted():
    with Server() as srv:
        for body, named in [
            ({"tickets": [example_ticket(), example_ticket(key="other.1", uses=-1)]}, "tickets[1].uses"),
            ({"tickets": [example_ticket(cdn_id=4242)]}, "tickets[0].cdn_id"),
            ({"tickets": [example_ticket(ip="not an ip")]}, "tickets[0].ip"),
            ({"tickets": [example_ticket(expire_date="soonish")]}, "tickets[0].expire_date"),
            ({"tickets": [example_ticket(), example_ticket()]}, "tickets[1].key"),
            ({"stream_users": [{"cdn_id": DEMO["cdn"], "app": "demo-origin", "user": "u"}]},
             "stream_users[0].pass"),
            ({"tickets": "nope"}, "tickets"),
        ]:
            status, reply = post(srv, "/test/fixtures", body)
            check(status == 400 and named in reply["message"], (body, status, reply))
        st, reply = legacy(srv, "sevu.status", {"key": EXAMPLE_KEY})
        check(reply["status"] == "failure", reply)  # the good first row was rolled back too


def test_reset_empties_all_but_accounts():
    with Server() as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        st, _ = auth_request(srv, "/demo-origin/mystream/seg-1.ts?key=%s&pass=secretpass123" % key)
        status, reply = post(srv, "/test/fixtures", {"tickets": [example_ticket()]})
        check(status == 200, reply)
        status, reply = post(srv, "/test/reset", {})
        check(status == 200 and reply == {"reset": True}, (status, reply))
        for k in (key, EXAMPLE_KEY):
            st, reply = legacy(srv, "sevu.status", {"key": k})
            check(reply["status"] == "failure", reply)
        st, reply = legacy(srv, "sevu.errorcount", {})
        check(reply["count"] == 0, reply)
        # Accounts stay: the demo account still signs, and the example key can come back.
        status, reply = post(srv, "/test/fixtures", {"tickets": [example_ticket()]})
        check(status == 200, reply)


def test_clock_goes_back_to_the_wall_clock():
    with Server() as srv:
        status, reply = post(srv, "/test/clock", {"now": "2030-01-01 00:00:00"})
        check(status == 200 and reply["now"] == "2030-01-01 00:00:00", reply)
        status, reply = post(srv, "/test/clock", {"now": None})
        now = calendar.timegm(time.strptime(reply["now"], "%Y-%m-%d %H:%M:%S"))
        check(status == 200 and abs(now - time.time()) < 120, (reply, time.time()))


def test_clock_names_what_it_cannot_read():
    with Server() as srv:
        status, reply = post(srv, "/test/clock", {"now": "2030-01-01 00:00:00"})
        check(status == 200, reply)
        # A unix second as a JSON integer is a date like any other the APIs read.
        status, reply = post(srv, "/test/clock", {"now": 1893456000})
        check(status == 200 and reply["now"] == "2030-01-01 00:00:00", (status, reply))
        # Ticket time runs on from a set moment: allow a slow (sanitized) run a few seconds.
        status, reply = post(srv, "/test/clock", {"advance": 60})
        check(status == 200 and 60 <= seconds_after(reply["now"], 1893456000) <= 65, (status, reply))
        moved_to = reply["now"]
        bad = [({"advance": "x"}, "INVALID_VALUE", "advance", "advance"),
               ({"advance": True}, "INVALID_VALUE", "advance", "advance"),
               ({"now": "not a date"}, "INVALID_VALUE", "now", "now"),
               ({"now": []}, "INVALID_VALUE", "now", "now"),
               ({"now": "2031-01-01 00:00:00", "advance": 5}, "INVALID_VALUE", "not both", "advance"),
               ({}, "REQUIRED_FIELD", "advance", None)]
        for body, error, named, field in bad:
            status, reply = post(srv, "/test/clock", body)
            check(status == 400 and reply["error"] == error and named in reply["message"]
                  and reply["field"] == field, (body, status, reply))
        # None of them moved ticket time.
        status, reply = post(srv, "/test/clock", {"advance": 0})
        check(status == 200 and 0 <= seconds_after(reply["now"], moved_to) <= 5, (status, reply))
        # Ticket time stops a second after the epoch, which every date reads as "never".
        for body in ({"advance": -10 ** 12}, {"now": "@0"}):
            status, reply = post(srv, "/test/clock", body)
            check(status == 200 and reply["now"] == "1970-01-01 00:00:01", (body, status, reply))
            created = harness.new_ticket(srv, expire="2030-01-01 00:00:00")
            check(created["created_date"] == "1970-01-01 00:00:01", created)
        post(srv, "/test/clock", {"now": None})


def seconds_after(shown, since):
    """Seconds from `since` (unix seconds, or a date as the clock shows one) to `shown`."""
    def unix(t):
        return t if isinstance(t, int) else calendar.timegm(time.strptime(t, "%Y-%m-%d %H:%M:%S"))
    return unix(shown) - unix(since)


def test_off_without_test_controls():
    with Server(test_controls=False) as srv:
        for path in ("/test/reset", "/test/fixtures", "/test/clock"):
            status, _, _ = call(srv, path, {})
            check(status == 404, (path, status))
    with Server() as srv:
        status, _, _ = call(srv, "/test/reset", None, method="GET", headers=srv.test_headers())
        check(status == 405, status)


if __name__ == "__main__":
    harness.main(globals())
