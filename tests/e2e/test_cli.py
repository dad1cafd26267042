"""End to end: the sevu-server command line (docs/operations.md, "Options, environment and
config file" and "Attempts"): --help for every command, stray arguments refused, config file <
environment < flag, --check-config, ports that cannot be bound, --db :memory:, the attempts
subcommand (with --follow), and the demo example ticket answering the v2 page's GET."""

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time

import harness
from harness import DEMO, DEMO_TICKET, Server, check, request

EXAMPLE_TOML = os.path.join(harness.SOURCE_DIR, "docs", "sevu-server.example.toml")
OPERATIONS_MD = os.path.join(harness.SOURCE_DIR, "docs", "operations.md")


def run_cli(*args, env=None, cwd=None, timeout=60):
    full_env = dict(os.environ)
    for name in list(full_env):  # the caller's SEVU_* must not leak into these checks
        if name.startswith("SEVU_") and name not in ("SEVU_SERVER", "SEVU_TEST_SEED",
                                                     "SEVU_SOURCE_DIR"):
            del full_env[name]
    full_env.update(env or {})
    return subprocess.run([os.path.abspath(harness.SERVER_BIN), *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=timeout)


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="sevu-e2e-cli-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def help_options(text):
    """{long option name: the help line} of a CLI11 help text."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\s+(?:-\w,)?--([a-z][a-z-]*)\b.*$",
                                                        text, re.M)}


def help_blocks(text):
    """{long option name: its help, the head line and the meaning below it joined}."""
    blocks, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^\s+(?:-\w,)?--([a-z][a-z-]*)\b", line)
        if m:
            current = m.group(1)
            blocks[current] = line
        elif current and line.startswith("      "):
            blocks[current] += " " + line.strip()
        else:
            current = None
    return blocks


# --- help and stray arguments ------------------------------------------------------------

COMMANDS = {
    (): ["help", "version"],
    ("serve",): ["listen", "hook-listen", "db", "demo", "hook-token", "hook-token-file",
                 "test-controls", "threads", "store-workers", "max-queue", "max-body",
                 "max-connections", "max-connections-per-ip", "hook-max-connections",
                 "hook-threads", "header-timeout", "idle-timeout", "timestamp-window",
                 "server-name", "origin-host", "playback-url", "session-idle", "hash-workers",
                 "publish-fail-delay", "config", "check-config"],
    ("account",): ["help"],
    ("account", "create"): ["db", "username", "cdn-id", "max-stream-users"],
    ("account", "list"): ["db"],
    ("account", "rotate-secret"): ["db", "cdn-id"],
    ("account", "disable"): ["db", "cdn-id"],
    ("account", "enable"): ["db", "cdn-id"],
    ("backup",): ["db"],
    ("attempts",): ["db", "cdn", "key", "follow", "after-id", "interval"],
    ("migrate-store",): ["from", "to"],
}


def test_every_command_answers_help():
    for cmd, options in COMMANDS.items():
        p = run_cli(*cmd, "--help")
        check(p.returncode == 0 and p.stderr == "", (cmd, p.returncode, p.stderr))
        listed = help_options(p.stdout)
        for name in options:
            check(name in listed, (cmd, name, p.stdout))
        # Every option has a meaning after it (CLI11 puts long ones on the next line).
        check("Usage: sevu-server" in p.stdout, (cmd, p.stdout))
    serve = help_options(run_cli("serve", "--help").stdout)
    for name, default in [("listen", "127.0.0.1:8080"), ("db", "data/sevu.db"), ("max-body", "1048576"),
                          ("max-queue", "4096"), ("session-idle", "60"), ("server-name", "sevu"),
                          ("publish-fail-delay", "4000")]:
        check("=" + default in serve[name] and "SEVU_" + name.upper().replace("-", "_") in serve[name],
              (name, serve[name]))
    # SPEC §6: each option with its default (CLI11's "=value", a "[default: …]" in the
    # meaning, or REQUIRED where there is none).
    for cmd in COMMANDS:
        for name, block in help_blocks(run_cli(*cmd, "--help").stdout).items():
            if name not in ("help", "version"):
                check(re.search(r"[A-Z\]]=\S|\[default|REQUIRED", block), (cmd, name, block))
    backup = run_cli("backup", "--help").stdout
    check("DEST" in backup, backup)
    # The old spellings still work.
    check(run_cli("help").returncode == 0 and run_cli("-h").returncode == 0)
    p = run_cli("--version")
    check(p.returncode == 0 and re.match(r"^sevu-server \d+\.\d+\.\d+\n$", p.stdout), p.stdout)
    check(run_cli("version").stdout == p.stdout)
    p = run_cli()
    check(p.returncode == 2 and "serve" in p.stdout, (p.returncode, p.stdout))


def test_docs_table_lists_every_serve_option():
    """docs/operations.md's option table and `serve --help` name the same options."""
    with open(OPERATIONS_MD) as f:
        text = f.read()
    running = text.split("## Running", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `--([a-z-]+)`", running, re.M))
    served = set(help_options(run_cli("serve", "--help").stdout)) - {"help"}
    check(documented == served, (sorted(documented - served), sorted(served - documented)))


def test_stray_arguments_and_unknown_options_are_errors():
    with TempDir() as tmp:
        db = os.path.join(tmp, "sevu.db")
        cases = [
            (["serve", "127.0.0.1:18600"], "unexpected argument '127.0.0.1:18600'"),
            (["serve", "--listen", "127.0.0.1:0", "--bogus"], "unknown option --bogus"),
            (["serve", "--demo=yes-please"], "demo"),
            (["account", "list", "--db", db, "extra"], "unexpected argument 'extra'"),
            (["account", "create", "--username", "x", "--nope", "1", "--db", db],
             "unknown option --nope"),
            (["account", "frobnicate"], "frobnicate"),
            (["account"], "give a subcommand"),
            (["backup", "--db", db, "a.db", "b.db"], "unexpected argument 'b.db'"),
            (["backup", "--db", db], "DEST"),
            (["attempts", "--db", db, "--tail"], "unknown option --tail"),
            (["attempts", "--db", db, "now"], "unexpected argument 'now'"),
            (["serve", "--threads", "0"], "--threads"),
            (["account", "rotate-secret", "--db", db], "--cdn-id"),
            (["nosuchcommand"], "nosuchcommand"),
        ]
        for args, message in cases:
            p = run_cli(*args, cwd=tmp)
            check(p.returncode == 2 and message in p.stderr, (args, p.returncode, p.stderr))
        check(os.listdir(tmp) == [], os.listdir(tmp))  # nothing ran, nothing was created


# --- config file, environment, flags -----------------------------------------------------

def check_config(*args, env=None, cwd=None):
    p = run_cli("serve", *args, "--check-config", env=env, cwd=cwd)
    m = re.search(r"configuration ok \(--listen (\S+), --hook-listen (\S+?)(?: \(the default[^)]*\))?, "
                  r"--db (.+)\)", p.stdout)
    return p, m


def test_config_file_environment_and_flags_in_that_order():
    with TempDir() as tmp:
        conf = os.path.join(tmp, "sevu.toml")
        with open(conf, "w") as f:
            f.write('# a comment\nlisten = "127.0.0.1:18801"\nhook-listen = "127.0.0.1:18802"\n'
                    'db = "from-file.db"\nthreads = 3\n')
        p, m = check_config("--config", conf, cwd=tmp)
        check(p.returncode == 0 and m, (p.stdout, p.stderr))
        check(m.group(1) == "127.0.0.1:18801" and m.group(2) == "127.0.0.1:18802"
              and m.group(3) == "from-file.db", m.groups())
        # The environment beats the file ...
        env = {"SEVU_LISTEN": "127.0.0.1:18811", "SEVU_DB": "from-env.db"}
        p, m = check_config("--config", conf, env=env, cwd=tmp)
        check(p.returncode == 0 and m.group(1) == "127.0.0.1:18811" and m.group(3) == "from-env.db"
              and m.group(2) == "127.0.0.1:18802", (p.stdout, p.stderr))
        # ... and a flag beats both.
        p, m = check_config("--config", conf, "--listen", "127.0.0.1:18821", env=env, cwd=tmp)
        check(p.returncode == 0 and m.group(1) == "127.0.0.1:18821" and m.group(3) == "from-env.db",
              (p.stdout, p.stderr))
        # A repeated flag: the last wins (scripts/run passes its own, then the caller's).
        p, m = check_config("--listen", "127.0.0.1:1", "--listen", "127.0.0.1:18831", cwd=tmp)
        check(p.returncode == 0 and m.group(1) == "127.0.0.1:18831", (p.stdout, p.stderr))
        # The config file itself may come from the environment.
        p, m = check_config(env={"SEVU_CONFIG": conf}, cwd=tmp)
        check(p.returncode == 0 and m.group(1) == "127.0.0.1:18801", (p.stdout, p.stderr))
        # Without any: the defaults.
        p, m = check_config(cwd=tmp)
        check(p.returncode == 0 and m.group(1) == "127.0.0.1:8080" and m.group(2) == "127.0.0.1:8081"
              and m.group(3) == "data/sevu.db", (p.stdout, p.stderr))
        check(sorted(os.listdir(tmp)) == ["sevu.toml"], os.listdir(tmp))


def test_check_config_refuses_what_serve_would_fail_on():
    """SPEC §6: --check-config validates everything: TLS files that do not load, a log
    file that cannot be opened and one address for both listeners fail as serve would,
    and nothing is created."""
    with TempDir() as tmp:
        junk = os.path.join(tmp, "junk.pem")
        with open(junk, "w") as f:
            f.write("junk\n")
        for args, says, code in (
                (["--tls-cert", junk, "--tls-key", junk], "cannot load TLS certificate", 1),
                (["--access-log", os.path.join(tmp, "no", "such", "dir.log")], "--access-log", 1),
                (["--decision-log", os.path.join(tmp, "no", "x.log")], "--decision-log", 1),
                (["--listen", "127.0.0.1:18851", "--hook-listen", "127.0.0.1:18851"],
                 "both are 127.0.0.1:18851", 2)):
            p, m = check_config("--db", "x.db", *args, cwd=tmp)
            check(p.returncode == code and not m and says in p.stderr, (args, p.returncode, p.stderr))
        # A log file not there yet, in a writable directory, is fine: serve creates it.
        p, m = check_config("--db", "x.db", "--access-log", os.path.join(tmp, "access.log"), cwd=tmp)
        check(p.returncode == 0 and m, (p.stdout, p.stderr))
        check(sorted(os.listdir(tmp)) == ["junk.pem"], os.listdir(tmp))


def test_a_server_started_from_a_config_file():
    """Every layer on a real start: file (ports, db, demo), environment (test controls), flag
    (server name); the hook token from a file named in the config file."""
    with TempDir() as tmp, harness.Database(tmp, os.path.join("state", "sevu.db")) as db:
        token = os.path.join(tmp, "hook-token")
        with open(token, "w") as f:
            f.write("c0nfig-t0ken\n")
        conf = os.path.join(tmp, "sevu.toml")
        with open(conf, "w") as f:
            f.write('listen = "127.0.0.1:0"\nhook-listen = "127.0.0.1:0"\ndb = "%s"\ndemo = true\n'
                    'hook-token-file = "%s"\nserver-name = "from-file"\n' % (db, token))
        srv = Server(demo=False, test_controls=False, tmp=tmp, db=db,
                     env={"SEVU_TEST_CONTROLS": "true"})
        srv.hook_token = "c0nfig-t0ken"
        # The harness's own --listen/--hook-listen/--db flags say the same as the file.
        srv.extra_args = ["--config", conf, "--server-name", "from-flag"]
        with srv:
            st, _, body = request("GET", srv.hook_url + "/healthz")
            check(st == 200, (st, body))
            check(srv.set_clock("2030-01-01 00:00:00")[0] == 200)  # test controls: env
            check(request("POST", srv.hook_url + "/test/clock", b'{"advance": 1}')[0] == 401)
            key = harness.new_ticket(srv)["key"]  # the demo account: file
            st, _, _ = request("POST", srv.hook_url + "/hooks/check", json.dumps(dict(
                key=key, app="demo-origin", video="mystream", ip="10.1.1.1",
                **{"pass": "secretpass123"})).encode(),
                {"Content-Type": "application/json", "X-Sevu-Hook-Token": "c0nfig-t0ken"})
            check(st == 200, st)
        rows = attempts_lines(db)
        check(rows and rows[-1]["server"] == "from-flag", rows)


def test_documented_example_config_loads():
    with TempDir() as tmp:
        p, m = check_config("--config", EXAMPLE_TOML, cwd=tmp)
        check(p.returncode == 0 and m and m.group(1) == "127.0.0.1:8080", (p.stdout, p.stderr))
        check(os.listdir(tmp) == [], os.listdir(tmp))


@harness.sqlite_only("--db path errors: SQLite files that are no database, newer, or in no directory")
def test_check_config_reports_problems():
    with TempDir() as tmp:
        notdb = os.path.join(tmp, "notes.txt")
        with open(notdb, "w") as f:
            f.write("not a database, just text long enough to have a header " * 20)
        newer = os.path.join(tmp, "newer.db")
        conn = sqlite3.connect(newer)
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, "
                     "applied INTEGER)")
        conn.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)")
        conn.commit()
        conn.close()
        bad_toml = os.path.join(tmp, "bad.toml")
        with open(bad_toml, "w") as f:
            f.write('listen = "127.0.0.1:1"\nlisten-port = 8080\n')
        section = os.path.join(tmp, "section.toml")
        with open(section, "w") as f:
            f.write('[serve]\nlisten = "127.0.0.1:1"\n')
        cli_only = os.path.join(tmp, "cli-only.toml")
        with open(cli_only, "w") as f:
            f.write("check-config = false\n")
        file_not_dir = os.path.join(notdb, "sevu.db")
        cases = [
            (["--listen", "127.0.0.1"], "--listen"),
            (["--listen", "127.0.0.1:99999"], "--listen"),
            (["--hook-listen", "example.com:80"], "--hook-listen example.com:80"),
            (["--hook-token-file", os.path.join(tmp, "missing")], "cannot read"),
            (["--config", os.path.join(tmp, "missing.toml")], "missing.toml"),
            (["--config", bad_toml], "unknown key 'listen-port'"),
            (["--config", section], "section"),
            (["--config", cli_only], "'check-config' is for the command line only"),
            (["--db", notdb], notdb),
            (["--db", newer], "newer"),
            (["--db", file_not_dir], "not a directory"),
            (["--db", ":memory:"], ":memory:"),
            (["--max-body", "12"], "--max-body"),
        ]
        before = sorted(os.listdir(tmp))
        mtimes = {n: os.stat(os.path.join(tmp, n)).st_mtime_ns for n in before}
        for args, message in cases:
            p, _ = check_config(*args, cwd=tmp)
            check(p.returncode != 0 and message in p.stderr and "configuration ok" not in p.stdout,
                  (args, p.returncode, p.stdout, p.stderr))
        # A good configuration with a database still to be made: ok, and nothing created.
        p, _ = check_config("--db", os.path.join(tmp, "new", "dir", "sevu.db"), cwd=tmp)
        check(p.returncode == 0, p.stderr)
        # An existing database of this version: ok, and left as it was.
        with Server(tmp=tmp, db=os.path.join(tmp, "live.db")) as srv:
            p, _ = check_config("--db", srv.db, cwd=tmp)
            check(p.returncode == 0, p.stderr)
        # A stopped server's database: not even the -wal/-shm a reader would make.
        live = sorted(n for n in os.listdir(tmp) if n.startswith("live.db"))
        p, _ = check_config("--db", os.path.join(tmp, "live.db"), cwd=tmp)
        check(p.returncode == 0, p.stderr)
        check(sorted(n for n in os.listdir(tmp) if n.startswith("live.db")) == live == ["live.db"],
              live)
        after = sorted(n for n in os.listdir(tmp) if not n.startswith("live.db"))
        check(after == before, (before, after))
        check(all(os.stat(os.path.join(tmp, n)).st_mtime_ns == mtimes[n] for n in before))


# --- ports and :memory: ------------------------------------------------------------------

def taken_port():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def free_port_below_a_taken_one():
    """(socket holding port P, P - 1 free) so that --listen P-1 defaults the hooks to P."""
    for _ in range(50):
        s, port = taken_port()
        probe = socket.socket()
        try:
            probe.bind(("127.0.0.1", port - 1))
            probe.close()
            return s, port
        except OSError:
            probe.close()
            s.close()
    raise AssertionError("no free port pair found")


def test_a_port_that_cannot_be_bound_stops_the_start():
    with TempDir() as tmp:
        db = os.path.join(tmp, "sevu.db")
        holder, port = taken_port()
        try:
            for args, named in [
                (["--listen", "127.0.0.1:%d" % port, "--hook-listen", "127.0.0.1:0"],
                 "--listen 127.0.0.1:%d" % port),
                (["--listen", "127.0.0.1:0", "--hook-listen", "127.0.0.1:%d" % port],
                 "--hook-listen 127.0.0.1:%d" % port),
            ]:
                p = run_cli("serve", "--db", db, *args, timeout=30)
                check(p.returncode == 1 and named in p.stderr and "listening" not in p.stdout,
                      (args, p.returncode, p.stdout, p.stderr))
        finally:
            holder.close()
        # The default hook port (the API port + 1) taken: a startup error too, never a
        # silent move to another port.
        holder, port = free_port_below_a_taken_one()
        try:
            p = run_cli("serve", "--db", db, "--listen", "127.0.0.1:%d" % (port - 1), timeout=30)
            check(p.returncode == 1 and "--hook-listen" in p.stderr and str(port) in p.stderr
                  and "hooks listening" not in p.stdout, (p.returncode, p.stdout, p.stderr))
        finally:
            holder.close()


@harness.sqlite_only("SQLite's :memory: database")
def test_memory_database_is_refused():
    with TempDir() as tmp:
        for args in (["serve", "--listen", "127.0.0.1:0", "--hook-listen", "127.0.0.1:0", "--demo"],
                     ["account", "list"], ["attempts"], ["backup", "out.db"]):
            p = run_cli(*args, "--db", ":memory:", cwd=tmp)
            check(p.returncode == 2 and "--db :memory: is not supported" in p.stderr
                  and "created demo account" not in p.stdout, (args, p.returncode, p.stdout, p.stderr))
        p = run_cli("serve", "--listen", "127.0.0.1:0", env={"SEVU_DB": ":memory:"}, cwd=tmp)
        check(p.returncode == 2 and ":memory:" in p.stderr, p.stderr)
        check(os.listdir(tmp) == [], os.listdir(tmp))


# --- attempts ------------------------------------------------------------------------------

def attempts_lines(db, *args):
    p = run_cli("attempts", "--db", db, *args)
    check(p.returncode == 0, p.stderr)
    return [json.loads(line) for line in p.stdout.splitlines()]


def play(srv, key, password):
    st, _, _ = request("POST", srv.hook_url + "/hooks/check", json.dumps(dict(
        key=key, app="demo-origin", video="mystream", ip="10.9.8.7", **{"pass": password})).encode(),
        {"Content-Type": "application/json"})
    return st


def test_attempts_lists_and_follows_every_attempt():
    with Server() as srv:
        key = harness.new_ticket(srv)["key"]
        check(play(srv, key, "secretpass123") == 200)
        unknown = "typo" + key[4:]
        check(play(srv, unknown, "secretpass123") == 403)
        rows = attempts_lines(srv.db)
        check([(r["cdn_id"], r["key"], r["success"]) for r in rows] ==
              [(DEMO["cdn"], key, True), (0, unknown, False)], rows)
        check(all("pass" not in r for r in rows), rows)  # a viewer's pass is never printed
        check(rows[0]["reason"] == "Success" and rows[0]["ip"] == "10.9.8.7"
              and re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", rows[0]["datetime"]), rows[0])
        check([r["key"] for r in attempts_lines(srv.db, "--cdn", "0")] == [unknown])
        check([r["key"] for r in attempts_lines(srv.db, "--cdn", "158")] == [key])
        check([r["key"] for r in attempts_lines(srv.db, "--key", unknown)] == [unknown])
        check(attempts_lines(srv.db, "--after-id", str(rows[-1]["id"])) == [])

        # --follow prints what is there, then each new attempt as it is logged.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEVU_DB")}
        follower = subprocess.Popen([harness.SERVER_BIN, "attempts", "--db", srv.db, "--follow",
                                     "--interval", "50"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
        try:
            seen = [json.loads(follower.stdout.readline()) for _ in rows]
            check([r["id"] for r in seen] == [r["id"] for r in rows], seen)
            # The follower holds no lock the server waits for: it still writes at once.
            check(play(srv, "another" + key[7:], "x") == 403)
            check(play(srv, key, "secretpass123") == 200)
            new = [json.loads(follower.stdout.readline()) for _ in range(2)]
            check([(r["cdn_id"], r["success"]) for r in new] == [(0, False), (DEMO["cdn"], True)], new)
            check(follower.poll() is None, "the follower stopped")
        finally:
            follower.kill()
            follower.wait()


@harness.sqlite_only("--db path errors: a missing SQLite file is never created")
def test_attempts_of_a_missing_database_fails_and_creates_nothing():
    with TempDir() as tmp:
        typo = os.path.join(tmp, "typo.db")
        for extra in ([], ["--follow"]):
            p = run_cli("attempts", "--db", typo, *extra, timeout=30)
            check(p.returncode != 0 and "database %s does not exist" % typo in p.stderr,
                  (p.returncode, p.stderr))
        check(os.listdir(tmp) == [], os.listdir(tmp))


# --- the demo example ticket -----------------------------------------------------------------

def curl_get(srv, key):
    p = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", "--user",
                        "158:" + DEMO["secret"], srv.api_url + "/v2/sevu_token/" + key],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, p.stderr)
    body, _, code = p.stdout.rpartition("\n")
    return int(code), body


def test_demo_seeds_the_v2_pages_example_ticket_once():
    with TempDir() as tmp, harness.Database(tmp) as db:
        with Server(tmp=tmp, db=db, demo_ticket=True) as srv:
            code, body = curl_get(srv, DEMO_TICKET["key"])  # the page's GET, as printed
            check(code == 200, (code, body))
            t = json.loads(body)
            check(t["key"] == DEMO_TICKET["key"] and t["pass"] == DEMO_TICKET["password"]
                  and t["ip"] == "auto/24|auto/24" and t["video"] == "my_video.mp4|my_folder/*"
                  and t["app"] == "demo-*" and t["uses"] == 999 and t["active"] is True, t)
            made = time.strptime(t["created_date"], "%Y-%m-%d %H:%M:%S")
            expires = time.strptime(t["expire_date"], "%Y-%m-%d %H:%M:%S")
            days = (time.mktime(expires) - time.mktime(made)) / 86400
            check(364.9 < days < 366.1, (t["created_date"], t["expire_date"]))
            check(abs(time.mktime(made) - time.mktime(time.gmtime())) < 3600, t["created_date"])
            # The page's DELETE; a restart with --demo does not bring it back.
            st, _, _ = request("DELETE", srv.api_url + "/v2/sevu_token/" + DEMO_TICKET["key"],
                               auth=(DEMO["cdn"], DEMO["secret"]))
            check(st == 204, st)
        with Server(tmp=tmp, db=db, demo_ticket=True) as srv:
            check(curl_get(srv, DEMO_TICKET["key"])[0] == 404)
            check("example ticket" not in "".join(srv.output), srv.output)


def test_a_changed_demo_ticket_stays_changed():
    with TempDir() as tmp, harness.Database(tmp) as db:
        with Server(tmp=tmp, db=db, demo_ticket=True) as srv:
            st, _, _ = request("POST", srv.api_url + "/v2/sevu_token/" + DEMO_TICKET["key"],
                               json.dumps({"active": False}).encode(),
                               {"Content-Type": "application/json"},
                               auth=(DEMO["cdn"], DEMO["secret"]))
            check(st == 200, st)
        with Server(tmp=tmp, db=db, demo_ticket=True) as srv:
            code, body = curl_get(srv, DEMO_TICKET["key"])
            check(code == 200 and json.loads(body)["active"] is False, body)


if __name__ == "__main__":
    harness.main(globals())
