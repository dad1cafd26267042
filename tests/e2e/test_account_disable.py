"""Disabling an account (docs/operations.md, Accounts) while the server runs:
`sevu-server account disable` on the same database, and within 2 s the running
server refuses that account's ticket starts, re-checks and running HLS sessions
(reason `Account Disabled`) and its stream users' publishes (`Publish Denied:
account disabled`); `account enable` restores all of them. Another account is
untouched throughout.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import auth_request, check  # noqa: E402

APP = "acme-live"
PASS = "secretpass123"
PUB_PASS = "acme-Encoder-7"
EFFECT = 2.0  # seconds the running server may take to see an admin change


def within(seconds, probe):
    """probe() until it returns true or `seconds` pass; the last result."""
    deadline = time.monotonic() + seconds
    while True:
        ok = probe()
        if ok or time.monotonic() > deadline:
            return ok
        time.sleep(0.05)


def test_disable_stops_plays_sessions_and_publishes_and_enable_restores_them():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        ticket = harness.new_ticket(srv, account=acme, app=APP, video="cam", uses=20)
        key = ticket["key"]
        st, reply = harness.legacy(srv, "sevu.addstreamuser",
                                   {"app": APP, "stream": "cam", "user": "enc", "pass": PUB_PASS},
                                   account=acme)
        expect(reply.get("code") == 2071, reply)
        demo_key = harness.new_ticket(srv, uses=20)["key"]

        def play(ip="10.3.0.1"):
            return check(srv, key=key, **{"pass": PASS}, ip=ip, app=APP, video="cam")

        def recheck():
            return check(srv, action="recheck", key=key, **{"pass": PASS}, ip="10.3.0.1", app=APP,
                         video="cam")

        def hls(n):
            st, body = auth_request(srv, "/%s/cam-%d.ts?key=%s&pass=%s" % (APP, n, key, PASS),
                                    ip="10.3.0.9")
            return st, json.loads(body)

        def publish():
            return check(srv, action="publish", user="enc", **{"pass": PUB_PASS}, ip="10.3.0.5",
                         app=APP, video="cam")

        def demo_play():
            return check(srv, key=demo_key, **{"pass": PASS}, ip="10.4.0.1", app="demo-origin",
                         video="mystream")

        # Enabled: everything works; an HLS session is running.
        expect(play()[0] == 200)
        expect(recheck()[0] == 200)
        expect(hls(1)[0] == 200)
        expect(publish()[0] == 200)

        srv.cli("account", "disable", "--cdn-id", str(acme["cdn"]))
        # Probed with re-checks, which spend nothing whatever the answer.
        expect(within(EFFECT, lambda: recheck()[0] == 403), "re-check still granted after disable")
        st, r = recheck()
        expect(st == 403 and r["reason"] == "Account Disabled", (st, r))
        st, r = play()
        expect(st == 403 and r["reason"] == "Account Disabled", (st, r))
        st, r = hls(2)  # the running session's next segment
        expect(st == 403 and r["reason"] == "Account Disabled", (st, r))
        st, r = publish()
        expect(st == 403 and r["reason"] == "Publish Denied: account disabled", (st, r))
        # The order holds: a wrong pass is still just an invalid token.
        st, r = check(srv, key=key, **{"pass": "nope"}, ip="10.3.0.1", app=APP, video="cam")
        expect(st == 403 and r["reason"] == "Invalid Auth Token", (st, r))
        # Its API calls fail too; another account plays on.
        _, reply = harness.legacy(srv, "sevu.status", {"key": key}, account=acme)
        expect(reply.get("code") == 5, reply)
        expect(demo_play()[0] == 200)

        srv.cli("account", "enable", "--cdn-id", str(acme["cdn"]))
        expect(within(EFFECT, lambda: recheck()[0] == 200), "re-check still refused after enable")
        expect(play()[0] == 200)
        expect(hls(3)[0] == 200)  # a new session: the refusal ended the old one
        expect(publish()[0] == 200)

        # The refusals are in the account's log, each with its reason.
        _, log = harness.legacy(srv, "sevu.errorlog", {"app": APP, "limit": 100}, account=acme)
        reasons = [a["reason"] for a in log["attempts"]]
        expect("Account Disabled" in reasons and "Publish Denied: account disabled" in reasons,
               reasons)


def test_a_disabled_accounts_repeated_write_fails_too():
    """A disabled account's API calls fail (code 5), a repeat of a write it made before
    included; enabled again, the repeat gets the first reply and creates nothing."""
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        write = harness.Signed("sevu.request", {"app": APP, "video": "v", "pass": "pw", "ip": "",
                                                "uses": 2, "expire": "+1 day"}, account=acme)
        first_text, first = write.send(srv)
        expect(first["code"] == 2002, first)
        srv.cli("account", "disable", "--cdn-id", str(acme["cdn"]))
        expect(within(EFFECT, lambda: write.send(srv)[1]["code"] == 5),
               "a disabled account's repeated write still answered")
        srv.cli("account", "enable", "--cdn-id", str(acme["cdn"]))
        expect(within(EFFECT, lambda: write.send(srv)[0] == first_text), "no first reply")
        status, _, body = harness.request("GET", srv.api_url + "/v2/sevu_token?video=v",
                                          auth=(acme["cdn"], acme["secret"]))
        expect(status == 200 and len(json.loads(body)) == 1, body)


if __name__ == "__main__":
    harness.main(globals())
