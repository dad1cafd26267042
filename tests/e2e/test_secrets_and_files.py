"""The operator's side of hardening (docs/operations.md, "Secrets and files"): which
subcommands may create a database, the modes of the files that hold secrets, the
hook token kept off the command line and guarding /test/*, and internal errors
counted and logged. Real processes, real files, real HTTP."""

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time

import harness
from harness import DEMO, Server, check, legacy, request

TOKEN_FILE_SECRET = "t0k3n-from-a-file-5e1b"
TOKEN_ENV_SECRET = "t0k3n-from-the-env-9c2d"


def run_cli(*args, env=None):
    return subprocess.run([harness.SERVER_BIN, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **env) if env else None)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def hook_check(srv, key, headers=None, query=""):
    body = json.dumps({"key": key, "pass": "secretpass123", "ip": "10.1.2.3", "app": "demo-origin",
                       "video": "mystream"}).encode()
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    status, _, data = request("POST", srv.hook_url + "/hooks/check" + query, body, hdrs)
    return status, data


def cmdline_of(proc):
    with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
        return f.read()


# --- only `serve` creates a database -------------------------------------------------------

@harness.sqlite_only("--db path errors: a missing SQLite file is never created")
def test_admin_subcommands_never_create_a_database():
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        typo = os.path.join(tmp, "typo.db")
        nested = os.path.join(tmp, "no", "such", "dir", "sevu.db")
        for db in (typo, nested):
            for args in (["account", "list"], ["account", "create", "--username", "acme"],
                         ["account", "rotate-secret", "--cdn-id", "158"],
                         ["account", "disable", "--cdn-id", "158"],
                         ["account", "enable", "--cdn-id", "158"]):
                p = run_cli(*args, "--db", db)
                check(p.returncode != 0, (args, db, p.stdout))
                check("database %s does not exist" % db in p.stderr, (args, p.stderr))
                check(os.listdir(tmp) == [], (args, db, os.listdir(tmp)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@harness.sqlite_only("`backup` copies SQLite files only")
def test_backup_of_a_missing_database_fails():
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        typo = os.path.join(tmp, "typo.db")
        out = os.path.join(tmp, "out.db")
        p = run_cli("backup", "--db", typo, out)
        check(p.returncode != 0 and "backup written" not in p.stdout, (p.stdout, p.stderr))
        check("database %s does not exist" % typo in p.stderr, p.stderr)
        check(os.listdir(tmp) == [], os.listdir(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_admin_subcommands_still_work_on_an_existing_database():
    with Server() as srv:
        acct = srv.create_account("acme_ops")
        listed = [json.loads(line)["cdn_id"] for line in srv.cli("account", "list").stdout.splitlines()]
        check(acct["cdn"] in listed and DEMO["cdn"] in listed, listed)
        dest = os.path.join(srv.tmp, "backup.db")
        p = run_cli("backup", "--db", srv.db, dest)
        check(p.returncode == 0 and "backup written" in p.stdout, p.stderr)


# --- file modes -----------------------------------------------------------------------------

@harness.sqlite_only("file modes of the SQLite database and its directory")
def test_serve_creates_owner_only_files_and_directory():
    old_umask = os.umask(0o022)  # the usual umask: it alone would give 0644 and 0755
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        data_dir = os.path.join(tmp, "data")
        db = os.path.join(data_dir, "sevu.db")
        with Server(db=db, tmp=tmp) as srv:
            harness.new_ticket(srv)  # a write: -wal and -shm exist while the server runs
            for path in (db, db + "-wal", db + "-shm"):
                check(os.path.exists(path), path)
                check(mode_of(path) == 0o600, "%s is %o" % (path, mode_of(path)))
            check(mode_of(data_dir) == 0o700, "%s is %o" % (data_dir, mode_of(data_dir)))
            dest = os.path.join(tmp, "backup.db")
            srv.cli("backup", dest)
            check(mode_of(dest) == 0o600, "backup is %o" % mode_of(dest))
    finally:
        os.umask(old_umask)
        shutil.rmtree(tmp, ignore_errors=True)


@harness.sqlite_only("file modes of the SQLite database")
def test_an_older_world_readable_database_is_tightened():
    old_umask = os.umask(0o022)
    try:
        with Server() as srv:
            ticket = harness.new_ticket(srv)
            srv.stop(sig=9)  # a crash leaves -wal and -shm behind
            files = [srv.db, srv.db + "-wal", srv.db + "-shm"]
            for path in files:
                check(os.path.exists(path), path)
                os.chmod(path, 0o644)  # as an older sevu-server left them
            srv.start()
            for path in files:
                check(mode_of(path) == 0o600, "%s is %o" % (path, mode_of(path)))
            _, reply = legacy(srv, "sevu.status", {"key": ticket["key"]})
            check(reply["code"] == 2010, reply)
            srv.stop()
            os.chmod(srv.db, 0o644)
            srv.cli("account", "list")  # any subcommand that opens it
            check(mode_of(srv.db) == 0o600, "%o" % mode_of(srv.db))
            # One that only reads too, and the side files SQLite makes for it.
            os.chmod(srv.db, 0o644)
            srv.cli("attempts")
            for path in files:
                if os.path.exists(path):
                    check(mode_of(path) == 0o600, "%s is %o" % (path, mode_of(path)))
    finally:
        os.umask(old_umask)


# --- the hook token: off the command line, and on /test/* -----------------------------------

def expect_token_guards_hooks(srv, token):
    key = harness.new_ticket(srv, uses=5)["key"]
    status, _ = hook_check(srv, key)
    check(status == 401, status)
    status, _ = hook_check(srv, key, {"X-Sevu-Hook-Token": "wrong"})
    check(status == 401, status)
    status, data = hook_check(srv, key, {"X-Sevu-Hook-Token": token})
    check(status == 200 and json.loads(data)["allowed"], data)
    status, data = hook_check(srv, key, query="?token=" + token)
    check(status == 200, data)


def test_hook_token_from_a_file_stays_off_the_command_line():
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        path = os.path.join(tmp, "hook-token")
        with open(path, "w") as f:
            f.write(TOKEN_FILE_SECRET + "\n")  # as `echo` writes it: the newline is not the token
        os.chmod(path, 0o600)
        with Server(extra_args=["--hook-token-file", path]) as srv:
            check(TOKEN_FILE_SECRET.encode() not in cmdline_of(srv.proc))
            expect_token_guards_hooks(srv, TOKEN_FILE_SECRET)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_hook_token_from_the_environment_and_a_flag_beats_it():
    with Server(env={"SEVU_HOOK_TOKEN": TOKEN_ENV_SECRET}) as srv:
        check(TOKEN_ENV_SECRET.encode() not in cmdline_of(srv.proc))
        expect_token_guards_hooks(srv, TOKEN_ENV_SECRET)
    with Server(extra_args=["--hook-token", "flag-wins"], env={"SEVU_HOOK_TOKEN": TOKEN_ENV_SECRET}) as srv:
        key = harness.new_ticket(srv)["key"]
        check(hook_check(srv, key, {"X-Sevu-Hook-Token": TOKEN_ENV_SECRET})[0] == 401)
        check(hook_check(srv, key, {"X-Sevu-Hook-Token": "flag-wins"})[0] == 200)


def test_bad_hook_token_options_are_refused():
    tmp = tempfile.mkdtemp(prefix="sevu-e2e-")
    try:
        db = os.path.join(tmp, "sevu.db")
        empty = os.path.join(tmp, "empty")
        with open(empty, "w") as f:
            f.write("\n")
        base = ["serve", "--listen", "127.0.0.1:0", "--hook-listen", "127.0.0.1:0", "--db", db]
        cases = [
            (["--hook-token", "a", "--hook-token-file", empty], {}, "not both"),
            (["--hook-token-file", empty], {}, "empty"),
            (["--hook-token-file", os.path.join(tmp, "missing")], {}, "cannot read"),
            ([], {"SEVU_HOOK_TOKEN": ""}, "empty"),
        ]
        for extra, env, message in cases:
            p = run_cli(*base, *extra, env=env)
            check(p.returncode == 2 and message in p.stderr, (extra, env, p.returncode, p.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_test_routes_require_the_hook_token():
    token = "t3st-r0utes-t0ken"
    with Server(extra_args=["--hook-token", token]) as srv:
        url = srv.hook_url + "/test/clock"
        body = b'{"advance": 10}'
        check(request("POST", url, body)[0] == 401)
        check(request("POST", url, body, {"X-Sevu-Hook-Token": "wrong"})[0] == 401)
        status, _, data = request("POST", url, body, {"X-Sevu-Hook-Token": token})
        check(status == 200 and "now" in json.loads(data), data)
        check(request("POST", url + "?token=" + token, body)[0] == 200)
        # Without the token, nobody learns which /test/ routes exist.
        check(request("POST", srv.hook_url + "/test/nothing", body)[0] == 401)
    with Server(extra_args=["--hook-token", token], test_controls=False) as srv:
        url = srv.hook_url + "/test/clock"
        check(request("POST", url, b'{"advance": 10}')[0] == 401)
        check(request("POST", url, b'{"advance": 10}', {"X-Sevu-Hook-Token": token})[0] == 404)


# --- internal errors: counted once, logged once with their cause ------------------------------

STORE_FAILURE = "e2e-store-failure-7f3a"


def internal_errors(srv):
    _, _, data = request("GET", srv.hook_url + "/metrics")
    m = re.search(r"^sevu_internal_errors_total (\d+)$", data.decode(), re.M)
    check(m, data)
    return int(m.group(1))


def error_lines(srv):
    return [line for line in list(srv.output) if STORE_FAILURE in line]


def test_internal_errors_are_counted_and_logged_once():
    with Server() as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        check(internal_errors(srv) == 0)
        # Break every write to tickets from outside, as a failing disk would: reads still work.
        if harness.is_postgres(srv.db):
            harness.psql(srv.db, "CREATE FUNCTION fail_write() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION '%s'; END $$; CREATE TRIGGER fail_write "
                                 "BEFORE INSERT OR UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION "
                                 "fail_write()" % STORE_FAILURE)
        else:
            db = sqlite3.connect(srv.db)
            for event in ("INSERT", "UPDATE"):
                db.execute("CREATE TRIGGER fail_%s BEFORE %s ON tickets BEGIN SELECT RAISE(ABORT, '%s'); END"
                           % (event.lower(), event, STORE_FAILURE))
            db.commit()
            db.close()

        _, reply = legacy(srv, "sevu.request", {"app": "demo-origin", "video": "v", "pass": "secretpass123",
                                                 "uses": 1, "expire": "+1 day"})
        check(reply["code"] == 4, reply)
        status, _, _ = request("PUT", srv.api_url + "/v2/sevu_token",
                               json.dumps({"pass": "secretpass123", "video": "v", "app": "demo-origin",
                                           "uses": 1}).encode(),
                               {"Content-Type": "application/json"}, auth=(DEMO["cdn"], DEMO["secret"]))
        check(status == 500, status)
        status, data = hook_check(srv, key)  # a start spends a use: an UPDATE
        check(status == 500, (status, data))

        check(internal_errors(srv) == 3)
        deadline = time.monotonic() + 10
        while len(error_lines(srv)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = error_lines(srv)
        check(len(lines) == 3, lines)
        for where in ("legacy command 'sevu.request'", "v2 PUT /v2/sevu_token", "hook /hooks/check"):
            check(len([line for line in lines if where in line]) == 1, (where, lines))
        output = "".join(srv.output)
        check("secretpass123" not in output and DEMO["secret"] not in output, output)


if __name__ == "__main__":
    harness.main(globals())
