"""End to end: the v2 object API (/v2/...) over real HTTP against a real sevu-server.

Covers every route and every error code of docs/v2-api.md, runs the upstream page's
curl examples (quoted in docs/v2-api.md) through the real curl binary, checks that
tickets are shared with the legacy command API both ways, and that
docs/openapi.yaml lists exactly the routes and methods the server serves.
"""

import base64
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse

import harness
from harness import DEMO, check, legacy

DEMO_AUTH = (DEMO["cdn"], DEMO["secret"])
KEY_RE = re.compile(r"^[A-Za-z0-9_-]+\.[0-9a-f]{14}\.[0-9]{8}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
TOKEN_FIELDS = ["id", "cdn_id", "key", "pass", "ip", "video", "app", "uses", "active",
                "created_date", "expire_date", "used_date"]
ATTEMPT_FIELDS = ["id", "datetime", "key", "pass", "ip", "video", "app", "appinst", "pageurl",
                  "refurl", "success", "reason", "server_ip"]
# The upstream page's create body (docs/v2-api.md), with the app prefix made the demo account's.
EXAMPLE_CREATE_BODY = {
    "pass": "user123|randomdata",
    "ip": "auto/24|auto/24",
    "video": "my_video.mp4|my_folder/*",
    "app": "demo-*",
    "uses": 999,
    "active": True,
    "expire_date": "2019-12-24 23:59:59",
}
SIMPLE_BODY = {"pass": "pw", "video": "mystream", "app": "demo-origin", "uses": 5}


def v2(srv, method, path, body=None, headers=None, auth=DEMO_AUTH):
    """(status, headers, parsed JSON or None). body: dict/list -> JSON, str/bytes as is."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    status, hdrs, data = harness.request(method, srv.api_url + path, body, headers, auth=auth)
    parsed = None
    if data:
        check(hdrs.get("content-type") == "application/json", hdrs)
        parsed = json.loads(data.decode("utf-8"))
    return status, hdrs, parsed


def expect_error(reply, status, error, field=None):
    st, hdrs, body = reply
    check(st == status, f"expected {status} {error}, got {st} {body}")
    check(isinstance(body, dict) and body.get("error") == error, f"expected {error}: {body}")
    check(isinstance(body.get("message"), str) and body["message"], body)
    # docs/v2-api.md, Errors: {"error", "message", "field"}; field is null when no one field is concerned.
    check(list(body.keys()) == ["error", "message", "field"], f"error members: {body}")
    check(body["field"] == field, f"expected field {field}: {body}")
    return hdrs


def check_token(obj, children=False):
    names = list(obj.keys())
    check(names[:12] == TOKEN_FIELDS, names)
    check(len(names) == (13 if children else 12), names)
    check(type(obj["id"]) is int, obj)
    check(isinstance(obj["cdn_id"], str) and obj["cdn_id"].isdigit(), obj)
    for f in ("key", "pass", "ip", "video", "app"):
        check(isinstance(obj[f], str), (f, obj))
    check(type(obj["uses"]) is int, obj)
    check(type(obj["active"]) is bool, obj)
    for f in ("created_date", "expire_date", "used_date"):
        check(DATE_RE.match(obj[f]), (f, obj))
    check(KEY_RE.match(obj["key"]), obj["key"])
    if children:
        check(isinstance(obj["sevu_attempt"], list), obj)
        for a in obj["sevu_attempt"]:
            check_attempt(a)


def check_attempt(obj):
    check(list(obj.keys()) == ATTEMPT_FIELDS, list(obj.keys()))
    check(type(obj["id"]) is int, obj)
    check(type(obj["success"]) is bool, obj)
    for f in ATTEMPT_FIELDS:
        if f not in ("id", "success"):
            check(isinstance(obj[f], str), (f, obj))
    check(DATE_RE.match(obj["datetime"]), obj)


def send_declared_body(url, path, length, auth):
    """Sends only the request head declaring a body of `length` bytes and reads the reply:
    the server must answer (413) before the body arrives."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.putrequest("PUT", path)
        token = base64.b64encode(("%s:%s" % auth).encode()).decode()
        conn.putheader("Authorization", "Basic " + token)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        conn.send(b'{"pass": "')
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def create(srv, body=None, auth=DEMO_AUTH):
    st, hdrs, obj = v2(srv, "PUT", "/v2/sevu_token", body or SIMPLE_BODY, auth=auth)
    check(st == 201, (st, obj))
    check_token(obj)
    check(hdrs.get("location") == "/v2/sevu_token/" + obj["key"], hdrs)
    return obj


def seed(key, when, success, reason, cdn=DEMO["cdn"]):
    """One attempt row for harness.seed_attempts."""
    return {"cdn": cdn, "key": key, "datetime": when, "ip": "10.1.2.3", "video": "mystream",
            "app": "demo-origin", "appinst": "_definst_", "pageurl": "https://example.com/p",
            "refurl": "https://example.com/", "pass": "pw", "success": 1 if success else 0,
            "reason": reason, "server": "SER1-1"}


# --- authentication -----------------------------------------------------------------

def test_auth_required_everywhere():
    with harness.Server() as srv:
        for auth in (None, (DEMO["cdn"], "0" * 64), (DEMO["cdn"], DEMO["secret"] + "x"),
                     (999999, DEMO["secret"]), ("demo", DEMO["secret"])):
            for method, path in (("GET", "/v2/sevu_token"), ("PUT", "/v2/sevu_token"),
                                 ("GET", "/v2/sevu_token/k.1.2"), ("DELETE", "/v2/sevu_token/k"),
                                 ("GET", "/v2/sevu_attempt/k"), ("GET", "/v2/nothing"),
                                 ("PATCH", "/v2/sevu_token")):
                hdrs = expect_error(v2(srv, method, path, auth=auth), 401, "UNAUTHORIZED")
                check(hdrs.get("www-authenticate") == 'Basic realm="sevu"', hdrs)
        st, hdrs, _ = v2(srv, "GET", "/v2/sevu_token", headers={"Authorization": "Bearer x"},
                         auth=None)
        check(st == 401 and "www-authenticate" in hdrs)
        st, _, body = v2(srv, "GET", "/v2/sevu_token")
        check(st == 200 and body == [], body)


def test_disabled_account_and_rotated_secret():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        auth = (acme["cdn"], acme["secret"])
        check(v2(srv, "GET", "/v2/sevu_token", auth=auth)[0] == 200)
        srv.cli("account", "disable", "--cdn-id", str(acme["cdn"]))
        expect_error(v2(srv, "GET", "/v2/sevu_token", auth=auth), 401, "UNAUTHORIZED")
        srv.cli("account", "enable", "--cdn-id", str(acme["cdn"]))
        check(v2(srv, "GET", "/v2/sevu_token", auth=auth)[0] == 200)
        rotated = json.loads(srv.cli("account", "rotate-secret", "--cdn-id", str(acme["cdn"])).stdout)
        expect_error(v2(srv, "GET", "/v2/sevu_token", auth=auth), 401, "UNAUTHORIZED")
        check(v2(srv, "GET", "/v2/sevu_token", auth=(acme["cdn"], rotated["secret"]))[0] == 200)


# --- routing --------------------------------------------------------------------------

def test_unknown_routes_and_wrong_methods():
    with harness.Server() as srv:
        for path in ("/v2", "/v2/", "/v2/nothing", "/v2/sevu_token/", "/v2/sevu_attempt",
                     "/v2/sevu_token/k/sevu_attempt/x", "/v2/sevu_token/k/other"):
            expect_error(v2(srv, "GET", path), 404, "NOT_FOUND")
        for method, path, allow in (("POST", "/v2/sevu_token", "GET, PUT"),
                                    ("DELETE", "/v2/sevu_token", "GET, PUT"),
                                    ("PUT", "/v2/sevu_token/k", "GET, POST, DELETE"),
                                    ("PATCH", "/v2/sevu_token/k", "GET, POST, DELETE"),
                                    ("POST", "/v2/sevu_token/k/sevu_attempt", "GET"),
                                    ("DELETE", "/v2/sevu_attempt/k", "GET")):
            hdrs = expect_error(v2(srv, method, path, body="{}"), 405, "METHOD_NOT_ALLOWED")
            check(hdrs.get("allow") == allow, (method, path, hdrs))


def test_head_is_get_without_a_body():
    with harness.Server() as srv:
        key = harness.new_ticket(srv)["key"]
        for path in ("/v2/sevu_token/" + key, "/v2/sevu_token?limit=1", "/v2/sevu_attempt/" + key):
            got = harness.request("GET", srv.api_url + path, auth=DEMO_AUTH)
            head = harness.request("HEAD", srv.api_url + path, auth=DEMO_AUTH)
            check(got[0] == 200 and head[0] == 200 and head[2] == b"", (path, got[0], head))
            check(head[1].get("content-length") == str(len(got[2])), (path, head[1]))
        check(harness.request("HEAD", srv.api_url + "/v2/sevu_token/nope", auth=DEMO_AUTH)[0] == 404)
        check(harness.request("HEAD", srv.api_url + "/v2/sevu_token/" + key)[0] == 401)


# --- create ---------------------------------------------------------------------------

def test_create_shape_and_defaults():
    with harness.Server() as srv:
        srv.set_clock("2030-01-01 00:00:00")
        obj = create(srv, EXAMPLE_CREATE_BODY)
        check(obj["cdn_id"] == "158")
        for f in ("pass", "ip", "video", "app", "uses", "active", "expire_date"):
            check(obj[f] == EXAMPLE_CREATE_BODY[f], (f, obj))
        check(obj["key"].startswith("my_video_mp4_my_folder__."), obj)
        check(obj["used_date"] == "0000-00-00 00:00:00")
        check(obj["created_date"].startswith("2030-01-01 00:00:"), obj)

        d = create(srv, SIMPLE_BODY)
        check(d["ip"] == "" and d["active"] is True, d)
        check(d["expire_date"].startswith("2030-01-08 00:00:"), d)  # default +1 week
        check(d["id"] != obj["id"])

        # active as 0/1 numbers, ISO 8601 and relative expiry.
        z = create(srv, dict(SIMPLE_BODY, active=0, expire_date="2031-02-03T04:05:06Z"))
        check(z["active"] is False and z["expire_date"] == "2031-02-03 04:05:06", z)
        r = create(srv, dict(SIMPLE_BODY, active=1, expire_date="+2 days"))
        check(r["active"] is True and r["expire_date"].startswith("2030-01-03 00:00:"), r)
        # The first second of 1970 is a date like any other (an early expiry), not "never".
        for epoch in (0, "@0", "1970-01-01 00:00:00"):
            e = create(srv, dict(SIMPLE_BODY, expire_date=epoch))
            check(e["expire_date"] == "1970-01-01 00:00:00", (epoch, e))
        st, reply = harness.legacy(srv, "sevu.status", {"key": e["key"]})
        check(reply["ticket"]["expire_date"] == "1970-01-01 00:00:00", reply)


def test_create_errors():
    with harness.Server() as srv:
        base = SIMPLE_BODY
        cases = [
            (dict(base, id=1), 403, "ACCESS_VIOLATION", "id"),
            (dict(base, cdn_id="158"), 403, "ACCESS_VIOLATION", "cdn_id"),
            (dict(base, key="x.y.z"), 403, "ACCESS_VIOLATION", "key"),
            (dict(base, created_date="2020-01-01 00:00:00"), 403, "ACCESS_VIOLATION", "created_date"),
            (dict(base, used_date="2020-01-01 00:00:00"), 403, "ACCESS_VIOLATION", "used_date"),
            ({k: v for k, v in base.items() if k != "pass"}, 400, "REQUIRED_FIELD", "pass"),
            ({k: v for k, v in base.items() if k != "video"}, 400, "REQUIRED_FIELD", "video"),
            ({k: v for k, v in base.items() if k != "app"}, 400, "REQUIRED_FIELD", "app"),
            ({k: v for k, v in base.items() if k != "uses"}, 400, "REQUIRED_FIELD", "uses"),
            (dict(base, **{"pass": ""}), 400, "REQUIRED_FIELD", "pass"),
            (dict(base, uses="5"), 400, "TYPE_MISMATCH", "uses"),
            (dict(base, uses=5.5), 400, "TYPE_MISMATCH", "uses"),
            (dict(base, ip=None), 400, "TYPE_MISMATCH", "ip"),
            (dict(base, video=["a"]), 400, "TYPE_MISMATCH", "video"),
            (dict(base, active="yes"), 400, "TYPE_MISMATCH", "active"),
            (dict(base, expire_date=12.5), 400, "TYPE_MISMATCH", "expire_date"),
            (dict(base, uses=0), 400, "INVALID_VALUE", "uses"),
            (dict(base, uses=-2), 400, "INVALID_VALUE", "uses"),
            (dict(base, active=3), 400, "INVALID_VALUE", "active"),
            (dict(base, expire_date="someday"), 400, "INVALID_VALUE", "expire_date"),
            (dict(base, **{"option:children": "all"}), 400, "INVALID_VALUE", "option:children"),
            (dict(base, app="username-*"), 400, "APP_INVALID", "app"),
            (dict(base, app="demo-a|other-*"), 400, "APP_INVALID", "app"),
            (dict(base, colour="red"), 400, "UNKNOWN_FIELD", "colour"),
        ]
        for body, status, error, field in cases:
            expect_error(v2(srv, "PUT", "/v2/sevu_token", body), status, error, field)
        for raw in ("", "{", "[1]", '"x"', '{"pass":"p"} trailing',
                    '{"pass":"p","video":"v","app":"demo-a","uses":1,"uses":2}'):
            field = "uses" if raw.count('"uses"') == 2 else None
            expect_error(v2(srv, "PUT", "/v2/sevu_token", raw), 400, "INVALID_JSON", field)
        expect_error(v2(srv, "PUT", "/v2/sevu_token?nope=1", SIMPLE_BODY), 400, "UNKNOWN_FIELD",
                     "nope")
        # Content types: curl's default for --data-binary is accepted, non-JSON types are not.
        for ctype in ("application/json", "application/json; charset=utf-8",
                      "application/x-www-form-urlencoded", "text/plain"):
            st, _, _ = v2(srv, "PUT", "/v2/sevu_token", SIMPLE_BODY, {"Content-Type": ctype})
            check(st == 201, ctype)
        for ctype in ("multipart/form-data; boundary=x", "text/html", "application/xml"):
            expect_error(v2(srv, "PUT", "/v2/sevu_token", SIMPLE_BODY, {"Content-Type": ctype}),
                         415, "UNSUPPORTED_MEDIA_TYPE")
        # Larger than the body limit (1 MiB by default): refused before it is read.
        st, body = send_declared_body(srv.api_url, "/v2/sevu_token", 2 << 20, DEMO_AUTH)
        check(st == 413 and body["error"] == "PAYLOAD_TOO_LARGE", (st, body))
        # None of the failures above created anything.
        st, _, listed = v2(srv, "GET", "/v2/sevu_token?limit=1000")
        check(st == 200 and len(listed) == 4, len(listed))


# --- get / update / delete ----------------------------------------------------------

def test_get_update_delete_and_isolation():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        acme_auth = (acme["cdn"], acme["secret"])
        mine = create(srv, SIMPLE_BODY)
        path = "/v2/sevu_token/" + mine["key"]
        theirs = create(srv, dict(SIMPLE_BODY, app="acme-live"), auth=acme_auth)

        st, _, got = v2(srv, "GET", path)
        check(st == 200 and got == mine, got)
        # Another account's token is exactly a missing one: same status, same body.
        missing = v2(srv, "GET", "/v2/sevu_token/no.such.key")
        foreign = v2(srv, "GET", "/v2/sevu_token/" + theirs["key"])
        expect_error(missing, 404, "NOT_FOUND")
        check(foreign[0] == 404 and foreign[2] == missing[2], foreign)
        for method, body in (("POST", {"active": False}), ("DELETE", None)):
            f = v2(srv, method, "/v2/sevu_token/" + theirs["key"], body)
            m = v2(srv, method, "/v2/sevu_token/no.such.key", body)
            check(f[0] == m[0] == 404 and f[2] == m[2], (f, m))
        check(v2(srv, "GET", "/v2/sevu_token/" + theirs["key"], auth=acme_auth)[2] == theirs)
        expect_error(v2(srv, "GET", path + "?bogus=1"), 400, "UNKNOWN_FIELD", "bogus")

        # Update: Normal fields only.
        st, _, upd = v2(srv, "POST", path, {"active": False, "expire_date": "2031-05-06 07:08:09"})
        check(st == 200, upd)
        check_token(upd)
        check(upd["active"] is False and upd["expire_date"] == "2031-05-06 07:08:09", upd)
        check(v2(srv, "GET", path)[2] == upd)
        st, _, same = v2(srv, "POST", path, {})
        check(st == 200 and same == upd)
        for field, value in (("pass", "x"), ("ip", ""), ("video", "v"), ("app", "demo-x"),
                             ("uses", 9), ("id", 1), ("cdn_id", "158"), ("key", "k"),
                             ("created_date", "2020-01-01 00:00:00"),
                             ("used_date", "2020-01-01 00:00:00")):
            expect_error(v2(srv, "POST", path, {field: value}), 403, "ACCESS_VIOLATION", field)
        expect_error(v2(srv, "POST", path, {"active": "no"}), 400, "TYPE_MISMATCH", "active")
        expect_error(v2(srv, "POST", path, {"active": 7}), 400, "INVALID_VALUE", "active")
        expect_error(v2(srv, "POST", path, {"expire_date": "later"}), 400, "INVALID_VALUE",
                     "expire_date")
        expect_error(v2(srv, "POST", path, {"nope": 1}), 400, "UNKNOWN_FIELD", "nope")
        expect_error(v2(srv, "POST", path, ""), 400, "INVALID_JSON")
        expect_error(v2(srv, "POST", path, "{nope"), 400, "INVALID_JSON")
        expect_error(v2(srv, "POST", path, {"active": True}, {"Content-Type": "text/html"}), 415,
                     "UNSUPPORTED_MEDIA_TYPE")
        check(v2(srv, "GET", path)[2] == upd)  # no failed update changed anything

        # Delete: 204 without a body, then gone.
        expect_error(v2(srv, "DELETE", path + "?force=1"), 400, "UNKNOWN_FIELD", "force")
        st, hdrs, body = v2(srv, "DELETE", path)
        check(st == 204 and body is None and hdrs.get("content-length") in (None, "0"), (st, hdrs))
        expect_error(v2(srv, "GET", path), 404, "NOT_FOUND")
        expect_error(v2(srv, "DELETE", path), 404, "NOT_FOUND")
        # The other account's token was never touched.
        check(v2(srv, "GET", "/v2/sevu_token/" + theirs["key"], auth=acme_auth)[2] == theirs)


# --- list -----------------------------------------------------------------------------

def test_list_filters_and_paging():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        a = create(srv, dict(SIMPLE_BODY, video="alpha", ip="1.2.3.4", uses=1))
        b = create(srv, dict(SIMPLE_BODY, video="beta gamma", app="demo-*", active=False))
        c = create(srv, dict(SIMPLE_BODY, video="alpha", uses=2))
        create(srv, dict(SIMPLE_BODY, app="acme-x"), auth=(acme["cdn"], acme["secret"]))

        def keys(query):
            st, _, body = v2(srv, "GET", "/v2/sevu_token" + query)
            check(st == 200 and isinstance(body, list), (query, st, body))
            for o in body:
                check_token(o)
            return [o["key"] for o in body]

        check(keys("") == [a["key"], b["key"], c["key"]])  # own tickets only, by id
        check(keys("?video=alpha") == [a["key"], c["key"]])
        check(keys("?video=beta+gamma") == [b["key"]])
        check(keys("?video=beta%20gamma") == [b["key"]])
        check(keys("?app=demo-%2A") == [b["key"]])
        check(keys("?ip=1.2.3.4") == [a["key"]])
        check(keys("?uses=2&video=alpha") == [c["key"]])
        check(keys("?active=false") == [b["key"]])
        check(keys("?active=1") == [a["key"], c["key"]])
        check(keys("?key=" + a["key"]) == [a["key"]])
        check(keys("?id=%d" % b["id"]) == [b["key"]])
        check(keys("?pass=pw&limit=2") == [a["key"], b["key"]])
        check(keys("?limit=2&offset=2") == [c["key"]])
        check(keys("?cdn_id=158") == [a["key"], b["key"], c["key"]])
        check(keys("?cdn_id=%d" % acme["cdn"]) == [])
        check(keys("?video=zzz") == [])
        # The date fields filter too (any date form expire_date accepts; one second).
        d = create(srv, dict(SIMPLE_BODY, video="delta", expire_date="2031-05-06 07:08:09"))
        e = create(srv, dict(SIMPLE_BODY, video="eps", expire_date="2031-05-06 07:08:09"))
        check(keys("?expire_date=2031-05-06+07:08:09") == [d["key"], e["key"]])
        check(keys("?expire_date=2031-05-06T07:08:09Z&offset=1") == [e["key"]])
        check(keys("?expire_date=2031-05-06%2007:08:10") == [])
        check(keys("?created_date=" + urllib.parse.quote(a["created_date"]) + "&key=" +
                   a["key"]) == [a["key"]])
        check(keys("?used_date=0000-00-00+00:00:00&video=delta") == [d["key"]])

        for query, error, field in (("?limit=0", "INVALID_VALUE", "limit"),
                                    ("?limit=1001", "INVALID_VALUE", "limit"),
                                    ("?offset=-1", "INVALID_VALUE", "offset"),
                                    ("?uses=x", "INVALID_VALUE", "uses"),
                                    ("?active=maybe", "INVALID_VALUE", "active"),
                                    ("?created_date=soon", "INVALID_VALUE", "created_date"),
                                    ("?expire_date=2030-02-30", "INVALID_VALUE", "expire_date"),
                                    ("?colour=red", "UNKNOWN_FIELD", "colour"),
                                    ("?video=a&video=b", "INVALID_QUERY", "video"),
                                    ("?video=%zz", "INVALID_QUERY", None)):
            expect_error(v2(srv, "GET", "/v2/sevu_token" + query), 400, error, field)


def test_list_default_and_maximum_page():
    with harness.Server() as srv:
        for i in range(101):
            create(srv, dict(SIMPLE_BODY, video="v%d" % i))
        check(len(v2(srv, "GET", "/v2/sevu_token")[2]) == 100)
        check(len(v2(srv, "GET", "/v2/sevu_token?limit=1000")[2]) == 101)
        check(len(v2(srv, "GET", "/v2/sevu_token?offset=100")[2]) == 1)


# --- attempts and children -------------------------------------------------------------

def test_attempt_routes_and_children():
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        t = create(srv, SIMPLE_BODY)
        other = create(srv, dict(SIMPLE_BODY, video="other"))
        key = t["key"]
        harness.seed_attempts(srv, [
            seed(key, "2030-01-01 00:00:05", False, "Invalid IP Address"),
            seed(key, "2030-01-01 00:00:01", True, "Success"),
            seed(key, "2030-01-01 00:00:03", False, "Wrong Application"),
            seed(other["key"], "2030-01-01 00:00:00", True, "Success"),
            seed(key, "2030-01-01 00:00:00", True, "Success", cdn=acme["cdn"]),
        ])
        for path in ("/v2/sevu_token/%s/sevu_attempt" % key, "/v2/sevu_attempt/" + key):
            st, _, rows = v2(srv, "GET", path)
            check(st == 200 and len(rows) == 3, (path, rows))
            for r in rows:
                check_attempt(r)
                check(r["key"] == key)
            check([r["datetime"][-2:] for r in rows] == ["01", "03", "05"], rows)  # oldest first
            check([r["success"] for r in rows] == [True, False, False])
            first = rows[0]
            check(first["ip"] == "10.1.2.3" and first["appinst"] == "_definst_" and
                  first["pageurl"] == "https://example.com/p" and first["server_ip"] == "SER1-1" and
                  first["reason"] == "Success" and first["pass"] == "pw", first)
            st, _, page = v2(srv, "GET", path + "?limit=1&offset=1")
            check(len(page) == 1 and page[0]["reason"] == "Wrong Application", page)
            expect_error(v2(srv, "GET", path + "?limit=5000"), 400, "INVALID_VALUE", "limit")
            expect_error(v2(srv, "GET", path + "?reason=x"), 400, "UNKNOWN_FIELD", "reason")

        # Children: query parameter or body member.
        st, _, with_children = v2(srv, "GET", "/v2/sevu_token/%s?option:children=sevu_attempt" % key)
        check(st == 200)
        check_token(with_children, children=True)
        check([a["datetime"] for a in with_children["sevu_attempt"]] ==
              [r["datetime"] for r in v2(srv, "GET", "/v2/sevu_attempt/" + key)[2]])
        check("sevu_attempt" not in v2(srv, "GET", "/v2/sevu_token/" + key)[2])
        check("sevu_attempt" not in
              v2(srv, "GET", "/v2/sevu_token/%s?option:children=none" % key)[2])
        st, _, in_body = v2(srv, "GET", "/v2/sevu_token/" + key, {"option:children": "sevu_attempt"})
        check(st == 200 and len(in_body["sevu_attempt"]) == 3, in_body)
        st, _, listed = v2(srv, "GET", "/v2/sevu_token?option:children=sevu_attempt")
        check(st == 200 and [len(o["sevu_attempt"]) for o in listed] == [3, 1], listed)
        st, _, upd = v2(srv, "POST", "/v2/sevu_token/" + key,
                        {"active": True, "option:children": "sevu_attempt"})
        check(st == 200 and len(upd["sevu_attempt"]) == 3, upd)
        st, _, made = v2(srv, "PUT", "/v2/sevu_token?option:children=sevu_attempt", SIMPLE_BODY)
        check(st == 201 and made["sevu_attempt"] == [], made)
        expect_error(v2(srv, "GET", "/v2/sevu_token/%s?option:children=x" % key), 400,
                     "INVALID_VALUE", "option:children")
        expect_error(v2(srv, "GET", "/v2/sevu_token/" + key, {"uses": 1}), 400, "UNKNOWN_FIELD",
                     "uses")

        # Scoping: the other account sees its own attempt only; the child route needs the ticket.
        acme_auth = (acme["cdn"], acme["secret"])
        check(len(v2(srv, "GET", "/v2/sevu_attempt/" + key, auth=acme_auth)[2]) == 1)
        expect_error(v2(srv, "GET", "/v2/sevu_token/%s/sevu_attempt" % key, auth=acme_auth), 404,
                     "NOT_FOUND")
        check(v2(srv, "GET", "/v2/sevu_attempt/no.such.key")[2] == [])
        # The log outlives the ticket.
        check(v2(srv, "DELETE", "/v2/sevu_token/" + key)[0] == 204)
        expect_error(v2(srv, "GET", "/v2/sevu_token/%s/sevu_attempt" % key), 404, "NOT_FOUND")
        check(len(v2(srv, "GET", "/v2/sevu_attempt/" + key)[2]) == 3)


def test_attempts_logged_by_the_usher_show_up():
    """A real playback check through the generic hook is logged and listed by v2."""
    with harness.Server() as srv:
        t = create(srv, dict(SIMPLE_BODY, uses=1))
        play = dict(key=t["key"], app="demo-origin", video="mystream", ip="10.9.8.7")
        st1, _, _ = harness.request("POST", srv.hook_url + "/hooks/check",
                                    json.dumps(dict(play, **{"pass": "pw"})).encode(),
                                    {"Content-Type": "application/json"})
        st2, _, _ = harness.request("POST", srv.hook_url + "/hooks/check",
                                    json.dumps(dict(play, **{"pass": "wrong"})).encode(),
                                    {"Content-Type": "application/json"})
        check(st1 == 200 and st2 == 403, (st1, st2))
        # Read your writes: the refusal's row is committed after its answer, but before any
        # API request made after that answer reads (docs/performance.md, Durability).
        st, _, rows = v2(srv, "GET", "/v2/sevu_token/%s/sevu_attempt" % t["key"])
        check(st == 200 and [r["reason"] for r in rows] == ["Success", "Invalid Auth Token"], rows)
        check(rows[0]["success"] is True and rows[1]["success"] is False)
        got = v2(srv, "GET", "/v2/sevu_token/" + t["key"])[2]
        check(got["uses"] == 0 and got["used_date"] != "0000-00-00 00:00:00", got)


# --- legacy interop ---------------------------------------------------------------------

def test_legacy_ticket_visible_through_v2():
    with harness.Server() as srv:
        made = harness.new_ticket(srv, ip="auto/24", uses=7, video="film.mp4")
        st, _, obj = v2(srv, "GET", "/v2/sevu_token/" + made["key"])
        check(st == 200, obj)
        check_token(obj)
        check(obj["cdn_id"] == "158")
        for f in ("key", "pass", "ip", "video", "app", "created_date", "used_date"):
            check(obj[f] == made[f], (f, obj, made))
        check(obj["uses"] == int(made["uses"]) == 7)
        check(obj["active"] is (made["active"] == "1"))
        # A legacy revoke shows in v2; a v2 update shows in legacy.
        st, reply = legacy(srv, "sevu.revoke", {"key": made["key"]})
        check(st == 200 and reply["status"] == "success", reply)
        check(v2(srv, "GET", "/v2/sevu_token/" + made["key"])[2]["active"] is False)
        v2(srv, "POST", "/v2/sevu_token/" + made["key"], {"active": True})
        st, reply = legacy(srv, "sevu.status", {"key": made["key"]})
        check(reply["ticket"]["active"] == "1", reply)


def test_v2_ticket_visible_through_legacy():
    with harness.Server() as srv:
        obj = create(srv, dict(SIMPLE_BODY, ip="10.0.0.0/8", uses=3,
                               expire_date="2031-01-01 00:00:00"))
        st, reply = legacy(srv, "sevu.status", {"key": obj["key"]})
        check(st == 200 and reply["status"] == "success", reply)
        t = reply["ticket"]
        for f in ("key", "pass", "ip", "video", "app", "created_date", "used_date", "expire_date"):
            check(t[f] == obj[f], (f, t, obj))
        check(t["uses"] == "3" and t["active"] == "1", t)
        v2(srv, "POST", "/v2/sevu_token/" + obj["key"], {"active": False})
        st, reply = legacy(srv, "sevu.status", {"key": obj["key"]})
        check(reply["ticket"]["active"] == "0", reply)
        # Deleted through v2: gone for legacy too.
        check(v2(srv, "DELETE", "/v2/sevu_token/" + obj["key"])[0] == 204)
        st, reply = legacy(srv, "sevu.status", {"key": obj["key"]})
        check(reply["status"] == "failure", reply)


# --- the spec page's curl examples -----------------------------------------------------

def curl(args):
    p = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 0, p.stderr)
    body, _, code = p.stdout.rpartition("\n")
    return int(code), body


def test_spec_curl_examples():
    """The four cURL examples of the upstream v2 page (docs/v2-api.md), as written except for the host and
    port, the request-body file, and the key (the spec's key is an example; the GET, POST and
    DELETE examples use the key the PUT example created)."""
    if shutil.which("curl") is None:
        raise AssertionError("curl is required for this test")
    user = "158:8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f"
    with harness.Server() as srv:
        base = srv.api_url
        tmp = tempfile.mkdtemp(prefix="sevu-curl-")
        try:
            create_body = os.path.join(tmp, "create.json")
            with open(create_body, "w") as f:  # the page's create body; app prefixed for demo
                f.write(json.dumps(EXAMPLE_CREATE_BODY, indent=4))
            update_body = os.path.join(tmp, "update.json")
            with open(update_body, "w") as f:  # the page's update body, unchanged
                f.write('{\n    "active": true,\n    "expire_date": "2019-12-24 23:59:59"\n}')

            # The page's create body exactly as written ("app": "username-*") is refused for
            # the demo account, whose prefix is "demo-".
            as_written = os.path.join(tmp, "as-written.json")
            with open(as_written, "w") as f:
                f.write(json.dumps(dict(EXAMPLE_CREATE_BODY, app="username-*"), indent=4))
            code, out = curl(["-X", "PUT", "--data-binary", "@" + as_written, "--user", user,
                              base + "/v2/sevu_token"])
            check(code == 400 and json.loads(out) == {
                "error": "APP_INVALID", "message": json.loads(out)["message"], "field": "app"},
                (code, out))

            # Create: curl -X PUT --data-binary @/path/to/request/body --user 158:... URL
            code, out = curl(["-X", "PUT", "--data-binary", "@" + create_body, "--user", user,
                              base + "/v2/sevu_token"])
            check(code == 201, (code, out))
            made = json.loads(out)
            check_token(made)
            for f, v in EXAMPLE_CREATE_BODY.items():
                check(made[f] == v, (f, made))
            key = made["key"]

            # Get: curl --user 158:... URL/{key}
            code, out = curl(["--user", user, base + "/v2/sevu_token/" + key])
            check(code == 200 and json.loads(out) == made, out)

            # Update: curl -X POST --data-binary @/path/to/request/body --user 158:... URL/{key}
            code, out = curl(["-X", "POST", "--data-binary", "@" + update_body, "--user", user,
                              base + "/v2/sevu_token/" + key])
            check(code == 200, (code, out))
            updated = json.loads(out)
            check_token(updated)
            check(updated["active"] is True and updated["expire_date"] == "2019-12-24 23:59:59")
            check({k: v for k, v in updated.items() if k not in ("active", "expire_date")} ==
                  {k: v for k, v in made.items() if k not in ("active", "expire_date")})

            # Delete: curl -X DELETE --user 158:... URL/{key}
            code, out = curl(["-X", "DELETE", "--user", user, base + "/v2/sevu_token/" + key])
            check(code == 204 and out == "", (code, out))
            code, out = curl(["--user", user, base + "/v2/sevu_token/" + key])
            check(code == 404 and json.loads(out)["error"] == "NOT_FOUND", out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# --- docs/openapi.yaml against the server --------------------------------------------------

HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"]


def openapi_routes(text):
    """{path: set(methods)} from the `paths:` section of an OpenAPI YAML file, read by
    indentation alone (block style: paths at 2 spaces, operations at 4)."""
    routes, in_paths, current = {}, False, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_paths = line.rstrip() == "paths:"
            continue
        if not in_paths:
            continue
        m = re.match(r"^ {2}(['\"]?)(/[^'\"]*)\1:\s*$", line)
        if m:
            current = m.group(2)
            routes[current] = set()
            continue
        m = re.match(r"^ {4}([a-z]+):", line)
        if m and current and m.group(1) in HTTP_METHODS:
            routes[current].add(m.group(1).upper())
    return routes


def test_openapi_matches_served_routes():
    with open(os.path.join(harness.SOURCE_DIR, "docs", "openapi.yaml")) as f:
        documented = openapi_routes(f.read())
    check(documented, "no paths found in docs/openapi.yaml")
    with harness.Server() as srv:
        served = {}
        for path in documented:
            served[path] = set()
            for method in HTTP_METHODS:
                method = method.upper()
                key = create(srv)["key"]  # a fresh ticket: DELETE may consume it
                # No session is live: DELETE of one answers 404, but not "no such route".
                url = path.replace("{key}", key).replace("{id}", "no-such-session")
                st, hdrs, body = v2(srv, method, url, "{}" if method in ("PUT", "POST") else None)
                check(st != 404 or ("{id}" in path and body["message"] != "no such route"),
                      (method, path, st, body))  # the path itself exists
                if st == 405:
                    allow = {m.strip() for m in hdrs.get("allow", "").split(",")}
                    check(allow == documented[path], (path, allow, documented[path]))
                else:
                    served[path].add(method)
        # HEAD is GET without its body (RFC 9110), wherever GET is served; not listed apart.
        for path, methods in served.items():
            check(("HEAD" in methods) == ("GET" in methods), (path, methods))
            methods.discard("HEAD")
        check(served == documented, (served, documented))
        # Nothing beyond the documented paths is served under /v2/.
        for path in ("/v2/sevu_attempt", "/v2/sevu_token/k/sevu_attempt/x", "/v2/stream_user",
                     "/v2/sevu_attempt/k/sevu_token"):
            expect_error(v2(srv, "GET", path), 404, "NOT_FOUND")


if __name__ == "__main__":
    harness.main(globals())
