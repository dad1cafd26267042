#!/usr/bin/env python3
"""The web console's JSON API (docs/console.md) through a real server: login,
cookie and CSRF, expiry, the operator, tenant isolation, the attempts and their
timeline for traffic sent through /hooks/check, tickets, sessions and stream users."""

import hashlib
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import DEMO, check, request  # noqa: E402
import hooks_util  # noqa: E402

ADMIN = "operator-token-for-tests"
APP, VIDEO, PASS = "demo-origin", "mystream", "secretpass123"
T0 = 1893456000  # 2030-01-01 00:00:00, a whole hour


def at(srv, seconds):
    """Ticket time to T0 + seconds (the test clock, docs/staging.md)."""
    st, _, data = srv.set_clock("@%d" % (T0 + seconds))
    check(st == 200, data)


class Console:
    """One browser: logs in, keeps the cookie, sends the CSRF token on every action."""

    def __init__(self, srv):
        self.srv = srv
        self.cookie = None
        self.me = None

    def login(self, **body):
        st, hdrs, data = request("POST", self.srv.api_url + "/console/api/login",
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
        if st == 200:
            self.set_cookie = hdrs["set-cookie"]
            self.cookie = self.set_cookie.split(";", 1)[0]
            self.me = json.loads(data)
        return st, json.loads(data) if data else None

    def call(self, method, path, body=None, csrf=True, query=None):
        hdrs = {}
        if self.cookie:
            hdrs["Cookie"] = self.cookie
        if csrf and self.me and method not in ("GET", "HEAD"):
            hdrs["X-CSRF-Token"] = self.me["csrf"]
        if body is not None:
            body = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        url = self.srv.api_url + "/console/api/" + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        st, rh, data = request(method, url, body, hdrs)
        return st, (json.loads(data) if data else None), rh


def login_demo(srv):
    c = Console(srv)
    st, me = c.login(cdn_id=DEMO["cdn"], secret=DEMO["secret"])
    check(st == 200, (st, me))
    return c


def hook_check(srv, key, pw=PASS, ip="10.0.0.1", **more):
    return hooks_util.check(srv, key=key, **{"pass": pw}, ip=ip, app=APP, video=VIDEO, **more)


def new_ticket(c, **fields):
    body = {"app": APP, "video": VIDEO, "pass": PASS, "uses": 10, "expire": "+1 day"}
    body.update(fields)
    st, t, _ = c.call("POST", "tickets", body)
    check(st == 201, (st, t))
    return t


def expect_error(reply, status, error, field=None):
    st, body, _ = reply
    check(st == status and body["error"] == error, reply)
    if field is not None:
        check(body["field"] == field, reply)


def test_pages_carry_the_security_headers():
    with harness.Server() as srv:
        check(any("web console at %s/console/" % srv.api_url in line for line in srv.output), srv.output)
        st, hdrs, _ = request("GET", srv.api_url + "/console")
        check(st == 308 and hdrs["location"] == "/console/", (st, hdrs))
        st, hdrs, body = request("GET", srv.api_url + "/console/")
        check(st == 200 and hdrs["content-type"].startswith("text/html"), (st, hdrs))
        check(b"console.js" in body and b"<script>" not in body, body)
        csp = hdrs["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                     "frame-ancestors 'none'"):
            check(part in csp, csp)
        check(hdrs["x-content-type-options"] == "nosniff" and hdrs["referrer-policy"] == "no-referrer")
        for name, kind in (("console.js", "text/javascript"), ("console.css", "text/css"),
                           ("index.html", "text/html")):
            st, hdrs, _ = request("GET", srv.api_url + "/console/" + name)
            check(st == 200 and hdrs["content-type"].startswith(kind), (name, st, hdrs))
        st, hdrs, _ = request("GET", srv.api_url + "/console/nothing.js")
        check(st == 404 and "content-security-policy" in hdrs, st)
        st, hdrs, _ = request("POST", srv.api_url + "/console/", b"")
        check(st == 405, st)


def test_login_me_logout_cookie_and_stored_hash():
    with harness.Server() as srv:
        c = Console(srv)
        for body in ({"cdn_id": DEMO["cdn"], "secret": "0" * 64}, {"cdn_id": 99999, "secret": DEMO["secret"]},
                     {"cdn_id": "158", "secret": DEMO["secret"][:-1]}):
            st, reply = c.login(**body)
            check(st == 401 and reply["error"] == "UNAUTHORIZED", (body, st, reply))
        st, reply = c.login(admin_token="anything")  # no operator token configured
        check(st == 401 and reply["error"] == "UNAUTHORIZED", reply)
        # A body the login does not take is named, never half read.
        for body, status, error, field in (
                ({"cdn_id": DEMO["cdn"], "secret": DEMO["secret"], "extra": 1}, 400, "UNKNOWN_FIELD", "extra"),
                ({"cdn_id": DEMO["cdn"], "secret": DEMO["secret"], "admin_token": "x"}, 400, "INVALID_VALUE",
                 "admin_token"),
                ({"cdn_id": DEMO["cdn"], "secret": 5}, 400, "TYPE_MISMATCH", "secret")):
            st, reply = c.login(**body)
            check(st == status and reply["error"] == error and reply["field"] == field, (body, st, reply))
        check(c.call("GET", "me")[0] == 401)
        check(c.call("GET", "me")[0] == 401)
        # Without a login, not even which routes exist is answered.
        expect_error(c.call("GET", "no/such/route"), 401, "UNAUTHORIZED")
        expect_error(c.call("GET", "login"), 405, "METHOD_NOT_ALLOWED")

        st, me = c.login(cdn_id=DEMO["cdn"], secret=DEMO["secret"])
        check(st == 200 and me["operator"] is False and me["cdn_id"] == DEMO["cdn"]
              and me["username"] == "demo" and len(me["csrf"]) == 64, me)
        flags = [f.strip() for f in c.set_cookie.split(";")]
        check(flags[0].startswith("sevu_console=") and "HttpOnly" in flags and "SameSite=Strict" in flags
              and "Path=/console" in flags and "Max-Age=28800" in flags and "Secure" not in flags, flags)
        st, again, hdrs = c.call("GET", "me")
        check(st == 200 and again == me and hdrs["cache-control"] == "no-store", (st, again))
        expect_error(c.call("GET", "no/such/route"), 404, "NOT_FOUND")
        expect_error(c.call("DELETE", "me"), 405, "METHOD_NOT_ALLOWED")

        # Only the hash of the token is stored.
        token = c.cookie.split("=", 1)[1]
        rows = harness.sql_rows(srv.db, "SELECT token_hash, cdn_id FROM console_sessions")
        check(rows == [(hashlib.sha256(token.encode()).hexdigest(), DEMO["cdn"])], rows)

        # Logout needs the CSRF token like any action.
        expect_error(c.call("POST", "logout", csrf=False), 403, "CSRF")
        check(c.call("GET", "me")[0] == 200)
        st, _, hdrs = c.call("POST", "logout")
        check(st == 204 and "Max-Age=0" in hdrs["set-cookie"], (st, hdrs))
        expect_error(c.call("GET", "me"), 401, "UNAUTHORIZED")
        check(harness.sql_rows(srv.db, "SELECT token_hash FROM console_sessions") == [])

        # A disabled account's login is refused, and its open login stops working.
        c = login_demo(srv)
        srv.cli("account", "disable", "--cdn-id", str(DEMO["cdn"]))
        expect_error(c.call("GET", "me"), 401, "UNAUTHORIZED")
        st, _ = Console(srv).login(cdn_id=DEMO["cdn"], secret=DEMO["secret"])
        check(st == 401)


def test_login_expires():
    with harness.Server(["--console-session-ttl", "60"]) as srv:
        at(srv, 0)
        c = login_demo(srv)
        # Ticket time keeps running with the wall clock after each jump, and
        # the login (slow under ASan) may cross a wall second or two after
        # at(srv, 0): the login's own moment is the expiry less the TTL, and
        # the jumps below are counted from it.
        logged_in = c.me["expires"] - 60 - T0
        check(0 <= logged_in <= 2 and "Max-Age=60" in c.set_cookie, c.me)
        # The last valid moment is checked a second early, for the same reason.
        at(srv, logged_in + 58)
        check(c.call("GET", "me")[0] == 200)
        at(srv, logged_in + 60)
        expect_error(c.call("GET", "me"), 401, "UNAUTHORIZED")
        expect_error(c.call("GET", "tickets"), 401, "UNAUTHORIZED")


def test_csrf_refusals_change_nothing():
    with harness.Server() as srv:
        c = login_demo(srv)
        body = {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1, "expire": "+1 day"}
        for headers in ({}, {"X-CSRF-Token": "0" * 64}):
            st, _, data = request("POST", srv.api_url + "/console/api/tickets", json.dumps(body).encode(),
                                  dict({"Cookie": c.cookie, "Content-Type": "application/json"}, **headers))
            check(st == 403 and json.loads(data)["error"] == "CSRF", (st, data))
        check(c.call("GET", "tickets")[1]["total"] == 0)
        t = new_ticket(c)
        expect_error(c.call("POST", "tickets/%s/revoke" % t["key"], csrf=False), 403, "CSRF")
        check(c.call("GET", "tickets/" + t["key"])[1]["active"] is True)
        expect_error(c.call("POST", "stream-users", {"app": APP, "stream": "s", "user": "u", "pass": "p"},
                            csrf=False), 403, "CSRF")
        check(c.call("GET", "stream-users")[1] == [])
        # A body must be sent as JSON: a cross-site form cannot.
        st, _, data = request("POST", srv.api_url + "/console/api/tickets", json.dumps(body).encode(),
                              {"Cookie": c.cookie, "X-CSRF-Token": c.me["csrf"], "Content-Type": "text/plain"})
        check(st == 415, (st, data))
        check(c.call("GET", "tickets")[1]["total"] == 1)


def test_tickets_create_search_revoke():
    with harness.Server() as srv:
        c = login_demo(srv)
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1}),
                     400, "REQUIRED_FIELD", "expire")
        expect_error(c.call("POST", "tickets", {"app": "other-app", "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "+1 day"}), 400, "APP_INVALID", "app")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 0,
                                                "expire": "+1 day"}), 400, "INVALID_VALUE", "uses")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "yesterday-ish"}), 400, "INVALID_VALUE", "expire")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "2001-01-01"}), 400, "INVALID_VALUE", "expire")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "+1 day", "ip": "300.1.1.1"}), 400, "INVALID_VALUE", "ip")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "+1 day", "max_viewers": -1}), 400, "INVALID_VALUE",
                     "max_viewers")
        expect_error(c.call("POST", "tickets", {"app": APP, "video": VIDEO, "pass": PASS, "uses": 1,
                                                "expire": "+1 day", "colour": "red"}), 400, "UNKNOWN_FIELD", "colour")
        check(c.call("GET", "tickets")[1] == {"total": 0, "rows": []})

        t = new_ticket(c, max_viewers=2, when_full="end_oldest", ip="10.0.0.0/8")
        check(t["app"] == APP and t["active"] is True and t["uses"] == 10
              and t["limits"] == {"max_viewers": 2, "when_full": "end_oldest"}, t)
        other = new_ticket(c, video="news")
        st, page, _ = c.call("GET", "tickets")
        check(st == 200 and page["total"] == 2 and [r["key"] for r in page["rows"]] == [other["key"], t["key"]], page)
        check([r["key"] for r in c.call("GET", "tickets", query={"q": "news"})[1]["rows"]] == [other["key"]])
        check(c.call("GET", "tickets", query={"q": t["key"][:12]})[1]["total"] >= 1)
        page = c.call("GET", "tickets", query={"limit": 1, "offset": 1})[1]
        check(page["total"] == 2 and [r["key"] for r in page["rows"]] == [t["key"]], page)
        check(c.call("GET", "tickets/" + t["key"])[1] == t)
        expect_error(c.call("GET", "tickets/nope.00000000000000.00000000"), 404, "NOT_FOUND")

        st, r = hook_check(srv, t["key"], session="c1")
        check(st == 200 and r["allowed"], r)
        st, revoked, _ = c.call("POST", "tickets/%s/revoke" % t["key"])
        check(st == 200 and revoked["active"] is False, revoked)
        st, r = hook_check(srv, t["key"])
        check(st == 403 and not r["allowed"], r)
        st, r = hook_check(srv, t["key"], session="c1", action="recheck")
        check(st == 403 and r["reason"] == "Token Revoked", r)
        # The revoke ended the session its play opened: active again (through v2), the
        # ticket lists none, and the viewer's re-check is refused (docs/sessions.md).
        st, _, _ = request("POST", srv.api_url + "/v2/sevu_token/" + t["key"],
                           json.dumps({"active": True}).encode(), auth=(DEMO["cdn"], DEMO["secret"]))
        check(st == 200, st)
        check(c.call("GET", "tickets/%s/sessions" % t["key"])[1] == [])
        st, r = hook_check(srv, t["key"], session="c1", action="recheck")
        check(st == 403 and r["reason"] == "Session Ended", r)

        st, lim, _ = c.call("PUT", "tickets/%s/limits" % other["key"], {"max_viewers": 5})
        check(st == 200 and lim == {"max_viewers": 5, "when_full": "deny"}, lim)
        expect_error(c.call("PUT", "tickets/%s/limits" % other["key"], {"max_viewers": "x"}), 400,
                     "TYPE_MISMATCH", "max_viewers")


def test_ending_a_live_session():
    with harness.Server() as srv:
        c = login_demo(srv)
        t = new_ticket(c)
        st, r = hook_check(srv, t["key"], session="conn-1")
        check(st == 200, r)
        st, live, _ = c.call("GET", "tickets/%s/sessions" % t["key"])
        check(st == 200 and len(live) == 1 and live[0]["ip"] == "10.0.0.1", live)
        st, r = hook_check(srv, t["key"], session="conn-1", action="recheck")
        check(st == 200, r)
        expect_error(c.call("DELETE", "tickets/%s/sessions/%s" % (t["key"], live[0]["id"]), csrf=False),
                     403, "CSRF")
        st, _, _ = c.call("DELETE", "tickets/%s/sessions/%s" % (t["key"], live[0]["id"]))
        check(st == 204, st)
        check(c.call("GET", "tickets/%s/sessions" % t["key"])[1] == [])
        st, r = hook_check(srv, t["key"], session="conn-1", action="recheck")
        check(st == 403 and r["reason"] == "Session Ended", r)
        # Its close event is answered like a re-check (docs/hooks.md): over already.
        st, r = hook_check(srv, t["key"], session="conn-1", action="end")
        check(st == 403 and r["reason"] == "Session Ended", r)
        expect_error(c.call("DELETE", "tickets/%s/sessions/%s" % (t["key"], live[0]["id"])), 404, "NOT_FOUND")


def test_attempts_and_timeline_count_known_traffic():
    with harness.Server(["--console-admin-token", ADMIN]) as srv:
        at(srv, 0)
        c = login_demo(srv)
        t = new_ticket(c)
        for _ in range(3):
            check(hook_check(srv, t["key"])[0] == 200)
        at(srv, 65)
        wrong = [hook_check(srv, t["key"], pw="wrong")[1]["reason"] for _ in range(2)]
        check(len(set(wrong)) == 1, wrong)
        unknown = hook_check(srv, "no.such.key")[1]["reason"]
        at(srv, 130)

        st, tl, _ = c.call("GET", "timeline", query={"from": T0, "to": T0 + 179})
        check(st == 200 and tl["step"] == 60 and tl["minutes"] == [T0, T0 + 60, T0 + 120], tl)
        check(tl["series"] == [{"result": "granted", "reason": "Success", "counts": [3, 0, 0]},
                               {"result": "denied", "reason": wrong[0], "counts": [0, 2, 0]}], tl)
        # The default range is the last hour up to now.
        # The test clock runs on from each at() (docs/operations.md): under the
        # sanitizers a second can pass before the call lands.
        tl = c.call("GET", "timeline")[1]
        check(T0 + 130 <= tl["to"] < T0 + 180 and tl["from"] == tl["to"] - 3600, tl)
        check(sum(sum(s["counts"]) for s in tl["series"]) == 5, tl)
        # `last`: the seconds up to the server's now, however far the test clock moved it.
        tl = c.call("GET", "timeline", query={"last": 100})[1]
        check(T0 + 130 <= tl["to"] < T0 + 180 and tl["from"] == tl["to"] - 100, tl)
        check(sum(sum(s["counts"]) for s in tl["series"]) == 2, tl)
        check(len(c.call("GET", "attempts", query={"last": 100})[1]["rows"]) == 2)
        for bad in ("x", "-1", str(31 * 86400 + 1)):
            expect_error(c.call("GET", "timeline", query={"last": bad}), 400, "INVALID_VALUE", "last")
        expect_error(c.call("GET", "timeline", query={"from": T0 - 32 * 86400, "to": T0}), 400,
                     "INVALID_VALUE", "from")
        # Times outside the years 1970..9999 are refused, like every date the server takes.
        for field, query in (("to", {"from": -2 ** 63, "to": 2 ** 63 - 1}),
                             ("from", {"from": -1, "to": T0}),
                             ("to", {"from": T0, "to": 253402300800}),
                             ("to", {"to": 2 ** 63 - 1})):
            for route in ("timeline", "attempts"):
                expect_error(c.call("GET", route, query=query), 400, "INVALID_VALUE", field)

        rows = c.call("GET", "attempts")[1]["rows"]
        check([r["result"] for r in rows] == ["denied", "denied", "granted", "granted", "granted"], rows)
        check(all("pass" not in r for r in rows) and rows[0]["key"] == t["key"]
              and T0 + 65 <= rows[0]["datetime"] < T0 + 120 and rows[0]["ip"] == "10.0.0.1", rows[0])
        denied = c.call("GET", "attempts", query={"result": "denied"})[1]["rows"]
        check(len(denied) == 2)
        check(len(c.call("GET", "attempts", query={"reason": "Success"})[1]["rows"]) == 3)
        check(c.call("GET", "attempts", query={"ip": "10.9.9.9"})[1]["rows"] == [])
        page = c.call("GET", "attempts", query={"limit": 2, "before_id": rows[1]["id"]})[1]["rows"]
        check([r["id"] for r in page] == [rows[2]["id"], rows[3]["id"]], page)
        # The live poll: what came after the newest row seen, oldest first.
        check(c.call("GET", "attempts", query={"after_id": rows[0]["id"]})[1]["rows"] == [])
        hook_check(srv, t["key"], ip="10.0.0.2")
        fresh = c.call("GET", "attempts", query={"after_id": rows[1]["id"]})[1]["rows"]
        check([r["ip"] for r in fresh] == ["10.0.0.1", "10.0.0.2"], fresh)
        check(len(c.call("GET", "tickets/%s/attempts" % t["key"])[1]["rows"]) == 6)

        # The unmatched key: never the account's, only the operator's.
        check(all(r["key"] != "no.such.key" for r in c.call("GET", "attempts")[1]["rows"]))
        expect_error(c.call("GET", "attempts", query={"cdn_id": 0}), 404, "NOT_FOUND")
        op = Console(srv)
        check(op.login(admin_token=ADMIN)[0] == 200)
        unmatched = op.call("GET", "attempts", query={"cdn_id": 0})[1]["rows"]
        check([(r["key"], r["cdn_id"], r["reason"]) for r in unmatched] == [("no.such.key", 0, unknown)],
              unmatched)
        everything = op.call("GET", "timeline", query={"from": T0, "to": T0 + 179})[1]
        # (A wrong pass and an unknown key may share a reason: count the minute's denials.)
        check(sum(s["counts"][1] for s in everything["series"] if s["result"] == "denied") == 3, everything)
        check(any(s["reason"] == unknown and s["counts"][1] >= 1 for s in everything["series"]), everything)
        check(len(op.call("GET", "attempts")[1]["rows"]) == 7)
        check(len(op.call("GET", "attempts", query={"cdn_id": DEMO["cdn"]})[1]["rows"]) == 6)

        # Two hours on, the last hour holds none of them, but the ticket's page
        # still shows its newest attempts: it looks used, as it was.
        at(srv, 130 + 7200)
        check(c.call("GET", "attempts")[1]["rows"] == [])
        check(len(c.call("GET", "tickets/%s/attempts" % t["key"])[1]["rows"]) == 6)


def test_operator_sees_every_account_and_must_name_one():
    env = {"SEVU_CONSOLE_ADMIN_TOKEN": ADMIN}
    with harness.Server(env=env) as srv:
        other = srv.create_account("other")
        op = Console(srv)
        check(op.login(admin_token="wrong")[0] == 401)
        st, me = op.login(admin_token=ADMIN)
        check(st == 200 and me["operator"] is True and me["cdn_id"] is None and me["username"] is None, me)
        accounts = op.call("GET", "accounts")[1]
        check([a["cdn_id"] for a in accounts] == sorted([DEMO["cdn"], other["cdn"]]), accounts)
        expect_error(op.call("GET", "tickets"), 400, "REQUIRED_FIELD", "cdn_id")
        expect_error(op.call("GET", "tickets", query={"cdn_id": 424242}), 404, "NOT_FOUND")
        st, t, _ = op.call("POST", "tickets", {"app": "other-live", "video": "v", "pass": "p", "uses": 1,
                                               "expire": "+1 hour"}, query={"cdn_id": other["cdn"]})
        check(st == 201 and t["cdn_id"] == str(other["cdn"]), t)
        mine = Console(srv)
        check(mine.login(cdn_id=other["cdn"], secret=other["secret"])[0] == 200)
        check([r["key"] for r in mine.call("GET", "tickets")[1]["rows"]] == [t["key"]])
        check(mine.call("GET", "accounts")[1] == [{"cdn_id": other["cdn"], "username": "other", "active": True}])


def test_operator_token_from_a_file():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "token")
        with open(path, "w") as f:
            f.write(ADMIN + "\n")  # one trailing newline is dropped
        with harness.Server(["--console-admin-token-file", path]) as srv:
            check(Console(srv).login(admin_token=ADMIN + "\n")[0] == 401)
            op = Console(srv)
            check(op.login(admin_token=ADMIN)[0] == 200 and op.me["operator"] is True, op.me)
            check(all(ADMIN not in line for line in srv.output), "the token reached the log")


def test_an_operator_login_ends_with_its_admin_token():
    """Logins live in the store, so another process on it (a restart, another instance) takes
    them; an operator's only while the server has the admin token it was made with."""
    with harness.Server(["--console-admin-token", ADMIN]) as first:
        op, account = Console(first), login_demo(first)
        check(op.login(admin_token=ADMIN)[0] == 200)

        def me_on(console, args):
            with harness.Server(args, db=first.db) as other:
                console.srv = other
                return console.call("GET", "me")[0]

        check(me_on(op, ["--console-admin-token", ADMIN]) == 200)
        check(me_on(op, ["--console-admin-token", "a-rotated-token"]) == 401)
        check(me_on(op, []) == 401)
        check(me_on(account, ["--console-admin-token", "a-rotated-token"]) == 200)


def test_a_rotated_secret_ends_the_accounts_logins():
    """The logins were made with the old secret, which opens nothing any more (docs/console.md);
    another account's login and the operator's stay."""
    with harness.Server(["--console-admin-token", ADMIN]) as srv:
        acme, other = srv.create_account("acme"), srv.create_account("other")
        mine, theirs, op = Console(srv), Console(srv), Console(srv)
        check(mine.login(cdn_id=acme["cdn"], secret=acme["secret"])[0] == 200)
        check(theirs.login(cdn_id=other["cdn"], secret=other["secret"])[0] == 200)
        check(op.login(admin_token=ADMIN)[0] == 200)
        check(mine.call("GET", "tickets")[0] == 200)
        rotated = json.loads(srv.cli("account", "rotate-secret", "--cdn-id", str(acme["cdn"])).stdout)
        check(mine.call("GET", "tickets")[0] == 401, "a login made with the old secret still works")
        check(mine.login(cdn_id=acme["cdn"], secret=acme["secret"])[0] == 401)
        check(mine.login(cdn_id=acme["cdn"], secret=rotated["secret"])[0] == 200)
        check(mine.call("GET", "tickets")[0] == 200)
        check(theirs.call("GET", "tickets")[0] == 200)
        check(op.call("GET", "me")[0] == 200)


def test_one_account_never_reaches_another():
    with harness.Server() as srv:
        b_account = srv.create_account("bee")
        a = login_demo(srv)
        b = Console(srv)
        check(b.login(cdn_id=b_account["cdn"], secret=b_account["secret"])[0] == 200)
        t = new_ticket(a)
        check(hook_check(srv, t["key"], session="c1")[0] == 200)
        sid = a.call("GET", "tickets/%s/sessions" % t["key"])[1][0]["id"]
        st, su, _ = a.call("POST", "stream-users", {"app": APP, "stream": "cam", "user": "u1", "pass": "pw-one"})
        check(st == 201, su)

        key = t["key"]
        check(b.call("GET", "tickets")[1] == {"total": 0, "rows": []})
        check(b.call("GET", "tickets", query={"q": key})[1]["total"] == 0)
        for method, path in (("GET", "tickets/" + key), ("POST", "tickets/%s/revoke" % key),
                             ("GET", "tickets/%s/attempts" % key), ("GET", "tickets/%s/sessions" % key),
                             ("DELETE", "tickets/%s/sessions/%s" % (key, sid)),
                             ("DELETE", "stream-users/%d" % su["id"])):
            expect_error(b.call(method, path), 404, "NOT_FOUND")
        expect_error(b.call("PUT", "tickets/%s/limits" % key, {"max_viewers": 1}), 404, "NOT_FOUND")
        expect_error(b.call("PUT", "stream-users/%d" % su["id"], {"record": True}), 404, "NOT_FOUND")
        expect_error(b.call("GET", "attempts", query={"cdn_id": DEMO["cdn"]}), 404, "NOT_FOUND")
        expect_error(b.call("GET", "tickets", query={"cdn_id": DEMO["cdn"]}), 404, "NOT_FOUND")
        check(b.call("GET", "attempts", query={"key": key})[1]["rows"] == [])
        check(b.call("GET", "timeline")[1]["series"] == [])
        check(b.call("GET", "stream-users")[1] == [])

        # Nothing of A's changed.
        check(a.call("GET", "tickets/" + key)[1]["active"] is True)
        check(len(a.call("GET", "tickets/%s/sessions" % key)[1]) == 1)
        check(len(a.call("GET", "stream-users")[1]) == 1)
        check(len(a.call("GET", "attempts")[1]["rows"]) == 1)


def test_stream_users_add_list_change_remove():
    with harness.Server() as srv:
        c = login_demo(srv)
        expect_error(c.call("POST", "stream-users", {"app": APP, "stream": "cam"}), 400, "REQUIRED_FIELD", "user")
        expect_error(c.call("POST", "stream-users", {"app": "bad app", "stream": "cam", "user": "u", "pass": "p"}),
                     400, "INVALID_VALUE", "app")
        expect_error(c.call("POST", "stream-users", {"app": APP, "stream": "cam", "user": "u", "pass": "p",
                                                     "playlist_count": 2}), 400, "INVALID_VALUE", "playlist_count")
        # A misspelt setting is named, not dropped: nothing is added.
        expect_error(c.call("POST", "stream-users", {"app": APP, "stream": "cam", "user": "u", "pass": "p",
                                                     "recrod": True}), 400, "UNKNOWN_FIELD", "recrod")
        check(c.call("GET", "stream-users")[1] == [])
        st, su, _ = c.call("POST", "stream-users", {"app": APP, "stream": "cam", "user": "alice",
                                                    "pass": "first-pass", "record": True})
        check(st == 201 and su["user"] == "alice" and su["record"] is True, su)
        expect_error(c.call("POST", "stream-users", {"app": APP, "stream": "cam", "user": "alice", "pass": "x"}),
                     409, "DUPLICATE", "user")
        listed = c.call("GET", "stream-users")[1]
        check([u["id"] for u in listed] == [su["id"]], listed)
        text = json.dumps(listed)
        check("first-pass" not in text and "pbkdf2" not in text and "pass" not in listed[0], listed)

        def publish(pw):
            return hooks_util.check(srv, action="publish", app=APP, video="cam", ip="10.0.0.9",
                                    user="alice", **{"pass": pw})[0]
        check(publish("first-pass") == 200)
        st, changed, _ = c.call("PUT", "stream-users/%d" % su["id"], {"pass": "second-pass", "playlist_count": 8})
        check(st == 200 and changed["playlist_count"] == 8 and changed["record"] is True, changed)
        check("second-pass" not in json.dumps(changed))
        check(publish("first-pass") == 403 and publish("second-pass") == 200)
        expect_error(c.call("PUT", "stream-users/%d" % su["id"], {"user": "bob"}), 400, "INVALID_VALUE", "user")
        expect_error(c.call("PUT", "stream-users/%d" % su["id"], {"recrod": False, "playlist_count": 9}), 400,
                     "UNKNOWN_FIELD", "recrod")
        check(c.call("GET", "stream-users")[1][0]["playlist_count"] == 8)
        expect_error(c.call("PUT", "stream-users/%d" % su["id"], {"pass": ""}), 400, "INVALID_VALUE", "pass")
        expect_error(c.call("PUT", "stream-users/%d" % su["id"], {"segment_type": "size"}), 400,
                     "INVALID_VALUE", "segment_value")
        st, _, _ = c.call("DELETE", "stream-users/%d" % su["id"])
        check(st == 204)
        check(c.call("GET", "stream-users")[1] == [])
        check(publish("second-pass") == 403)
        expect_error(c.call("DELETE", "stream-users/%d" % su["id"]), 404, "NOT_FOUND")


if __name__ == "__main__":
    harness.main(globals())
