"""End to end: a server on PostgreSQL while its database is away (docs/operations.md,
"PostgreSQL store"; docs/decisions.md, load shedding): requests fail cleanly — the legacy API
answers code 1000, v2 503, the hooks deny — and write nothing; once the database is back, the
next requests are served again without restarting sevu-server, and the password shows nowhere;
a server started while its database is still starting waits for it.
Runs a cluster of its own (scripts/pg-cluster, from SEVU_PG_CLUSTER), as it stops it."""
# e2e: postgres only: what a server does while its PostgreSQL is away

import json
import os
import subprocess
import tempfile
import threading
import time

import harness
import hooks_util
from harness import DEMO, Server, check, request


class OwnCluster:
    def __enter__(self):
        self.script = os.environ.get("SEVU_PG_CLUSTER")
        if not self.script:
            raise RuntimeError("SEVU_PG_CLUSTER is not set: run this test through ctest")
        self.dir = tempfile.mkdtemp(prefix="sevu-pg-outage-")
        self.run("start")
        with open(os.path.join(self.dir, "uri")) as f:
            admin = f.read().strip()
        subprocess.run(["psql", "-X", "-q", admin, "-c", "CREATE DATABASE sevu"], check=True)
        self.uri = admin.rsplit("/", 1)[0] + "/sevu"
        self.password = admin.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        return self

    def __exit__(self, *exc):
        self.run("stop")

    def run(self, command):
        subprocess.run([self.script, command, self.dir], check=True, stdout=subprocess.DEVNULL)

    def tickets(self):
        return subprocess.run(["psql", "-X", "-qtA", self.uri, "-c", "SELECT COUNT(*) FROM tickets"],
                              check=True, capture_output=True, text=True).stdout.strip()


def v2_get(srv, key):
    return request("GET", srv.api_url + "/v2/sevu_token/" + key, auth=(DEMO["cdn"], DEMO["secret"]))


def v2_create(srv):
    body = json.dumps({"pass": "secretpass123", "video": "v", "app": "demo-origin",
                       "uses": 3}).encode()
    return request("PUT", srv.api_url + "/v2/sevu_token", body, {"Content-Type": "application/json"},
                   auth=(DEMO["cdn"], DEMO["secret"]))


def hook_check(srv, key):
    return hooks_util.check(srv, key=key, **{"pass": "secretpass123"}, ip="10.1.1.1",
                            app="demo-origin", video="mystream")


def test_requests_fail_cleanly_while_the_database_is_away_and_recover_after():
    with OwnCluster() as pg, Server(db=pg.uri, demo_ticket=True) as srv:
        ticket = harness.new_ticket(srv)
        key = ticket["key"]
        check(v2_get(srv, key)[0] == 200)
        check(hook_check(srv, key)[0] == 200)
        before = pg.tickets()

        pg.run("down")
        st, _, body = v2_get(srv, key)
        check(st == 503 and json.loads(body)["error"] == "UNAVAILABLE", (st, body))
        st, _, body = v2_create(srv)
        check(st == 503, (st, body))
        st, reply = harness.legacy(srv, "sevu.request", {"app": "demo-origin", "video": "v",
                                                         "pass": "p", "ip": "", "uses": 1,
                                                         "expire": "+1 day"})
        check(st == 200 and reply["code"] == 1000, (st, reply))
        st, reply = harness.legacy(srv, "sevu.status", {"key": key})
        check(st == 200 and reply["code"] == 1000, (st, reply))
        st, _ = hook_check(srv, key)
        check(st == 503, st)  # "try again": a media server reads it as "deny"

        pg.run("up")
        deadline = time.monotonic() + 30
        while v2_get(srv, key)[0] != 200:
            check(time.monotonic() < deadline, "v2 not served again within 30 s")
            time.sleep(0.2)
        check(pg.tickets() == before)  # nothing of the refused writes was kept
        st, _, body = v2_create(srv)
        check(st == 201, (st, body))
        st, reply = harness.legacy(srv, "sevu.status", {"key": key})
        check(st == 200 and reply["code"] == 2010, (st, reply))
        check(hook_check(srv, key)[0] == 200)
        output = "".join(srv.output)
        check(pg.password not in output, "the database password reached the server's output")


def test_serve_waits_for_a_database_that_is_still_starting():
    with OwnCluster() as pg:
        pg.run("down")
        # Up again while the server is starting: it tries once a second (docs/operations.md).
        up = threading.Timer(3, pg.run, ["up"])
        up.start()
        try:
            with Server(db=pg.uri, demo_ticket=True) as srv:
                output = "".join(srv.output)
                check("trying again (serve waits up to 30 s for the database)" in output, output)
                check(pg.password not in output, "the database password reached the server's output")
                check(v2_get(srv, harness.new_ticket(srv)["key"])[0] == 200)
        finally:
            up.join()


if __name__ == "__main__":
    harness.main(globals())
