"""The server as an operator sees it: CLI, limits, timeouts, graceful stop,
health endpoints, backup, migrations. Real processes, real sockets, real SQLite."""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time

import harness
from harness import DEMO, Server, check, legacy, request


def raw_connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s


def test_version_and_usage():
    p = subprocess.run([harness.SERVER_BIN, "--version"], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith("sevu-server "), p.stdout)
    p = subprocess.run([harness.SERVER_BIN, "serve", "--bogus"], capture_output=True, text=True)
    check(p.returncode == 2 and "unknown option --bogus" in p.stderr, p.stderr)


def test_demo_account_and_account_cli():
    with Server() as srv:
        accounts = [json.loads(l) for l in srv.cli("account", "list").stdout.splitlines()]
        demo = [a for a in accounts if a["cdn_id"] == 158]
        check(len(demo) == 1 and demo[0]["api_key"] == DEMO["api_key"] and demo[0]["secret"] == DEMO["secret"])

        acct = srv.create_account("acme_tv")
        check(len(acct["api_key"]) == 32 and acct["api_key"].isalnum() and acct["api_key"].upper() == acct["api_key"])
        check(len(acct["secret"]) == 64 and all(c in "0123456789abcdef" for c in acct["secret"]))
        status, reply = legacy(srv, "sevu.errorcount", {}, account=acct)
        check(reply["code"] == 2110, reply)

        # A taken username is refused without touching the existing account.
        p = srv.cli("account", "create", "--username", "acme_tv", check=False)
        check(p.returncode == 1 and "already taken" in p.stderr, p.stderr)
        p = srv.cli("account", "create", "--username", "Bad-Name", check=False)
        check(p.returncode == 2, p.stderr)

        # Rotating the secret: the old one stops working at once, the new one works.
        rotated = json.loads(srv.cli("account", "rotate-secret", "--cdn-id", str(acct["cdn"])).stdout)
        check(rotated["secret"] != acct["secret"])
        _, reply = legacy(srv, "sevu.errorcount", {}, account=acct)
        check(reply["code"] == 3, reply)
        _, reply = legacy(srv, "sevu.errorcount", {}, account=dict(acct, secret=rotated["secret"]))
        check(reply["code"] == 2110, reply)

        # A disabled account is refused (code 5, told only to a caller holding its secret).
        srv.cli("account", "disable", "--cdn-id", str(acct["cdn"]))
        _, reply = legacy(srv, "sevu.errorcount", {}, account=dict(acct, secret=rotated["secret"]))
        check(reply["code"] == 5 and reply["message"] == "Unauthorized Access to API", reply)
        _, reply = legacy(srv, "sevu.errorcount", {}, account=dict(acct, secret=acct["secret"]))
        check(reply["code"] == 3 and "Replayed" not in reply["message"], reply)
        p = srv.cli("account", "disable", "--cdn-id", "999999", check=False)
        check(p.returncode == 1 and "no account" in p.stderr)


def test_routes_and_methods():
    with Server() as srv:
        status, _, body = request("GET", srv.api_url + "/nope")
        check(status == 404 and json.loads(body)["error"] == "NOT_FOUND")
        status, _, body = request("GET", srv.api_url + "/stable/")
        check(status == 405, (status, body))
        status, _, body = request("GET", srv.hook_url + "/healthz")
        check(status == 200 and body == b"ok\n")
        status, _, body = request("GET", srv.hook_url + "/readyz")
        check(status == 200 and body == b"ready\n")
        status, _, body = request("GET", srv.hook_url + "/metrics")
        check(status == 200 and b"sevu_api_requests_total 2" in body, body)
        # The public listener does not serve the hook routes, and vice versa.
        status, _, _ = request("GET", srv.api_url + "/healthz")
        check(status == 404)
        status, _, _ = request("POST", srv.hook_url + "/stable/", b"json={}")
        check(status == 404)
        # The operator's routes only read: other methods are refused, not served.
        for method, path in (("POST", "/healthz"), ("PUT", "/readyz"), ("DELETE", "/metrics")):
            status, headers, body = request(method, srv.hook_url + path, b"")
            check(status == 405 and json.loads(body)["error"] == "METHOD_NOT_ALLOWED",
                  (method, path, status, body))
            check(headers.get("allow") == "GET, HEAD", headers)
        status, _, body = request("HEAD", srv.hook_url + "/healthz")
        check(status == 200 and body == b"", (status, body))


def test_test_clock_is_off_by_default():
    with Server(test_controls=False) as srv:
        status, _, _ = request("POST", srv.hook_url + "/test/clock", b'{"advance": 10}')
        check(status == 404)
    with Server() as srv:
        status, _, body = srv.set_clock("2031-01-02 03:04:05")
        check(status == 200 and json.loads(body)["now"] == "2031-01-02 03:04:05", body)
        # The clock runs on from the moment set (docs/operations.md), so a slow
        # (sanitized) run may see a second or two more than the 60 added.
        status, _, body = srv.advance_clock(60)
        check("2031-01-02 03:05:05" <= json.loads(body)["now"] < "2031-01-02 03:05:15", body)
        status, _, body = request("POST", srv.hook_url + "/test/clock", b'{"now": "not a date"}')
        check(status == 400)


def test_oversized_body_is_refused_before_it_is_read():
    with Server(["--max-body", "4096"]) as srv:
        s = raw_connect(srv.api_port)
        s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 50000000\r\n\r\n")
        # Not one body byte sent: the answer must come anyway.
        reply = harness.read_until_closed(s)[0]
        check(reply.startswith(b"HTTP/1.1 413"), reply[:100])
        s.close()
        # Chunked bodies that grow past the limit are cut off too.
        s = raw_connect(srv.api_port)
        s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"a" * 3000
        try:
            for _ in range(3):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass
        reply = harness.read_until_closed(s)[0]
        check(reply.startswith(b"HTTP/1.1 413"), reply[:100])
        # A body under the limit is served normally.
        status, _, _ = request("POST", srv.api_url + "/stable/", b"x" * 4000, {"Content-Type": "application/json"})
        check(status == 200)


def test_expect_100_continue():
    with Server() as srv:
        body = b'{"command":"nope"}'
        s = raw_connect(srv.api_port)
        s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        s.settimeout(5)
        interim = s.recv(4096)
        check(interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim)
        s.sendall(body)
        reply = b""
        while b'"code":0' not in reply:
            chunk = s.recv(4096)
            check(chunk, reply)
            reply += chunk
        check(reply.startswith(b"HTTP/1.1 200"), reply)
        s.close()


def test_slow_header_times_out_and_keepalive_works():
    with Server(["--header-timeout", "1", "--idle-timeout", "2"]) as srv:
        s = raw_connect(srv.api_port)
        s.sendall(b"GET /v2/sevu_token HTTP/1.1\r\nHo")
        start = time.monotonic()
        reply, closed = harness.read_until_closed(s, timeout=8)
        check(closed and reply == b"" and time.monotonic() - start < 6,
              (reply, closed, time.monotonic() - start))

        # Two requests on one connection; then the idle connection is closed.
        s = raw_connect(srv.api_port)
        req = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req)
        time.sleep(0.3)
        s.sendall(req)
        time.sleep(0.3)
        s.settimeout(5)
        data = b""
        while data.count(b"HTTP/1.1 404") < 2:
            data += s.recv(65536)
        start = time.monotonic()
        rest, closed = harness.read_until_closed(s, timeout=8)
        check(closed and rest == b"" and time.monotonic() - start < 6,
              (rest, closed, time.monotonic() - start))


def read_answers(s, count, timeout=10):
    """The bytes of `count` answers on a keep-alive connection (each ends its JSON body)."""
    s.settimeout(timeout)
    data = b""
    while data.count(b"HTTP/1.1 ") < count or not data.endswith(b"}"):
        chunk = s.recv(65536)
        check(chunk, ("closed early", data))
        data += chunk
    return data


def test_every_request_on_a_connection_is_read_however_it_arrives():
    """The requests of one send, a request sent in pieces, one sent while the one before
    waits on a store worker, a body larger than one read, and a long keep-alive run are
    each answered once, in order."""
    with Server() as srv:
        wrong = b"GET /v2/sevu_token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic MTU4Ondyb25n\r\n\r\n"
        nope = b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        s = raw_connect(srv.api_port)
        s.sendall(wrong * 3 + nope)  # pipelined: three store hops, then one from memory
        data = read_answers(s, 4)
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
        check(statuses == [b"401", b"401", b"401", b"404"], data)

        for piece in (nope[:5], nope[5:20], nope[20:]):  # in pieces, with pauses
            s.sendall(piece)
            time.sleep(0.05)
        check(read_answers(s, 1).startswith(b"HTTP/1.1 404"))

        for pause in (0, 0.0005, 0.002):  # the next request while the last is on a store worker
            s.sendall(wrong)
            time.sleep(pause)
            s.sendall(nope)
            data = read_answers(s, 2)
            check(data.startswith(b"HTTP/1.1 401") and data.count(b"HTTP/1.1 404") == 1, data)

        body = b'{"command":"sevu.status","pad":"' + b"x" * 200000 + b'"}'
        s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        data = read_answers(s, 1)
        check(data.startswith(b"HTTP/1.1 200") and b'"code":' in data, data[:300])

        for _ in range(300):  # request, answer, request: the keep-alive run
            s.sendall(nope)
            check(read_answers(s, 1).startswith(b"HTTP/1.1 404"))
        s.close()


def test_connection_limit():
    with Server(["--max-connections", "2"]) as srv:
        a, b = raw_connect(srv.api_port), raw_connect(srv.api_port)
        time.sleep(0.3)
        c = raw_connect(srv.api_port)
        c.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        check(harness.read_until_closed(c, timeout=5)[0] == b"")  # closed without an answer
        a.close()
        b.close()
        time.sleep(0.3)
        status, _, _ = request("GET", srv.api_url + "/nope")
        check(status == 404)


def test_graceful_stop_answers_in_flight_requests():
    with Server() as srv:
        ticket = harness.new_ticket(srv)
        req = harness.sign(harness.legacy_request("sevu.status", {"key": ticket["key"]}), DEMO["secret"])
        body = harness.php_json_encode(req).encode()
        s = raw_connect(srv.api_port)
        s.sendall(b"POST /stable/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
        idle = raw_connect(srv.api_port)
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        # New connections are refused once the stop has begun.
        try:
            late = socket.create_connection(("127.0.0.1", srv.api_port), timeout=2)
            late.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            check(harness.read_until_closed(late, timeout=3)[0] == b"", "a new connection was served after SIGTERM")
        except OSError:
            pass
        check(harness.read_until_closed(idle, timeout=5)[0] == b"")  # idle keep-alive connection closed
        s.sendall(body[10:])
        reply = harness.read_until_closed(s)[0]
        check(reply.startswith(b"HTTP/1.1 200") and b'"code":2010' in reply, reply)
        check(srv.proc.wait(15) == 0)
        check(srv.wait_for_output("stopped"), "".join(srv.output))
        # The database was closed cleanly: the WAL was checkpointed away (SQLite's own file).
        check(harness.is_postgres(srv.db) or not os.path.exists(srv.db + "-wal"), "WAL left behind")


def test_acknowledged_ticket_survives_a_crash():
    with Server() as srv:
        ticket = harness.new_ticket(srv)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.start()
        _, reply = legacy(srv, "sevu.status", {"key": ticket["key"]})
        check(reply["code"] == 2010 and reply["ticket"]["key"] == ticket["key"], reply)


@harness.sqlite_only("the schema_migrations of the served SQLite file (test_cli_postgres backs a "
                     "PostgreSQL store up)")
def test_backup_and_migrations():
    with Server() as srv:
        ticket = harness.new_ticket(srv)
        dest = os.path.join(srv.tmp, "backup.db")
        p = subprocess.run([harness.SERVER_BIN, "backup", "--db", srv.db, dest], capture_output=True, text=True)
        check(p.returncode == 0, p.stderr)
        db = sqlite3.connect(dest)
        check(db.execute("SELECT count(*) FROM tickets WHERE key = ?", (ticket["key"],)).fetchone()[0] == 1)
        versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        db.close()
        check(versions and versions[0] == 1, versions)
        p = subprocess.run([harness.SERVER_BIN, "backup", "--db", srv.db, dest], capture_output=True, text=True)
        check(p.returncode != 0, "backup overwrote an existing file")

        # A restart on the same file applies nothing new and keeps the data.
        srv.stop()
        srv.start()
        _, reply = legacy(srv, "sevu.status", {"key": ticket["key"]})
        check(reply["code"] == 2010)
        srv.stop()
        db = sqlite3.connect(srv.db)
        check([r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")] == versions)
        # A database from a newer sevu-server is refused with a clear message.
        db.execute("INSERT INTO schema_migrations (version, name, applied) VALUES (9999, '9999_future.sql', 0)")
        db.commit()
        db.close()
        p = subprocess.run([harness.SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--hook-listen", "127.0.0.1:0",
                            "--db", srv.db], capture_output=True, text=True, timeout=20)
        check(p.returncode == 1 and "newer" in p.stderr and "9999" in p.stderr, p.stderr)


if __name__ == "__main__":
    harness.main(globals())
