"""Dates coming in (docs/legacy-api.md, docs/v2-api.md "Dates"): every input form, read by
one parser in both APIs, and years outside 1970-9999 refused everywhere a date comes in.
`expire` = 253402300800 once made a ticket expiring `10000-01-01 00:00:00`, which v2 then
could not read back; an RFC 2822 `expire` (PHP's date('r')) was refused."""

import calendar
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import DEMO, Server, check  # noqa: E402

AUTH = (str(DEMO["cdn"]), DEMO["secret"])
NOW = "2030-01-01 00:00:00"  # the ticket clock (it keeps ticking from there)

# (input, the expire_date it makes): a date string, or for relative forms the
# seconds after the ticket clock's now at the time of the call.
FORMS = [
    ("2031-02-03 04:05:06", "2031-02-03 04:05:06"),
    ("2031-02-03", "2031-02-03 00:00:00"),
    ("2031-02-03T04:05:06Z", "2031-02-03 04:05:06"),
    ("2031-02-03T04:05:06.789Z", "2031-02-03 04:05:06"),
    ("2031-02-03T06:05:06+02:00", "2031-02-03 04:05:06"),
    ("2031-02-03T01:35:06-0230", "2031-02-03 04:05:06"),
    ("Mon, 03 Feb 2031 04:05:06 +0000", "2031-02-03 04:05:06"),
    ("Mon, 03 Feb 2031 04:05:06 GMT", "2031-02-03 04:05:06"),
    ("Sun, 02 Feb 2031 23:05:06 -0500", "2031-02-03 04:05:06"),
    ("+1 day", 86400),
    ("+2 weeks", 14 * 86400),
    ("+1 day +2 hours", 86400 + 7200),
    ("+1 month -1 second", 31 * 86400 - 1),  # January: months move the calendar (PHP)
    ("1 year", 365 * 86400),  # 2030
    ("+2 months", 31 * 86400 + 28 * 86400),
    ("now +90 minutes", 5400),
    ("tomorrow", "2030-01-02 00:00:00"),  # NOW's next midnight, for the day after NOW
    ("tomorrow +10 hours", "2030-01-02 10:00:00"),
    ("@1924992000", "2031-01-01 00:00:00"),
    (1924992000, "2031-01-01 00:00:00"),
]


def unix(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


def clock_now(srv):
    status, _, body = harness.request("POST", srv.hook_url + "/test/clock",
                                      json.dumps({"advance": 0}).encode())
    check(status == 200, body)
    return unix(json.loads(body)["now"])


def made_as_expected(srv, expected, call):
    """Runs call() -> (reply, expire_date) and checks the date against expected,
    which for a relative form may count from any second the call took."""
    before = clock_now(srv)
    reply, got = call()
    after = clock_now(srv)
    if isinstance(expected, str):
        check(got == expected, (expected, reply))
    else:
        check(before + expected <= unix(got) <= after + expected, (expected, reply))
    return reply


# Years outside 1970-9999, however written; and text no form reads.
OUT_OF_RANGE = [253402300800, "@253402300800", "10000-01-01 00:00:00",
                "9999-12-31T23:59:59-01:00", "Fri, 31 Dec 9999 23:59:59 -0100", "+8000 years"]
UNREADABLE = ["Tue, 03 Feb 2031 04:05:06 +0000",  # a Monday
              "next tuesday", "+1 fortnight", "2031-02-30"]


def legacy_create(srv, expire, field="expire"):
    fields = {"app": "demo-origin", "video": "mystream", "pass": "pw", "ip": "", "uses": 5,
              field: expire}
    return harness.legacy(srv, "sevu.request", fields, encoding="json")


def legacy_expire_date(srv, key):
    status, reply = harness.legacy(srv, "sevu.status", {"key": key})
    check(status == 200 and reply["code"] == 2010, reply)
    return reply["ticket"]["expire_date"]


def v2(srv, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    status, _, reply = harness.request(method, srv.api_url + path, data,
                                       {"Content-Type": "application/json"}, auth=AUTH)
    return status, json.loads(reply) if reply else None


def v2_create(srv, expire):
    return v2(srv, "PUT", "/v2/sevu_token",
              {"pass": "pw", "video": "mystream", "app": "demo-origin", "uses": 5,
               "expire_date": expire})


def expect_invalid_expire_date(reply):
    status, body = reply
    check(status == 400 and body["error"] == "INVALID_VALUE" and body["field"] == "expire_date",
          reply)


def test_legacy_reads_every_form():
    with Server() as srv:
        check(srv.set_clock(NOW)[0] == 200)
        for given, expected in FORMS:
            def create():
                status, reply = legacy_create(srv, given)
                check(status == 200 and reply["code"] == 2002, (given, reply))
                return reply, legacy_expire_date(srv, reply["ticket"]["key"])
            made_as_expected(srv, expected, create)
        # The alias reads the same forms.
        status, reply = legacy_create(srv, "Mon, 03 Feb 2031 04:05:06 GMT", "expires")
        check(reply["code"] == 2002, reply)


def test_legacy_refuses_years_outside_1970_9999_with_2001():
    with Server() as srv:
        check(srv.set_clock(NOW)[0] == 200)
        for given in OUT_OF_RANGE + UNREADABLE:
            for field in ("expire", "expires"):
                status, reply = legacy_create(srv, given, field)
                check(status == 200 and reply["code"] == 2001, (given, reply))
                check(reply["message"].endswith(": %s is not a valid date" % field), reply)
        # Back in the past, 1969 is not "past" (2004) but no date at all.
        for given in (-1, "1969-12-31 23:59:59", "@-1"):
            status, reply = legacy_create(srv, given)
            check(reply["code"] == 2001, (given, reply))
        # The attempt filters read dates with the same parser.
        status, reply = harness.legacy(srv, "sevu.errorlog", {"starttime": 253402300800})
        check(reply["code"] not in (2100, 2101) and "starttime" in reply["message"], reply)


def test_v2_reads_every_form():
    with Server() as srv:
        check(srv.set_clock(NOW)[0] == 200)
        for given, expected in FORMS:
            def create():
                status, token = v2_create(srv, given)
                check(status in (200, 201), (given, token))
                return token, token["expire_date"]
            token = made_as_expected(srv, expected, create)
            status, back = v2(srv, "GET", "/v2/sevu_token/" + token["key"])
            check(status == 200 and back["expire_date"] == token["expire_date"], back)

            # An update takes the same forms, and a filter finds the token by them.
            def update():
                status, updated = v2(srv, "POST", "/v2/sevu_token/" + token["key"],
                                     {"expire_date": given})
                check(status == 200, (given, updated))
                return updated, updated["expire_date"]
            made_as_expected(srv, expected, update)
        query = urllib.parse.urlencode({"expire_date": "Mon, 03 Feb 2031 04:05:06 +0000"})
        status, found = v2(srv, "GET", "/v2/sevu_token?" + query)
        expected = sum(1 for _, e in FORMS if e == "2031-02-03 04:05:06")
        check(status == 200 and len(found) == expected, found)


def test_v2_refuses_years_outside_1970_9999():
    with Server() as srv:
        check(srv.set_clock(NOW)[0] == 200)
        status, token = v2_create(srv, "+1 day")
        check(status in (200, 201), token)
        for given in OUT_OF_RANGE + UNREADABLE + [-1, "1969-12-31 23:59:59"]:
            expect_invalid_expire_date(v2_create(srv, given))
            expect_invalid_expire_date(v2(srv, "POST", "/v2/sevu_token/" + token["key"],
                                          {"expire_date": given}))
        for given in ("10000-01-01 00:00:00", "@253402300800"):
            status, body = v2(srv, "GET", "/v2/sevu_token?" +
                              urllib.parse.urlencode({"expire_date": given}))
            check(status == 400 and body["field"] == "expire_date", body)
        # Nothing was stored with a year v2 cannot write back.
        status, tokens = v2(srv, "GET", "/v2/sevu_token")
        check(status == 200 and all(t["expire_date"][:4] <= "9999" and len(t["expire_date"]) == 19
                                    for t in tokens), tokens)


def test_test_clock_refuses_years_outside_1970_9999():
    with Server() as srv:
        for given in ("10000-01-01 00:00:00", "1969-12-31 23:59:59"):
            status, _, body = harness.request("POST", srv.hook_url + "/test/clock",
                                              json.dumps({"now": given}).encode())
            check(status == 400, (given, status, body))
        status, _, body = harness.request("POST", srv.hook_url + "/test/clock",
                                          json.dumps({"now": "Mon, 03 Feb 2031 04:05:06 GMT"}).encode())
        check(status == 200 and json.loads(body)["now"] == "2031-02-03 04:05:06", body)


if __name__ == "__main__":
    harness.main(globals())
