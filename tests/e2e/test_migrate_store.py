"""End to end: `sevu-server migrate-store --from PATH --to URI` (docs/operations.md, moving to
PostgreSQL). A SQLite deployment is filled through the real APIs (tickets, deleted ones leaving id
gaps, attempts, stream users, a remembered signed write, the demo seed), copied, and a server on
the copy answers the same: the same ids, keys, dates and attempts, the repeat of the signed write
gets its first reply, the deleted demo ticket is not seeded again, new ids come after the copied
ones and after deleted ones (an id is never handed out twice). On the PostgreSQL pass the copy goes
to a fresh database of the test cluster; on the SQLite pass to a new SQLite file (the same code
path, and what an operator may use to compact).
"""

import hashlib
import json
import os
import subprocess
import tempfile
import urllib.parse

import harness
import hooks_util
from harness import DEMO, check

DEMO_AUTH = (DEMO["cdn"], DEMO["secret"])


def v2_get(srv, path, auth=DEMO_AUTH):
    status, _, data = harness.request("GET", srv.api_url + path, auth=auth)
    check(status == 200, (path, status, data))
    return json.loads(data)


def fill(srv):
    """Rows of every kind, through the APIs; returns the signed write to repeat later."""
    acme = srv.create_account("acme_tv")
    keys = [harness.new_ticket(srv, video=f"mig-{i}", uses=3)["key"] for i in range(6)]
    hooks_util.revoke(srv, keys[1])
    status, _, _ = harness.request("DELETE", srv.api_url + "/v2/sevu_token/" + keys[2], auth=DEMO_AUTH)
    check(status in (200, 204), status)  # a gap in the ids
    harness.new_ticket(srv, account=acme, video="acme-1")
    for key in keys[:4] + ["no.such.key"]:
        hooks_util.check(srv, key=key, ip="10.0.0.9", app="demo-origin", **{"pass": "secretpass123"},
                         video="mig-0" if key == keys[0] else "other")
    first = hooks_util.add_stream_user(srv, "live", "one", "alice", "pw-one-123456")
    hooks_util.add_stream_user(srv, "live", "two", "bob", "pw-two-123456")
    st, reply = hooks_util.legacy(srv, "sevu.removestreamuser", {"streamuser_id": first})
    check(st == 200 and reply.get("status") == "success", reply)
    # The demo example ticket was seeded (demo_ticket=True); deleting it must stick on the copy.
    status, _, _ = harness.request("DELETE", srv.api_url + "/v2/sevu_token/" + harness.DEMO_TICKET["key"],
                                   auth=DEMO_AUTH)
    check(status in (200, 204), status)
    write = harness.Signed("sevu.request", {"app": "demo-origin", "video": "mig-signed", "pass": "pw",
                                            "ip": "", "uses": 2, "expire": "+1 day"})
    text, reply = write.send(srv)
    check(reply.get("code") == 2002, reply)
    # The newest ticket deleted: its id was handed out, and must never be again.
    gone = harness.new_ticket(srv, video="mig-gone")["key"]
    gone_id = v2_get(srv, "/v2/sevu_token/" + urllib.parse.quote(gone))["id"]
    status, _, _ = harness.request("DELETE", srv.api_url + "/v2/sevu_token/" + gone, auth=DEMO_AUTH)
    check(status in (200, 204), status)
    return acme, write, text, gone_id


def snapshot(srv, acme):
    """What clients can see of the data: every ticket with its id and dates, every attempt,
    every stream user, per account."""
    out = {}
    for name, auth in (("demo", DEMO_AUTH), ("acme", (acme["cdn"], acme["secret"]))):
        out[name + ".tickets"] = v2_get(srv, "/v2/sevu_token?limit=1000", auth)
    out["demo.attempts"] = hooks_util.attempts(srv)
    out["no-ticket attempts"] = [a for a in out["demo.attempts"] if a.get("key") == "no.such.key"]
    st, reply = hooks_util.legacy(srv, "sevu.liststreamusers", {"app": "live"})
    check(st == 200, reply)
    out["demo.stream_users"] = reply.get("users")
    return out


def migrate(src, dest):
    return subprocess.run([harness.SERVER_BIN, "migrate-store", "--from", src, "--to", dest],
                          capture_output=True, text=True, timeout=300)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_a_copied_deployment_answers_the_same():
    with tempfile.TemporaryDirectory(prefix="sevu-e2e-") as tmp:
        src = os.path.join(tmp, "src.db")  # SQLite on both passes: the copy's source
        dest = harness.new_db(tmp, "dest.db")
        try:
            with harness.Server(db=src, tmp=tmp, demo_ticket=True) as srv:
                acme, write, write_text, gone_id = fill(srv)
                before = snapshot(srv, acme)
            src_digest = digest(src)

            p = migrate(src, dest)
            check(p.returncode == 0, p.stderr)
            counts = {line.split()[0]: line.split()[1:] for line in p.stdout.splitlines()[1:-1]}
            check(counts["accounts"] == ["2", "2"], p.stdout)  # demo and acme_tv
            check(counts["tickets"] == ["7", "7"], p.stdout)  # demo: 5 left of 6 and the signed one; acme: 1
            check(counts["stream_users"] == ["1", "1"], p.stdout)
            check(counts["seeded"] == ["1", "1"], p.stdout)
            check(int(counts["write_replies"][0]) >= 1, p.stdout)
            check(int(counts["attempts"][0]) >= 5, p.stdout)
            check(digest(src) == src_digest, "the source changed")
            password = urllib.parse.urlsplit(dest).password
            check(not password or password not in p.stdout + p.stderr, "the URI's password was printed")

            again = migrate(src, dest)
            check(again.returncode == 3, (again.returncode, again.stderr))
            check("already holds data" in again.stderr, again.stderr)

            with harness.Server(db=dest, tmp=tmp, demo_ticket=True) as srv:
                after = snapshot(srv, acme)
                for name in before:
                    check(after[name] == before[name], f"{name} differs:\n{before[name]}\n{after[name]}")
                # The deleted demo ticket stays deleted: the seed mark came along.
                check(all(t["key"] != harness.DEMO_TICKET["key"] for t in after["demo.tickets"]))
                # The repeat of the signed write gets its first reply and creates nothing.
                check(write.send(srv)[0] == write_text)
                check(len(v2_get(srv, "/v2/sevu_token?video=mig-signed")) == 1)
                # New rows get ids after every copied one, and after the deleted newest one.
                highest = max([t["id"] for t in before["demo.tickets"] + before["acme.tickets"]]
                              + [gone_id])
                created = harness.new_ticket(srv, video="mig-new")
                listed = v2_get(srv, "/v2/sevu_token/" + urllib.parse.quote(created["key"]))
                check(listed["id"] > highest, (listed["id"], highest))
        finally:
            if harness.BACKEND == "postgres":
                harness.drop_database(dest)


def test_a_missing_source_or_an_unreachable_destination_fails_cleanly():
    with tempfile.TemporaryDirectory(prefix="sevu-e2e-") as tmp:
        dest = harness.new_db(tmp, "dest.db")
        try:
            p = migrate(os.path.join(tmp, "missing.db"), dest)
            check(p.returncode == 1 and "missing.db" in p.stderr, (p.returncode, p.stderr))
            check(not os.path.exists(os.path.join(tmp, "missing.db")), "created the source")
        finally:
            if harness.BACKEND == "postgres":
                harness.drop_database(dest)
        with harness.Server(db=os.path.join(tmp, "src.db"), tmp=tmp):
            pass
        p = migrate(os.path.join(tmp, "src.db"), "postgresql://sevu@127.0.0.1:1/nothing")
        check(p.returncode == 1 and "sevu-server:" in p.stderr, (p.returncode, p.stderr))


if __name__ == "__main__":
    harness.main(globals())
