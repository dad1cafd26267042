"""Deeply nested JSON on every route that reads JSON (docs/hooks.md, docs/v2-api.md,
docs/legacy-api.md): about 150,000 levels (a 300 KB body) once killed the process
through the hook routes. Every reader now refuses nesting deeper than one fixed
limit (32) with a 400 (legacy: with its envelope, code 6 naming json), and the
server keeps answering afterwards."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import DEMO, Server, check  # noqa: E402

DEPTH = 150000
LIMIT = 32


def nested(depth, inner=""):
    return "[" * depth + inner + "]" * depth


# The shapes an attacker sends: a bare array, and a member a decoder reads.
DEEP_BODIES = [nested(DEPTH), '{"key":' + nested(DEPTH) + "}",
               '{"a":' + "{\"a\":" * DEPTH + "1" + "}" * DEPTH + "}"]


def alive(srv):
    status, _, body = harness.request("GET", srv.hook_url + "/healthz")
    check(status == 200 and body == b"ok\n", (status, body))


def post_json(url, body, method="POST", auth=None):
    return harness.request(method, url, body.encode(), {"Content-Type": "application/json"},
                           auth=auth)


def expect_json_error(status, data, error):
    check(status == 400, (status, data[:200]))
    reply = json.loads(data)
    check(reply["error"] == error, reply)
    check("nested deeper" in reply["message"], reply)


def test_hook_routes_refuse_deep_json_and_survive():
    with Server() as srv:
        for route in ("/hooks/check", "/hooks/srs", "/hooks/mediamtx"):
            for body in DEEP_BODIES:
                status, _, data = post_json(srv.hook_url + route, body)
                expect_json_error(status, data, "BAD_REQUEST")
                alive(srv)


def test_hook_routes_read_json_up_to_the_limit():
    with Server() as srv:
        # The top object is one level; the member adds LIMIT - 1 more.
        at_limit = {"key": "k", "pass": "p", "ip": "10.0.0.1", "app": "demo-origin",
                    "video": "mystream", "extra": None}
        text = json.dumps(at_limit).replace("null", nested(LIMIT - 1))
        status, _, data = post_json(srv.hook_url + "/hooks/check", text)
        check(status == 403 and json.loads(data)["reason"] == "Invalid Auth Token", (status, data))
        over = json.dumps(at_limit).replace("null", nested(LIMIT))
        status, _, data = post_json(srv.hook_url + "/hooks/check", over)
        expect_json_error(status, data, "BAD_REQUEST")


def test_v2_routes_refuse_deep_json_and_survive():
    with Server() as srv:
        auth = (str(DEMO["cdn"]), DEMO["secret"])
        key = "mystream.53ffc996dd39d5.39102367"  # the demo's seeded ticket
        base = srv.api_url + "/v2/sevu_token"
        for method, url in (("PUT", base), ("POST", base + "/" + key), ("GET", base + "/" + key)):
            for body in DEEP_BODIES:
                status, _, data = post_json(url, body, method, auth)
                expect_json_error(status, data, "INVALID_JSON")
                alive(srv)


def test_routes_that_read_no_body_refuse_a_deep_one_and_do_nothing():
    """SPEC: nested too deep -> 400 on every route, also where the body is not read."""
    from test_console_api import login_demo
    with Server() as srv:
        auth = (str(DEMO["cdn"]), DEMO["secret"])
        key = harness.new_ticket(srv)["key"]
        deep = DEEP_BODIES[2]
        status, _, data = post_json(srv.api_url + "/v2/sevu_token/" + key, deep, "DELETE", auth)
        expect_json_error(status, data, "INVALID_JSON")
        status, _, data = harness.request("GET", srv.api_url + "/v2/sevu_token/" + key, auth=auth)
        check(status == 200 and json.loads(data)["active"] is True, (status, data))

        c = login_demo(srv)
        status, _, data = harness.request(
            "POST", srv.api_url + "/console/api/tickets/%s/revoke" % key, deep.encode(),
            {"Content-Type": "application/json", "Cookie": c.cookie, "X-CSRF-Token": c.me["csrf"]})
        expect_json_error(status, data, "INVALID_JSON")
        check(c.call("GET", "tickets/" + key)[1]["active"] is True)

        status, _, data = post_json(srv.hook_url + "/test/reset", deep)
        expect_json_error(status, data, "INVALID_JSON")
        status, _, data = harness.request("GET", srv.api_url + "/v2/sevu_token/" + key, auth=auth)
        check(status == 200, (status, data))
        # Within the limit, as before: the body is not read.
        status, _, _ = post_json(srv.api_url + "/v2/sevu_token/" + key, nested(LIMIT), "DELETE", auth)
        check(status == 204, status)

        # The GET routes that read no body: probes, the console's pages, and auth-request,
        # which makes no decision (no attempt is logged).
        for url in (srv.hook_url + "/healthz", srv.hook_url + "/readyz", srv.hook_url + "/metrics",
                    srv.api_url + "/console/"):
            status, _, data = post_json(url, deep, "GET")
            expect_json_error(status, data, "INVALID_JSON")
            status, _, _ = post_json(url, nested(LIMIT), "GET")
            check(status == 200, (url, status))
        viewer = harness.new_ticket(srv)["key"]
        headers = {"Content-Type": "application/json", "X-Real-IP": "10.0.0.1",
                   "X-Original-URI": "/demo-origin/mystream.m3u8?key=%s&pass=secretpass123" % viewer}
        status, _, data = harness.request("GET", srv.hook_url + "/hooks/auth-request", deep.encode(),
                                          headers)
        expect_json_error(status, data, "BAD_REQUEST")
        status, reply = harness.legacy(srv, "sevu.attempts", {"key": viewer})
        check(reply.get("code") == 2100, reply)  # nothing decided, nothing logged


def test_legacy_refuses_deep_json_with_code_6_and_survives():
    with Server() as srv:
        for body in DEEP_BODIES:
            for encoding in ("json", "multipart"):
                status, reply = harness.post_legacy_text(srv, body, encoding)
                check(status == 400 and reply["code"] == 6, (status, str(reply)[:200]))
                check(reply["status"] == "failure" and reply["message"].endswith(": json"), reply)
                alive(srv)
        # At the limit it is JSON like any other (here: no command); only beyond is it 400.
        at_limit = '{"a":' + nested(LIMIT - 1) + "}"
        status, reply = harness.post_legacy_text(srv, at_limit, "json")
        check(status == 200 and reply["code"] == 0, (status, reply))
        status, reply = harness.post_legacy_text(srv, '{"a":' + nested(LIMIT) + "}", "json")
        check(status == 400 and reply["code"] == 6, (status, reply))
        status, reply = harness.post_legacy_text(srv, '{"a":', "json")  # malformed: 200
        check(status == 200 and reply["code"] == 6, (status, reply))


def test_test_clock_refuses_deep_json_and_survives():
    with Server() as srv:
        for body in DEEP_BODIES:
            status, _, data = post_json(srv.hook_url + "/test/clock", body)
            expect_json_error(status, data, "INVALID_JSON")
            alive(srv)


if __name__ == "__main__":
    harness.main(globals())
