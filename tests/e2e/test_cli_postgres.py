"""End to end: `--db postgresql://…` wherever `--db PATH` works (docs/operations.md,
"PostgreSQL store"): serve (with --demo, /healthz and the v2 GET of the demo ticket),
--check-config, the account and attempts subcommands, migrations run once by processes that
start together, backup into an SQLite file that serves, and the password never shown.
Needs the test cluster ctest starts (SEVU_TEST_PG_URI_FILE, the pg.cluster_start fixture)."""
# e2e: postgres only: the PostgreSQL side of the command line

import json
import os
import re
import subprocess
import tempfile
import urllib.parse

import harness
from harness import DEMO, DEMO_TICKET, Server, check, request


def psql(uri, sql):
    return harness.psql(uri, sql).strip()


class Database:
    """A fresh database on the test cluster (harness.create_database), dropped afterwards."""

    def __enter__(self):
        self.uri = harness.create_database()
        self.password = urllib.parse.urlsplit(self.uri).password
        return self

    def __exit__(self, *exc):
        harness.drop_database(self.uri)


def sevu(*args):
    return subprocess.run([os.path.abspath(harness.SERVER_BIN), *args], capture_output=True,
                          text=True, timeout=120)


def test_serve_with_demo_answers_health_and_the_demo_ticket():
    with Database() as db, Server(db=db.uri, demo_ticket=True) as srv:
        st, _, body = request("GET", srv.hook_url + "/healthz")
        check(st == 200, (st, body))
        st, _, body = request("GET", srv.api_url + "/v2/sevu_token/" + DEMO_TICKET["key"],
                              auth=(DEMO["cdn"], DEMO["secret"]))
        check(st == 200, (st, body))
        t = json.loads(body)
        check(t["key"] == DEMO_TICKET["key"] and t["uses"] == 999, t)
        check(srv.wait_for_output(re.escape("database postgresql://sevu:***@")), srv.output)
        output = "".join(srv.output)
        check(db.password not in output, output)
        check(psql(db.uri, "SELECT COUNT(*) FROM tickets") == "1")


def test_subcommands_take_a_uri():
    with Database() as db:
        p = sevu("serve", "--check-config", "--db", db.uri)
        check(p.returncode == 0 and "--db postgresql://sevu:***@" in p.stdout, (p.stdout, p.stderr))
        check(db.password not in p.stdout + p.stderr)
        # check-config changes nothing: the database is still unmigrated.
        check(psql(db.uri, "SELECT to_regclass('schema_migrations') IS NULL") == "t")
        p = sevu("account", "create", "--db", db.uri, "--username", "acme")
        check(p.returncode == 0, p.stderr)
        created = json.loads(p.stdout)
        p = sevu("account", "list", "--db", db.uri)
        check(p.returncode == 0 and "acme" in p.stdout, (p.stdout, p.stderr))
        p = sevu("account", "disable", "--db", db.uri, "--cdn-id", str(created["cdn_id"]))
        check(p.returncode == 0, p.stderr)
        check(psql(db.uri, "SELECT active FROM accounts WHERE username = 'acme'") == "0")
        p = sevu("attempts", "--db", db.uri)
        check(p.returncode == 0 and p.stdout == "", (p.stdout, p.stderr))


def test_processes_starting_together_migrate_once():
    with Database() as db:
        procs = [subprocess.Popen([os.path.abspath(harness.SERVER_BIN), "account", "list",
                                   "--db", db.uri], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            check(p.returncode == 0, err)
        check(psql(db.uri, "SELECT string_agg(name, ',' ORDER BY version) FROM schema_migrations")
              == "0001_init.sql,0002_write_replies.sql,0003_seeded.sql,0004_attempt_counts.sql,"
              "0005_viewing_sessions.sql,0006_viewer_limits_and_sessions.sql,"
              "0007_console_sessions.sql,0008_attempt_counts_by_store.sql,"
              "0009_write_replies_in_time_order.sql,0010_sessions_in_attempts.sql,"
              "0011_write_replies_found_in_memory.sql,"
              "0012_kept_replies_forgotten_by_second.sql,"
              "0013_attempt_counts_per_statement.sql")


def test_backup_copies_the_store_into_an_sqlite_file_while_it_serves():
    """SPEC 6 and 7: `backup --db URI DEST` takes an online backup on PostgreSQL too: one
    snapshot, written as an SQLite database that serves as it is (docs/operations.md)."""
    with Database() as db, tempfile.TemporaryDirectory() as tmp:
        with Server(db=db.uri, demo_ticket=True) as srv:
            ticket = harness.new_ticket(srv, uses=7)
            st, _, _ = request("DELETE", srv.api_url + "/v2/sevu_token/" + harness.new_ticket(srv)["key"],
                               auth=(DEMO["cdn"], DEMO["secret"]))
            check(st == 204, st)
            dest = os.path.join(tmp, "backup.db")
            p = sevu("backup", "--db", db.uri, dest)
            check(p.returncode == 0 and "backup written to " + dest in p.stdout, (p.stdout, p.stderr))
            check(db.password not in p.stdout + p.stderr)
            check(os.stat(dest).st_mode & 0o777 == 0o600, oct(os.stat(dest).st_mode))
            p = sevu("backup", "--db", db.uri, dest)
            check(p.returncode != 0 and "already exists" in p.stderr, (p.returncode, p.stderr))
        # The copy serves: the tickets as they were, their ids, and no deleted id handed out again.
        with Server(db=dest, demo_ticket=True) as copy:
            st, _, body = request("GET", copy.api_url + "/v2/sevu_token/" + ticket["key"],
                                  auth=(DEMO["cdn"], DEMO["secret"]))
            check(st == 200 and json.loads(body)["uses"] == 7, (st, body))
            st, _, body = request("GET", copy.api_url + "/v2/sevu_token/" + DEMO_TICKET["key"],
                                  auth=(DEMO["cdn"], DEMO["secret"]))
            check(st == 200, (st, body))
            listed = json.loads(request("GET", copy.api_url + "/v2/sevu_token",
                                        auth=(DEMO["cdn"], DEMO["secret"]))[2])
            made = harness.new_ticket(copy)
            st, _, body = request("GET", copy.api_url + "/v2/sevu_token/" + made["key"],
                                  auth=(DEMO["cdn"], DEMO["secret"]))
            check(json.loads(body)["id"] > max(t["id"] for t in listed) + 1, (body, listed))


def test_an_unreachable_database_fails_without_showing_the_password():
    p = sevu("account", "list", "--db",
             "postgresql://sevu:hunter2-secret@127.0.0.1:1/nowhere?connect_timeout=2")
    check(p.returncode == 1, (p.returncode, p.stderr))
    check("cannot connect to PostgreSQL postgresql://sevu:***@127.0.0.1:1/nowhere" in p.stderr,
          p.stderr)
    check("hunter2" not in p.stdout + p.stderr, p.stderr)


if __name__ == "__main__":
    harness.main(globals())
