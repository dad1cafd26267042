"""Shared helpers for the end-to-end tests: start a real sevu-server on loopback
with a temporary SQLite file, or with SEVU_TEST_BACKEND=postgres a fresh database of
the test cluster, and talk to it over real HTTP. Standard library (and psql) only."""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

DEMO = dict(cdn=158, username="demo", api_key="APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE",
            secret="8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f")

# The v2 page's example ticket, which --demo seeds (docs/operations.md).
DEMO_TICKET = dict(key="mystream.53ffc996dd39d5.39102367", password="user123|randomdata")

SERVER_BIN = os.environ.get("SEVU_SERVER", "build/sevu-server")
SEED_BIN = os.environ.get("SEVU_TEST_SEED", "build/tests/sevu-test-seed")
SOURCE_DIR = os.environ.get("SEVU_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# "sqlite" (the default) or "postgres": the store every Server starts on. With postgres,
# SEVU_TEST_PG_URI_FILE names the file holding the test cluster's libpq URI (written by
# scripts/pg-cluster, which the ctest fixture runs).
BACKEND = os.environ.get("SEVU_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise SystemExit(f"SEVU_TEST_BACKEND={BACKEND}: use sqlite or postgres")


def cluster_uri():
    """The test cluster's URI (its maintenance database); postgres backend only."""
    path = os.environ.get("SEVU_TEST_PG_URI_FILE")
    if not path:
        raise RuntimeError("SEVU_TEST_BACKEND=postgres needs SEVU_TEST_PG_URI_FILE (scripts/pg-cluster)")
    with open(path) as f:
        return f.read().strip()


def database_uri(name):
    """The cluster's URI with its database swapped for `name`."""
    u = urllib.parse.urlsplit(cluster_uri())
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def psql(uri, sql, *options):
    """Runs sql (fixed text, no values spliced from outside the tests) with psql; its stdout."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", *options, "-d", uri, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"psql {sql!r} failed: {p.stderr}")
    return p.stdout


def create_database():
    """A fresh, empty database on the test cluster (a unique name, so ctest -j is safe);
    its URI. drop_database removes it."""
    name = "sevu_e2e_" + uuid.uuid4().hex[:16]
    psql(cluster_uri(), f"CREATE DATABASE {name}")
    return database_uri(name)


def drop_database(uri):
    name = urllib.parse.urlsplit(uri).path.lstrip("/")
    if not re.fullmatch(r"sevu_e2e_[0-9a-f]{16}", name):
        raise ValueError("not a test database: " + name)
    psql(cluster_uri(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def new_db(tmp, name="sevu.db"):
    """A database for a test that starts servers on it itself: a path in tmp on SQLite,
    a fresh database on PostgreSQL (the caller drops it with drop_database)."""
    return create_database() if BACKEND == "postgres" else os.path.join(tmp, name)


class Database:
    """`with Database(tmp) as db:` new_db(tmp), dropped afterwards on PostgreSQL."""

    def __init__(self, tmp, name="sevu.db"):
        self.db = new_db(tmp, name)

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        if is_postgres(self.db):
            drop_database(self.db)


def is_postgres(db):
    return db.startswith("postgresql://")


def sql_rows(db, sql):
    """Rows of a read-only query (fixed text) on either backend, for tests that look beneath
    the API: values as SQLite gives them; on PostgreSQL integers, text and None alike."""
    if not is_postgres(db):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    null = "<null>"
    out = psql(db, sql, "-F", "\t", "-P", "null=" + null)

    def value(v):
        return None if v == null else int(v) if re.fullmatch(r"-?\d+", v) else v
    return [tuple(value(v) for v in line.split("\t")) for line in out.splitlines()]


def sqlite_only(reason):
    """Marks a test that is about SQLite itself: main() skips it on PostgreSQL, saying why."""
    def mark(fn):
        fn.sqlite_only = reason
        return fn
    return mark


class Server:
    """`with Server() as srv:` runs sevu-server serve on ephemeral loopback ports."""

    def __init__(self, extra_args=(), demo=True, test_controls=True, db=None, tmp=None, env=None,
                 demo_ticket=False):
        self.extra_args = list(extra_args)
        # --demo also seeds an example ticket; most tests count the demo account's
        # tickets, so it is deleted at start unless a test asks for it.
        self.demo_ticket = demo_ticket
        self.env = env  # added to this process's environment for the server
        # /test/* needs the hook token when one is set (set_clock, advance_clock).
        self.hook_token = (self.extra_args[self.extra_args.index("--hook-token") + 1]
                           if "--hook-token" in self.extra_args else None)
        self.demo = demo
        self.test_controls = test_controls
        self.own_tmp = tmp is None
        self.tmp = tmp or tempfile.mkdtemp(prefix="sevu-e2e-")
        self.own_db = db is None and BACKEND == "postgres"
        self.db = db or new_db(self.tmp)
        self.proc = None
        self.output = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self.own_db:
            drop_database(self.db)

    def start(self):
        args = [SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--hook-listen", "127.0.0.1:0",
                "--db", self.db]
        if self.demo:
            args.append("--demo")
        if self.test_controls:
            args.append("--test-controls")
        args += self.extra_args
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=env)
        self.api_url = self.hook_url = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (self.api_url and self.hook_url):
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("sevu-server exited: " + "".join(self.output))
            self.output.append(line)
            m = re.search(r"(api|hooks) listening on (https?://\S+)", line)
            if m:
                if m.group(1) == "api":
                    self.api_url = m.group(2)
                else:
                    self.hook_url = m.group(2)
        if not (self.api_url and self.hook_url):
            raise RuntimeError("sevu-server did not start: " + "".join(self.output))
        # Keep draining the output so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        if self.demo and not self.demo_ticket:
            self._delete_demo_ticket()

    def _delete_demo_ticket(self):
        # Straight in the database (WAL: beside the running server), not through the API:
        # an API request would show in the metrics and hold a connection that tests of
        # connection limits count. Nothing has read the ticket yet, so nothing caches it.
        if is_postgres(self.db):
            psql(self.db, f"DELETE FROM tickets WHERE cdn_id = {int(DEMO['cdn'])}"
                          f" AND key = '{DEMO_TICKET['key']}'")
            return
        conn = sqlite3.connect(self.db, timeout=30)
        try:
            conn.execute("DELETE FROM tickets WHERE cdn_id = ? AND key = ?",
                         (DEMO["cdn"], DEMO_TICKET["key"]))
            conn.commit()
        finally:
            conn.close()

    def _drain(self):
        for line in self.proc.stdout:
            self.output.append(line)

    def wait_for_output(self, pattern, timeout=10):
        """The first line of the server's output matching `pattern`, waiting for it: a line
        the server logs after an event reaches self.output through the drain thread, some
        time after the event itself shows (a busy machine may not run that thread for a
        while). None when none came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.output):
                if re.search(pattern, line):
                    return line
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    @property
    def api_port(self):
        return int(self.api_url.rsplit(":", 1)[1])

    @property
    def hook_port(self):
        return int(self.hook_url.rsplit(":", 1)[1])

    def cli(self, *args, check=True):
        p = subprocess.run([SERVER_BIN, *args, "--db", self.db], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"sevu-server {' '.join(args)} failed: {p.stderr}")
        return p

    def create_account(self, username, **opts):
        args = ["account", "create", "--username", username]
        for k, v in opts.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        a = json.loads(self.cli(*args).stdout)
        return dict(cdn=a["cdn_id"], username=a["username"], api_key=a["api_key"], secret=a["secret"])

    def test_headers(self):
        return {"X-Sevu-Hook-Token": self.hook_token} if self.hook_token else {}

    def set_clock(self, now):
        return request("POST", self.hook_url + "/test/clock", json.dumps({"now": now}).encode(),
                       self.test_headers())

    def advance_clock(self, seconds):
        return request("POST", self.hook_url + "/test/clock", json.dumps({"advance": seconds}).encode(),
                       self.test_headers())


def php_json_encode(value):
    """The bytes PHP's json_encode() produces (default flags)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # PHP: 2.0 -> 2, 1e100 -> 1.0e+100
        r = repr(value)
        if "e" in r:
            mantissa, exp = r.split("e")
            mantissa += "" if "." in mantissa else ".0"
            return f"{mantissa}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"
        return r[:-2] if r.endswith(".0") else r
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            o = ord(ch)
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "/":
                out.append("\\/")
            elif ch == "\b":
                out.append("\\b")
            elif ch == "\f":
                out.append("\\f")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif o < 0x20 or (0x7F < o < 0x10000):
                out.append("\\u%04x" % o)
            elif o >= 0x10000:
                o -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(php_json_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(php_json_encode(str(k)) + ":" + php_json_encode(v)
                              for k, v in value.items()) + "}"
    raise TypeError(type(value))


def signature_of(text, secret):
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def sign(req, secret):
    out = dict(req)
    out["signature"] = signature_of(php_json_encode(req), secret)
    return out


def encode_body(json_text, encoding):
    """(body bytes, content type) the way each kind of client sends the request."""
    if encoding == "multipart":
        boundary = "------------------------" + uuid.uuid4().hex[:16]
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n"
                f"{json_text}\r\n--{boundary}--\r\n").encode()
        return body, "multipart/form-data; boundary=" + boundary
    if encoding == "urlencoded":
        return ("json=" + urllib.parse.quote_plus(json_text)).encode(), "application/x-www-form-urlencoded"
    if encoding == "json":
        return json_text.encode(), "application/json"
    raise ValueError(encoding)


_used_timestamps = set()


def fresh_timestamp(*request):
    """The current second, unless this request (whatever identifies it) already went out
    with it: then the latest earlier second it has not had. Identical requests within one
    second carry identical signatures, and a repeated write answers its first reply instead
    of running (docs/legacy-api.md); stepping back stays well inside the 300 s window.
    Every test that signs takes its timestamps here: a scheme of its own (now minus a call
    counter) gave the same second to two calls that straddled a second's turn."""
    ts = int(time.time())
    while (request, ts) in _used_timestamps:
        ts -= 1
    _used_timestamps.add((request, ts))
    return ts


def legacy_request(command, fields, account=DEMO, timestamp=None):
    """The request dict in the upstream examples' key order. Without an explicit
    timestamp, a fresh one for this very request (same account, command and fields), so
    that a request meant to run again is not taken for a repeat. An explicit timestamp is
    remembered too, so that a later call without one does not repeat it by chance."""
    ident = (account["cdn"], account["api_key"], command, json.dumps(fields, sort_keys=True))
    if timestamp is None:
        timestamp = fresh_timestamp(*ident)
    else:
        _used_timestamps.add((ident, timestamp))
    req = {"command": command, "api_key": account["api_key"], "timestamp": timestamp,
           "cdn": account["cdn"]}
    req.update(fields)
    return req


def legacy(srv, command, fields=None, account=DEMO, encoding="multipart", timestamp=None, sign_it=True,
           secret=None):
    req = legacy_request(command, fields or {}, account, timestamp)
    if sign_it:
        req = sign(req, secret or account["secret"])
    return post_legacy_text(srv, php_json_encode(req), encoding)


def post_legacy_text(srv, json_text, encoding="multipart"):
    body, ctype = encode_body(json_text, encoding)
    status, _, data = post_raw(srv.api_url + "/stable/", body, ctype)
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode(errors="replace")


def post_raw(url, body, content_type):
    return request("POST", url, body, {"Content-Type": content_type})


def request(method, url, body=None, headers=None, auth=None, timeout=30):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    hdrs = dict(headers or {})
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        hdrs["Authorization"] = "Basic " + token
    path = u.path + ("?" + u.query if u.query else "")
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def seed_attempts(srv, attempts):
    lines = "".join(json.dumps(a) + "\n" for a in attempts)
    p = subprocess.run([SEED_BIN, srv.db], input=lines, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("seed failed: " + p.stderr)
    return int(p.stdout.strip())


def new_ticket(srv, account=DEMO, **fields):
    """Creates a ticket through sevu.request; returns the ticket dict of the reply."""
    f = {"app": "demo-origin", "video": "mystream", "pass": "secretpass123", "ip": "", "uses": 5,
         "expire": "+1 day"}
    f.update(fields)
    status, reply = legacy(srv, "sevu.request", f, account=account)
    assert status == 200 and reply.get("code") == 2002, reply
    return reply["ticket"]


class Signed:
    """One signed legacy request, fixed once: every send() posts the same JSON text, so a
    write sent again is a repeat (docs/legacy-api.md, repeated requests)."""

    def __init__(self, command, fields, account=DEMO):
        # A fresh timestamp, so that it repeats only itself, never an earlier call.
        req = legacy_request(command, fields, account=account)
        self.text = php_json_encode(sign(req, account["secret"]))
        self.body, self.ctype = encode_body(self.text, "multipart")

    def send(self, srv):
        """The reply as text without its handle_time (which may differ), and parsed."""
        status, _, data = post_raw(srv.api_url + "/stable/", self.body, self.ctype)
        check(status == 200, (status, data))
        return without_time(data.decode()), json.loads(data)

    def send_as(self, srv, encoding):
        """The same JSON text in another transport: still the same request."""
        status, reply = post_legacy_text(srv, self.text, encoding)
        check(status == 200, (status, reply))
        return reply


def without_time(text):
    m = re.search(r',"handle_time":"\d+\.\d{4} seconds"}$', text)
    check(m, f"no handle_time at the end: {text}")
    return text[:m.start()]


def read_until_closed(sock, timeout=10):
    """(bytes received, closed?) once the server closes or resets the connection, or `timeout`
    passes: for raw-socket tests that must see exactly what the server sent before closing."""
    sock.settimeout(timeout)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks), True
            chunks.append(data)
    except ConnectionResetError:  # a refused connection may be reset rather than closed
        return b"".join(chunks), True
    except socket.timeout:
        pass
    return b"".join(chunks), False


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)


def main(namespace):
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = sys.argv[1:]
    passed = failed = 0
    for name, fn in tests:
        if only and name not in only:
            continue
        if BACKEND != "sqlite" and getattr(fn, "sqlite_only", None):
            print(f"SKIP {name} on {BACKEND}: {fn.sqlite_only}", flush=True)
            continue
        start = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"PASS {name} ({time.monotonic() - start:.2f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {name}", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed or not passed else 0)
