"""Connection limits and malformed requests, over real sockets: each listener
keeps its own connection budget (a flood on the public API never reaches the
media servers' hook calls), one client address cannot take the whole public
budget, and malformed HTTP is answered 400 (unknown transfer codings 501)
before the connection closes (docs/operations.md)."""

import json
import re
import socket
import time

import harness
from harness import Server, check, request


def connect(port, source="127.0.0.1"):
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))


def served(port, source="127.0.0.1"):
    """True when a new connection from `source` gets an answer to a request."""
    s = connect(port, source)
    try:
        s.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return harness.read_until_closed(s, timeout=5)[0].startswith(b"HTTP/1.1 ")
    except (ConnectionResetError, BrokenPipeError):
        return False
    finally:
        s.close()


def hook_check(srv):
    body = json.dumps({"key": "nope", "pass": "nope", "ip": "10.1.2.3", "app": "demo-origin",
                       "video": "mystream"}).encode()
    start = time.monotonic()
    status, _, _ = request("POST", srv.hook_url + "/hooks/check", body,
                           {"Content-Type": "application/json"}, timeout=5)
    return status, time.monotonic() - start


def test_hooks_answer_while_the_public_api_is_full():
    with Server(["--max-connections", "50"]) as srv:
        # 50 half-open connections (and a few more) from several addresses: the
        # public API is full, as it was when an attacker held it for ever.
        idle = [connect(srv.api_port, f"127.0.0.{2 + i % 4}") for i in range(55)]
        time.sleep(0.5)
        check(not served(srv.api_port, "127.0.1.1"), "the public API should be full")
        status, took = hook_check(srv)
        check(status == 403 and took < 3, (status, took))  # an answer (deny: no such ticket)
        status, _, body = request("GET", srv.hook_url + "/healthz", timeout=5)
        check(status == 200 and body == b"ok\n", (status, body))
        for s in idle:
            s.close()
        time.sleep(0.5)
        check(served(srv.api_port), "the public API should serve again once the flood is gone")


def test_hook_listener_budget_is_its_own():
    with Server(["--hook-max-connections", "3"]) as srv:
        idle = [connect(srv.hook_port) for _ in range(3)]
        time.sleep(0.3)
        check(not served(srv.hook_port), "a 4th hook connection should be refused")
        check(served(srv.api_port), "the public API keeps its own budget")
        idle.pop().close()
        time.sleep(0.3)
        check(served(srv.hook_port))
        for s in idle:
            s.close()


def test_one_address_cannot_take_the_public_budget():
    with Server(["--max-connections-per-ip", "5"]) as srv:
        held = [connect(srv.api_port, "127.0.0.2") for _ in range(5)]
        time.sleep(0.3)
        check(not served(srv.api_port, "127.0.0.2"), "a 6th connection from one address is refused")
        check(served(srv.api_port, "127.0.0.3"), "another address still gets in")
        # The five held connections are alive and served.
        held[0].sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(harness.read_until_closed(held[0], timeout=5)[0].startswith(b"HTTP/1.1 404"))
        held.pop(0).close()
        time.sleep(0.3)
        check(served(srv.api_port, "127.0.0.2"), "a closed connection gives its place back")
        for s in held:
            s.close()


def exchange(port, wire):
    s = connect(port)
    try:
        s.sendall(wire)
        return harness.read_until_closed(s, timeout=5)[0]
    finally:
        s.close()


def post(headers, body=b""):
    return b"POST /v2/sevu_token HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n" + body


MALFORMED = {
    "Content-Length -1": post(b"Content-Length: -1\r\n"),
    "Content-Length 10^20": post(b"Content-Length: 100000000000000000000\r\n"),
    "two Content-Lengths": post(b"Content-Length: 2\r\nContent-Length: 3\r\n", b"abc"),
    "Content-Length and Transfer-Encoding": post(b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
                                                 b"0\r\n\r\n"),
    "chunked twice": post(b"Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n"),
    "chunked in HTTP/1.0": b"POST /v2/sevu_token HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunk size not hex": post(b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"),
    "chunk size too big": post(b"Transfer-Encoding: chunked\r\n", b"fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
    "chunk size negative": post(b"Transfer-Encoding: chunked\r\n", b"-1\r\nabc\r\n0\r\n\r\n"),
    "chunk without its CRLF": post(b"Transfer-Encoding: chunked\r\n", b"3\r\nabcX0\r\n\r\n"),
    "HTTP/1.2": b"GET /v2/sevu_token HTTP/1.2\r\nHost: x\r\n\r\n",
    "HTTP/2.0 in HTTP/1 syntax": b"GET /v2/sevu_token HTTP/2.0\r\nHost: x\r\n\r\n",
    "HTTP/0.9": b"GET /v2/sevu_token HTTP/0.9\r\nHost: x\r\n\r\n",
    "garbage request line": b"\x01\x02garbage here\r\n\r\n",
    "request line without version": b"HELLO\r\n\r\n",
    "NUL in a header": b"GET /v2/sevu_token HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "space before the colon": b"GET /v2/sevu_token HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
    "header line without colon": b"GET /v2/sevu_token HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
}


def check_refused(answer, status, error, what):
    head, _, body = answer.partition(b"\r\n\r\n")
    check(re.match(rb"HTTP/1\.[01] %d " % status, head), f"{what}: {answer[:120]!r}")
    # HTTP/1.0 answers close by default; HTTP/1.1 ones must say so.
    check(head.startswith(b"HTTP/1.0") or b"connection: close" in head.lower(), f"{what}: {head!r}")
    check(json.loads(body)["error"] == error, f"{what}: {body!r}")


def refusal_problems(port, cases, status, error):
    """Sends each case on its own connection; returns what went wrong, case by case."""
    problems = []
    for what, wire in cases.items():
        start = time.monotonic()
        answer = exchange(port, wire)  # returns once the server has closed (or after 5 s)
        try:
            check_refused(answer, status, error, what)
            check(time.monotonic() - start < 4, f"{what}: the connection was not closed")
        except (AssertionError, ValueError) as e:
            problems.append(str(e))
    return problems


def test_malformed_requests_are_answered_400_then_closed():
    with Server() as srv:
        problems = refusal_problems(srv.api_port, MALFORMED, 400, "BAD_REQUEST")
        # The hook listener reads requests the same way.
        hook_case = {"hooks": MALFORMED["two Content-Lengths"].replace(b"/v2/sevu_token", b"/hooks/check")}
        problems += refusal_problems(srv.hook_port, hook_case, 400, "BAD_REQUEST")
        check(not problems, "\n".join(problems))
        check(served(srv.api_port))


def test_unknown_transfer_codings_are_refused_with_501():
    with Server() as srv:
        cases = {te: post(b"Transfer-Encoding: " + te + b"\r\n", b"0\r\n\r\n")
                 for te in (b"gzip, chunked", b"gzip", b"identity")}
        problems = refusal_problems(srv.api_port, cases, 501, "NOT_IMPLEMENTED")
        hook_case = {"hooks": b"POST /hooks/srs HTTP/1.1\r\nHost: x\r\n"
                              b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"}
        problems += refusal_problems(srv.hook_port, hook_case, 501, "NOT_IMPLEMENTED")
        check(not problems, "\n".join(problems))


def test_well_formed_variants_are_still_served():
    with Server() as srv:
        ok = {
            "chunked": post(b"Transfer-Encoding: chunked\r\nConnection: close\r\n", b"2\r\n{}\r\n0\r\n\r\n"),
            "Chunked": post(b"Transfer-Encoding: Chunked\r\nConnection: close\r\n", b"0\r\n\r\n"),
            "chunk extension": post(b"Transfer-Encoding: chunked\r\nConnection: close\r\n",
                                    b"2;x=y\r\n{}\r\n0\r\n\r\n"),
            "same Content-Length twice": post(b"Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n",
                                              b"{}"),
            "HTTP/1.0": b"GET /v2/sevu_token HTTP/1.0\r\n\r\n",
        }
        for what, wire in ok.items():
            answer = exchange(srv.api_port, wire)
            check(answer.split(b"\r\n")[0] in (b"HTTP/1.1 401 Unauthorized", b"HTTP/1.0 401 Unauthorized"),
                  f"{what}: {answer[:100]!r}")
        # 413 and 431 stay as they were.
        check(exchange(srv.api_port, post(b"Content-Length: 99999999\r\n")).startswith(b"HTTP/1.1 413 "))
        check(exchange(srv.api_port, post(b"X-Big: " + b"a" * 70000 + b"\r\n")).startswith(b"HTTP/1.1 431 "))


if __name__ == "__main__":
    harness.main(globals())
