"""A ticket's ip rules are validated when it is created (docs/legacy-api.md, docs/v2-api.md):
`auto/33`, `0.0.0.0/33`, `1.2.3.4/abc` were stored and then denied everyone; `1.2.3.4|` and `|`
were stored and then let every address in. Every pipe-separated entry must be one of the
documented forms; only the whole field empty means any address. v2 cannot change ip later."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import DEMO, Server, check  # noqa: E402

AUTH = (str(DEMO["cdn"]), DEMO["secret"])
INVALID = ["auto/33", "0.0.0.0/33", "1.2.3.4/abc", "1.2.3.4|", "|", "|1.2.3.4", "1.2.3.4||5.6.7.8",
           "auto/0", "2001:db8::/129", "garbage", "1.2.3.4/", "auto/24|auto/99"]
VALID = ["", "1.2.3.4", "10.0.0.0/8|2001:db8::/32", "auto", "auto/24|auto/24", "auto/32",
         "0.0.0.0/0", "::/0", " 1.2.3.4 | 5.6.7.0/24 "]


def v2(srv, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    status, _, reply = harness.request(method, srv.api_url + path, data,
                                       {"Content-Type": "application/json"}, auth=AUTH)
    return status, json.loads(reply) if reply else None


def token_count(srv):
    status, tokens = v2(srv, "GET", "/v2/sevu_token")
    check(status == 200, tokens)
    return len(tokens)


def legacy_create(srv, ip):
    return harness.legacy(srv, "sevu.request",
                          {"app": "demo-origin", "video": "mystream", "pass": "pw", "ip": ip,
                           "uses": 5, "expire": "+1 day"})


def play(srv, key, client_ip):
    status, _, data = harness.request(
        "POST", srv.hook_url + "/hooks/check",
        json.dumps({"key": key, "pass": "pw", "ip": client_ip, "app": "demo-origin",
                    "video": "mystream"}).encode(), {"Content-Type": "application/json"})
    return status, json.loads(data)


def test_legacy_refuses_invalid_ip_rules_with_2001():
    with Server() as srv:
        before = token_count(srv)
        for ip in INVALID:
            status, reply = legacy_create(srv, ip)
            check(status == 200 and reply["code"] == 2001, (ip, reply))
            check(": ip entry " in reply["message"], reply)
        check(token_count(srv) == before, "an invalid ticket was stored")


def test_v2_refuses_invalid_ip_rules_with_400():
    with Server() as srv:
        before = token_count(srv)
        for ip in INVALID:
            status, body = v2(srv, "PUT", "/v2/sevu_token",
                              {"pass": "pw", "video": "mystream", "app": "demo-origin", "uses": 5,
                               "ip": ip})
            check(status == 400 and body["error"] == "INVALID_VALUE" and body["field"] == "ip",
                  (ip, status, body))
            check("ip entry" in body["message"], body)
        check(token_count(srv) == before, "an invalid ticket was stored")


def test_valid_ip_rules_are_taken_by_both_apis():
    with Server() as srv:
        for ip in VALID:
            status, reply = legacy_create(srv, ip)
            check(reply["code"] == 2002 and reply["ticket"]["ip"] == ip, (ip, reply))
            status, body = v2(srv, "PUT", "/v2/sevu_token",
                              {"pass": "pw", "video": "mystream", "app": "demo-origin", "uses": 5,
                               "ip": ip})
            check(status in (200, 201) and body["ip"] == ip, (ip, body))


def test_v2_update_cannot_change_ip():
    with Server() as srv:
        status, token = v2(srv, "PUT", "/v2/sevu_token",
                           {"pass": "pw", "video": "mystream", "app": "demo-origin", "uses": 5,
                            "ip": "1.2.3.4"})
        check(status in (200, 201), token)
        for ip in ("|", "", "5.6.7.8"):
            status, body = v2(srv, "POST", "/v2/sevu_token/" + token["key"], {"ip": ip})
            check(status == 403 and body["error"] == "ACCESS_VIOLATION" and body["field"] == "ip",
                  body)
        # The rule still holds for playback: the listed address only.
        check(play(srv, token["key"], "5.6.7.8")[1]["reason"] == "Invalid IP Address")
        check(play(srv, token["key"], "1.2.3.4")[1]["allowed"] is True)


def test_empty_field_admits_any_address():
    with Server() as srv:
        status, reply = legacy_create(srv, "")
        key = reply["ticket"]["key"]
        for client in ("9.9.9.9", "2001:db8::1"):
            status, decision = play(srv, key, client)
            check(status == 200 and decision["allowed"] is True, decision)


if __name__ == "__main__":
    harness.main(globals())
