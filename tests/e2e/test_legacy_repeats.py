"""End to end: repeated legacy requests (docs/legacy-api.md, "Timestamp and repeated requests").

Every test here sends the very same signed bytes more than once on purpose (the harness's usual
helpers give a repeated request a fresh timestamp, so that other tests never repeat by accident).
A repeated read is answered afresh; a repeated write is not run again and gets its first reply,
also after a restart on the same database and when the repeats arrive all at once.
"""

import json
import re
import threading
import time
import urllib.parse

import harness
from harness import DEMO, check

DEMO_AUTH = (DEMO["cdn"], DEMO["secret"])


Signed = harness.Signed
without_time = harness.without_time


def expect(reply, code):
    check(reply.get("code") == code, f"expected code {code}, got {reply}")
    return reply


def tickets(srv, video):
    """The account's tickets for this video, through the v2 list."""
    status, _, data = harness.request(
        "GET", srv.api_url + "/v2/sevu_token?video=" + urllib.parse.quote(video), auth=DEMO_AUTH)
    check(status == 200, (status, data))
    return json.loads(data)


def grant_fields(video):
    return {"app": "demo-origin", "video": video, "pass": "pw", "ip": "", "uses": 3,
            "expire": "+1 day"}


def test_repeated_status_is_answered_afresh():
    with harness.Server() as srv:
        t = harness.new_ticket(srv)
        status = Signed("sevu.status", {"key": t["key"]})
        _, first = status.send(srv)
        check(expect(first, 2010)["ticket"]["active"] == "1", first)
        _, again = status.send(srv)  # an identical poll: fine, and current
        check(expect(again, 2010)["ticket"]["active"] == "1", again)

        expect(Signed("sevu.revoke", {"key": t["key"]}).send(srv)[1], 2020)
        _, after = status.send(srv)
        check(expect(after, 2010)["ticket"]["active"] == "0", after)  # the new state
        for encoding in ("urlencoded", "json"):
            check(expect(status.send_as(srv, encoding), 2010)["ticket"]["active"] == "0")


def test_repeated_reads_of_every_read_command():
    with harness.Server() as srv:
        t = harness.new_ticket(srv)
        for command, fields, code in [("sevu.attempts", {"key": t["key"]}, 2100),
                                      ("sevu.errorlog", {}, 2100),
                                      ("sevu.errorcount", {}, 2110),
                                      ("sevu.liststreamusers", {}, 2090),
                                      ("sevu.retrievestreamuser", {"streamuser_id": 1}, 2093)]:
            signed = Signed(command, fields)
            for _ in range(2):
                expect(signed.send(srv)[1], code)


def test_repeated_request_returns_the_same_ticket_and_creates_no_other():
    with harness.Server() as srv:
        request = Signed("sevu.request", grant_fields("repeat-request"))
        first_text, first = request.send(srv)
        expect(first, 2002)
        second_text, _ = request.send(srv)
        check(second_text == first_text, (first_text, second_text))
        check(request.send_as(srv, "urlencoded")["ticket"] == first["ticket"])
        listed = tickets(srv, "repeat-request")
        check([o["key"] for o in listed] == [first["ticket"]["key"]], listed)


def test_repeated_revoke_answers_its_first_reply():
    with harness.Server() as srv:
        t = harness.new_ticket(srv, video="repeat-revoke")
        revoke = Signed("sevu.revoke", {"key": t["key"]})
        first_text, first = revoke.send(srv)
        expect(first, 2020)
        # Reactivated since (v2): a repeat of the revoke must not revoke it again.
        status, _, data = harness.request("POST", srv.api_url + "/v2/sevu_token/" + t["key"],
                                          b'{"active": true}', auth=DEMO_AUTH)
        check(status == 200 and json.loads(data)["active"] is True, (status, data))
        again_text, _ = revoke.send(srv)
        check(again_text == first_text, (first_text, again_text))
        check(tickets(srv, "repeat-revoke")[0]["active"] is True)

        # A failure is an answer too: an unknown key's 2021 stays the answer.
        missing = Signed("sevu.revoke", {"key": "no.such.key"})
        texts = {missing.send(srv)[0] for _ in range(2)}
        check(len(texts) == 1 and '"code":2021' in texts.pop(), texts)


def test_repeated_stream_user_writes_run_once():
    with harness.Server() as srv:
        add = Signed("sevu.addstreamuser",
                     {"app": "demo-origin", "stream": "cam", "user": "u1", "pass": "p1"})
        added_text, added = add.send(srv)
        expect(added, 2071)
        check(add.send(srv)[0] == added_text)
        users = Signed("sevu.liststreamusers", {}).send(srv)[1]
        check(len(expect(users, 2091)["users"]) == 1, users)

        uid = added["user"]["id"]
        update = Signed("sevu.updatestream", {"stream_id": uid, "ga_key": "UA-1"})
        updated_text, _ = update.send(srv)
        check(update.send(srv)[0] == updated_text)
        remove = Signed("sevu.removestreamuser", {"streamuser_id": uid})
        removed_text, removed = remove.send(srv)
        expect(removed, 2094)
        check(remove.send(srv)[0] == removed_text)  # not "not found": the first reply


def test_repeat_after_a_restart_still_gets_the_first_reply():
    with harness.Server() as srv:
        request = Signed("sevu.request", grant_fields("repeat-restart"))
        first_text, first = request.send(srv)
        expect(first, 2002)
        srv.stop()
        srv.start()  # the same --db
        again_text, _ = request.send(srv)
        check(again_text == first_text, (first_text, again_text))
        check(len(tickets(srv, "repeat-restart")) == 1)


def test_identical_requests_at_once_create_one_ticket():
    with harness.Server(extra_args=["--store-workers", "8"]) as srv:
        request = Signed("sevu.request", grant_fields("repeat-race"))
        n = 20
        barrier = threading.Barrier(n)
        replies = [None] * n

        def send(i):
            barrier.wait()
            replies[i] = request.send(srv)[0]

        threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        check(all(r is not None for r in replies), replies)
        check(len(set(replies)) == 1, set(replies))
        check('"code":2002' in replies[0], replies[0])
        check(len(tickets(srv, "repeat-race")) == 1)


def test_repeats_after_a_sigkill_get_their_first_replies():
    """The replies kept to many writes at once, acknowledged and then the process killed: each
    repeat after the restart gets its first reply and creates nothing (on SQLite the server
    finds kept replies through an index it fills again from the table at start,
    docs/performance.md, "Kept replies found in memory")."""
    with harness.Server() as srv:
        requests = [Signed("sevu.request", grant_fields(f"kill-repeat-{i}")) for i in range(40)]
        firsts = [None] * len(requests)

        def send(i):
            firsts[i] = requests[i].send(srv)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for _, reply in firsts:
            expect(reply, 2002)
        srv.stop(sig=harness.signal.SIGKILL)
        srv.start()  # the same --db
        for i, request in enumerate(requests):
            again, _ = request.send(srv)
            check(again == firsts[i][0], (firsts[i][0], again))
        for i in range(len(requests)):
            check(len(tickets(srv, f"kill-repeat-{i}")) == 1)


if __name__ == "__main__":
    harness.main(globals())
