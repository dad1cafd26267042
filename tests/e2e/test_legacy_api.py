"""End to end: the legacy ticket commands (POST /stable/) over real HTTP against a real sevu-server.

sevu.request, sevu.status, sevu.revoke, sevu.attempts / sevu.errorlog / sevu.errorcount in all
three transports (multipart, urlencoded, raw JSON); every code of docs/legacy-api.md these
commands can answer over HTTP (4 and 2000 need a failing store and 1000 a full queue: the unit
tests force those); the check order; both signature forms; repeats; another account's ticket
looking exactly like an unknown key; attempt filters and paging over seeded attempts; and the
upstream PHP examples run by php-cli (tests/e2e/php/request.php, errorlog.php).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import harness
from harness import DEMO, check

PHP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "php")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[0-9a-f]{14}\.[0-9]{8}$")
TICKET_FIELDS = ["key", "pass", "ip", "video", "app", "created_date", "used_date", "uses", "active"]
ATTEMPT_FIELDS = ["key", "datetime", "ip", "video", "app", "appinst", "pageurl", "refurl", "success",
                  "reason", "server"]
ENCODINGS = ["multipart", "urlencoded", "json"]

M_AUTH = "CDN Authorization failed. Invalid API Key or not authorized for that account."
M_TIME = "Timestamp outside valid range. Make sure your timestamp is in UTC not local time"
M_SIG = "Failed HMAC-SHA256 Signature. Check your Private Key"
M_MISSING = "One or more required fields are missing: "
M_UNAUTHORIZED = "Unauthorized Access to API"

# A request sent again gets a timestamp it has not had yet (harness.fresh_timestamp);
# test_legacy_repeats.py repeats requests on purpose.
fresh_timestamp = harness.fresh_timestamp


def call(srv, command, fields=None, account=DEMO, encoding="multipart", **kw):
    kw.setdefault("timestamp", fresh_timestamp(srv.api_url, command, repr(account),
                                               json.dumps(fields, sort_keys=True)))
    status, reply = harness.legacy(srv, command, fields or {}, account=account, encoding=encoding,
                                   **kw)
    return checked(status, reply)


def checked(status, reply):
    check(status == 200, f"HTTP {status}: {reply}")
    check(isinstance(reply, dict), f"not a JSON object: {reply!r}")
    check(re.fullmatch(r"\d+\.\d{4} seconds", reply.get("handle_time", "")), reply)
    check(isinstance(reply.get("code"), int), f"code must be a JSON number: {reply}")
    return reply


def expect(reply, code, status, message=None):
    check(reply.get("code") == code, f"expected code {code}, got {reply}")
    check(reply.get("status") == status, f"expected {status}: {reply}")
    if message is not None:
        check(reply.get("message") == message, f"expected message {message!r}: {reply}")
    return reply


def post_text(srv, text, encoding="json"):
    return checked(*harness.post_legacy_text(srv, text, encoding))


def signed_text(req, secret=DEMO["secret"]):
    """PHP's json_encode of req with the signature appended, as the PHP example sends it."""
    return harness.php_json_encode(harness.sign(req, secret))


def without_time(reply):
    return {k: v for k, v in reply.items() if k != "handle_time"}


def future(days=1):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + days * 86400))


def ticket_fields(**over):
    f = {"app": "demo-origin", "video": "mystream", "pass": "unique_random_string_per_request",
         "ip": "", "uses": 5, "expire": future()}
    f.update(over)
    return f


def grant(srv, account=DEMO, encoding="multipart", **over):
    reply = expect(call(srv, "sevu.request", ticket_fields(**over), account=account,
                        encoding=encoding), 2002, "success",
                   "ScaleEngine Virtual Usher Ticket Granted")
    return reply["ticket"]


def run_php(srv, source_path, replacements=()):
    with open(source_path) as f:
        code = f.read()
    for old, new in replacements:
        check(old in code, f"{old!r} not in {source_path}")
        code = code.replace(old, new)
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as tmp:
        tmp.write(code)
    try:
        env = dict(os.environ, SEVU_STABLE_URL=srv.api_url + "/stable/")
        p = subprocess.run(["php", tmp.name], env=env, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(tmp.name)
    check(p.returncode == 0, f"php {source_path} failed: {p.stdout} {p.stderr}")
    return p.stdout


# --- the upstream examples ----------------------------------------------------------------------

def test_php_examples_run_unchanged():
    if shutil.which("php") is None:
        raise AssertionError("php-cli is required for this test")
    with harness.Server() as srv:
        out = run_php(srv, os.path.join(PHP_DIR, "request.php"),
                      [("2024-07-19 23:22:40", future(30))])
        m = re.fullmatch(r"\?key=(\S+)&pass=unique_random_string_per_request", out.strip())
        check(m and KEY_RE.match(m.group(1)) and m.group(1).startswith("mystream."), out)
        status = expect(call(srv, "sevu.status", {"key": m.group(1)}), 2010, "success")
        check(status["ticket"]["uses"] == "5" and status["ticket"]["app"] == "demo-origin", status)

        key = "mystream.53ffc996dd39d5.39102367"
        out = run_php(srv, os.path.join(PHP_DIR, "errorlog.php"))
        check("[code] => 2100" in out and "[status] => success" in out, out)
        check("[message] => ScaleEngine Virtual Usher Ticket was not used" in out, out)
        harness.seed_attempts(srv, [
            dict(cdn=158, key=key, datetime="2013-11-20 18:10:48", ip="1.1.1.1", video="myStream",
                 app="demo-origin", appinst="play", pageurl="http://", refurl="http://",
                 success=0, reason="Invalid IP Address", server="SER1-1"),
            dict(cdn=158, key=key, datetime="2014-09-16 08:00:00", ip="1.1.1.1", video="myStream",
                 app="demo-origin", appinst="play", pageurl="http://", refurl="http://",
                 success=0, reason="Invalid IP Address", server="SER1-1"),
        ])
        time.sleep(1.1)  # the example signs time(): the same second again would be a replay
        out = run_php(srv, os.path.join(PHP_DIR, "errorlog.php"))
        check("[code] => 2101" in out, out)
        check("[message] => ScaleEngine Virtual Usher Ticket uses found" in out, out)
        check("[datetime] => 2014-09-16 08:00:00" in out, out)
        check("2013-11-20" not in out, out)  # before starttime
        check("[reason] => Invalid IP Address" in out and "[server] => SER1-1" in out, out)


def test_signing_recipe_of_the_docs_runs():
    """The shell recipe of docs/legacy-api.md (Worked example) signs with a fresh timestamp and
    is accepted: not code 2 (stale) or 3 (signature), but the status of the example key."""
    with open(os.path.join(harness.SOURCE_DIR, "docs", "legacy-api.md")) as f:
        doc = f.read()
    blocks = re.findall(r"```sh\n(.*?)```", doc, re.S)
    recipe = [b for b in blocks if "TS=$(date +%s)" in b]
    check(len(recipe) == 1, blocks)
    check("http://127.0.0.1:8080/stable/" in recipe[0], recipe[0])
    with harness.Server() as srv:
        script = recipe[0].replace("http://127.0.0.1:8080/stable/", srv.api_url + "/stable/")
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, p.stderr)
        reply = json.loads(p.stdout)
        check(reply["code"] in (2010, 2011), reply)  # 2010 once --demo seeds the example ticket


def test_php_curl_other_encodings_and_escapes():
    """request.php with its POSTFIELDS swapped for the other ways PHP code posts: a raw JSON
    string (which curl labels as a form) and an http_build_query form; a video with '/' and
    non-ASCII, which json_encode escapes before signing."""
    if shutil.which("php") is None:
        raise AssertionError("php-cli is required for this test")
    with harness.Server() as srv:
        postfields = "array('json' => $json_request)"
        for i, fields in enumerate(["$json_request", "http_build_query(" + postfields + ")",
                                    postfields]):
            video = f"sestore3/demo/vid\u00e9o{i}*.mp4"
            out = run_php(srv, os.path.join(PHP_DIR, "request.php"),
                          [("2024-07-19 23:22:40", future(30)), (postfields, fields),
                           ("'video' => 'mystream'", f"'video' => '{video}'")])
            m = re.fullmatch(r"\?key=(\S+)&pass=unique_random_string_per_request", out.strip())
            check(m and KEY_RE.match(m.group(1)), out)
            check(m.group(1).startswith("sestore3_demo_vid"), out)
            s = expect(call(srv, "sevu.status", {"key": m.group(1)}), 2010, "success")
            check(s["ticket"]["video"] == video, s)


# --- commands ---------------------------------------------------------------------------------------

def test_request_status_revoke_in_every_encoding():
    with harness.Server() as srv:
        for encoding in ENCODINGS:
            t = grant(srv, encoding=encoding, video="cam/one*", ip="auto/24", uses="3")
            check(list(t.keys()) == TICKET_FIELDS, t)
            check(KEY_RE.match(t["key"]) and t["key"].startswith("cam_one_."), t)
            check(all(isinstance(v, str) for v in t.values()), t)
            check(t["uses"] == "3" and t["active"] == "1" and t["ip"] == "auto/24", t)
            check(t["used_date"] == "0000-00-00 00:00:00", t)
            check(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t["created_date"]), t)

            s = expect(call(srv, "sevu.status", {"key": t["key"]}, encoding=encoding), 2010,
                       "success", "ScaleEngine Virtual Usher Ticket found")
            check(list(s["ticket"].keys()) == TICKET_FIELDS + ["expire_date"], s)
            check({k: s["ticket"][k] for k in TICKET_FIELDS} == t, s)

            expect(call(srv, "sevu.revoke", {"key": t["key"]}, encoding=encoding), 2020, "success",
                   "ScaleEngine Virtual Usher Ticket revoked")
            s = call(srv, "sevu.status", {"key": t["key"]}, encoding=encoding)
            check(s["ticket"]["active"] == "0", s)
            expect(call(srv, "sevu.revoke", {"key": t["key"]}, encoding=encoding), 2020, "success")

        expect(call(srv, "sevu.status", {"key": "nope.00000000000000.00000000"}), 2011, "failure",
               "ScaleEngine Virtual Usher Ticket not found")
        expect(call(srv, "sevu.revoke", {"key": "nope.00000000000000.00000000"}), 2021, "failure",
               "ScaleEngine Virtual Usher Ticket not found")


def test_request_codes():
    with harness.Server() as srv:
        for uses in [0, -2, "0", "abc", 1.5, True]:
            expect(call(srv, "sevu.request", ticket_fields(uses=uses)), 2003, "failure",
                   "ScaleEngine Virtual Usher Ticket uses must be greater than 0")
        # The upstream example's own date is now in the past.
        expect(call(srv, "sevu.request", ticket_fields(expire="2024-07-19 23:22:40")), 2004,
               "failure", "ScaleEngine Virtual Usher Ticket expiry date must be a future date")
        expect(call(srv, "sevu.request", ticket_fields(expire="someday")), 2001, "failure",
               "ScaleEngine Virtual Usher Ticket could not be created at this time: "
               "expire is not a valid date")
        expect(call(srv, "sevu.request", ticket_fields(app=["demo-origin"])), 2001, "failure",
               "ScaleEngine Virtual Usher Ticket could not be created at this time: "
               "app must be a string")

        f = ticket_fields()
        del f["expire"]
        f["expires"] = "+2 hours"  # the alias
        t = expect(call(srv, "sevu.request", f), 2002, "success")["ticket"]
        s = call(srv, "sevu.status", {"key": t["key"]})
        created = time.mktime(time.strptime(t["created_date"], "%Y-%m-%d %H:%M:%S"))
        expires = time.mktime(time.strptime(s["ticket"]["expire_date"], "%Y-%m-%d %H:%M:%S"))
        check(expires - created == 7200, s)
        for expire in ["2099-01-02T03:04:05Z", "2099-01-02T05:04:05+02:00", "+1 week",
                       "+3 days", "+1 hour", "2099-12-31", "2099-12-31 23:59"]:
            expect(call(srv, "sevu.request", ticket_fields(expire=expire)), 2002, "success")
        for expire in ["-1 day", "+0 seconds", "2020-01-01T00:00:00Z"]:
            expect(call(srv, "sevu.request", ticket_fields(expire=expire)), 2004, "failure")
        f = ticket_fields()
        del f["expire"]
        expect(call(srv, "sevu.request", dict(f, expires="-2 hours")), 2004, "failure")

        expect(call(srv, "sevu.request", {"pass": "p", "ip": ""}), 6, "failure",
               M_MISSING + "app, video, uses, expire")
        expect(call(srv, "sevu.request", ticket_fields(video="", app=None)), 6, "failure",
               M_MISSING + "app, video")
        for command in ["sevu.status", "sevu.revoke", "sevu.attempts"]:
            expect(call(srv, command, {}), 6, "failure", M_MISSING + "key")


def test_test_clock_moves_ticket_time_not_signature_time():
    with harness.Server() as srv:
        status, _, _ = srv.advance_clock(400 * 86400)
        check(status == 200, status)
        # Signed with the real time: still fresh. Expiry is judged on the moved clock.
        expect(call(srv, "sevu.request", ticket_fields(expire=future(30))), 2004, "failure")
        t = grant(srv, expire=future(800))
        check(t["created_date"] > future(399), t)


# --- global checks ----------------------------------------------------------------------------------

def test_json_missing_malformed_or_empty_is_code_6():
    with harness.Server() as srv:
        cases = [
            (b"", "application/json"),
            (b"{\"command\":", "application/json"),
            (b"[]", "application/json"),
            (b"other=1", "application/x-www-form-urlencoded"),
            (b"json=", "application/x-www-form-urlencoded"),
            (b"json=%7", "application/x-www-form-urlencoded"),
            (b"--XX\r\nContent-Disposition: form-data; name=\"jsn\"\r\n\r\n{}\r\n--XX--\r\n",
             "multipart/form-data; boundary=XX"),
            (b"--XX\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n\r\n--XX--\r\n",
             "multipart/form-data; boundary=XX"),
            (b"--XX\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{}",
             "multipart/form-data; boundary=XX"),
        ]
        for body, ctype in cases:
            status, _, data = harness.post_raw(srv.api_url + "/stable/", body, ctype)
            reply = checked(status, json.loads(data))
            expect(reply, 6, "failure", M_MISSING + "json")


def test_unknown_command_is_code_0():
    with harness.Server() as srv:
        for command in ["sevu.nothing", "SEVU.REQUEST", ""]:
            expect(call(srv, command, {}), 0, "failure", "Unrecognized API Command")
        expect(post_text(srv, json.dumps({"cdn": 158})), 0, "failure")


def test_credentials_code_1():
    with harness.Server() as srv:
        other = srv.create_account("other")
        wrong_cdn = dict(DEMO, cdn=9999)
        wrong_key = dict(DEMO, api_key="APX4GKLM0RKQLSP2FBO1ROPKSSW47DZF")
        others_key = dict(DEMO, api_key=other["api_key"])
        for account in [wrong_cdn, wrong_key, others_key]:
            expect(call(srv, "sevu.status", {"key": "k"}, account=account), 1, "failure", M_AUTH)
        # cdn as a string of digits is the same account
        expect(call(srv, "sevu.status", {"key": "k"}, account=dict(DEMO, cdn="158")), 2011,
               "failure")
        expect(post_text(srv, json.dumps({"command": "sevu.status", "cdn": 158})), 1, "failure")
        srv.cli("account", "disable", "--cdn-id", str(other["cdn"]))
        # Disabled: code 5, but only to a caller whose signature proves the secret.
        expect(call(srv, "sevu.status", {"key": "k"}, account=other), 5, "failure",
               M_UNAUTHORIZED)
        expect(call(srv, "sevu.request", {}, account=other), 5, "failure", M_UNAUTHORIZED)
        expect(call(srv, "sevu.status", {"key": "k"}, account=other, secret=DEMO["secret"]), 3,
               "failure", M_SIG)
        expect(call(srv, "sevu.status", {"key": "k"}, account=dict(other, api_key="X" * 32)), 1,
               "failure", M_AUTH)
        srv.cli("account", "enable", "--cdn-id", str(other["cdn"]))
        expect(call(srv, "sevu.status", {"key": "k"}, account=other), 2011, "failure")


def test_signed_writes_see_an_account_changed_by_another_process():
    """A signed write whose account the server has read before is checked on the io thread
    against that copy (docs/performance.md, "Signed writes checked where they arrive"). The
    writer reads the account again in the write's transaction, so a secret rotated or an
    account disabled by `sevu-server account` (another process) holds at the very next write,
    and a refused write creates nothing."""
    with harness.Server() as srv:
        acme = srv.create_account("acme")
        for _ in range(3):  # the first reads the account on a store worker; the rest use the copy
            grant(srv, account=acme)
        rotated = json.loads(srv.cli("account", "rotate-secret", "--cdn-id", str(acme["cdn"])).stdout)
        new = dict(acme, secret=rotated["secret"])
        for _ in range(2):  # the copy still holds the old secret the first time
            expect(call(srv, "sevu.request", ticket_fields(), account=acme), 3, "failure", M_SIG)
        grant(srv, account=new)
        expect(call(srv, "sevu.request", ticket_fields(), account=acme), 3, "failure", M_SIG)

        srv.cli("account", "disable", "--cdn-id", str(acme["cdn"]))
        for _ in range(2):  # the copy still says enabled the first time
            expect(call(srv, "sevu.request", ticket_fields(), account=new), 5, "failure",
                   M_UNAUTHORIZED)
        srv.cli("account", "enable", "--cdn-id", str(acme["cdn"]))
        grant(srv, account=new)
        grant(srv, account=new)
        # Six tickets granted, none from the refused writes.
        status, _, body = harness.request("GET", srv.api_url + "/v2/sevu_token",
                                          auth=(acme["cdn"], new["secret"]))
        check(status == 200 and len(json.loads(body)) == 6, (status, body))


def test_stale_future_and_missing_timestamps_code_2():
    with harness.Server() as srv:
        now = int(time.time())
        for ts in [now - 3600, now + 3600, now - 330, now + 330, 0, "yesterday"]:
            expect(call(srv, "sevu.status", {"key": "k"}, timestamp=ts), 2, "failure", M_TIME)
        req = harness.legacy_request("sevu.status", {"key": "k"})
        del req["timestamp"]
        expect(post_text(srv, signed_text(req)), 2, "failure", M_TIME)
        # inside the window, either side
        expect(call(srv, "sevu.status", {"key": "a"}, timestamp=now - 250), 2011, "failure")
        expect(call(srv, "sevu.status", {"key": "b"}, timestamp=now + 250), 2011, "failure")
        # a digit string, and Python's time.time() with its fraction
        expect(call(srv, "sevu.status", {"key": "c"}, timestamp=str(now - 5)), 2011, "failure")
        expect(call(srv, "sevu.status", {"key": "d"}, timestamp=time.time()), 2011, "failure")
        expect(call(srv, "sevu.status", {"key": "e"}, timestamp=time.time() - 400), 2, "failure")


def test_bad_signatures_code_3():
    with harness.Server() as srv:
        t = grant(srv)
        req = harness.legacy_request("sevu.revoke", {"key": t["key"]},
                                     timestamp=fresh_timestamp(srv.api_url))
        good = harness.sign(req, DEMO["secret"])

        tampered = dict(good, key=t["key"] + "x")
        expect(post_text(srv, harness.php_json_encode(tampered)), 3, "failure", M_SIG)
        wrong_secret = harness.sign(req, "0" * 64)
        expect(post_text(srv, harness.php_json_encode(wrong_secret)), 3, "failure", M_SIG)
        missing = dict(req)
        expect(post_text(srv, harness.php_json_encode(missing)), 3, "failure", M_SIG)
        expect(post_text(srv, harness.php_json_encode(dict(req, signature=""))), 3, "failure",
               M_SIG)
        # nothing of the above revoked the ticket
        s = call(srv, "sevu.status", {"key": t["key"]})
        check(s["ticket"]["active"] == "1", s)
        expect(post_text(srv, harness.php_json_encode(good)), 2020, "success")


def test_repeated_request_is_not_refused():
    """A repeat is never refused while its first reply is held (test_legacy_repeats.py has the
    rest): a read runs again, a write answers its first reply, whatever the transport."""
    with harness.Server() as srv:
        t = grant(srv)
        text = signed_text(harness.legacy_request("sevu.status", {"key": t["key"]},
                                                  timestamp=fresh_timestamp(srv.api_url)))
        expect(post_text(srv, text, "multipart"), 2010, "success")
        revoke = signed_text(harness.legacy_request("sevu.revoke", {"key": t["key"]},
                                                    timestamp=fresh_timestamp(srv.api_url)))
        expect(post_text(srv, revoke, "json"), 2020, "success")
        for encoding in ENCODINGS:  # the same signature, whatever the transport
            check(expect(post_text(srv, text, encoding), 2010, "success")["ticket"]["active"]
                  == "0")
            expect(post_text(srv, revoke, encoding), 2020, "success")


def test_check_order():
    with harness.Server() as srv:
        stale = int(time.time()) - 5000
        # unknown command beats bad credentials
        expect(call(srv, "sevu.nope", {}, account=dict(DEMO, api_key="X"), timestamp=stale), 0,
               "failure")
        # bad credentials beat a stale timestamp and a missing signature
        expect(call(srv, "sevu.status", {}, account=dict(DEMO, api_key="X"), timestamp=stale,
                    sign_it=False), 1, "failure")
        # a stale timestamp beats a bad signature
        expect(call(srv, "sevu.status", {}, timestamp=stale, secret="0" * 64), 2, "failure")
        # a bad signature beats missing fields
        expect(call(srv, "sevu.request", {}, secret="0" * 64), 3, "failure")
        # missing fields come last
        expect(call(srv, "sevu.request", {}), 6, "failure")


# --- signatures -------------------------------------------------------------------------------------

def test_signature_form_a_textual_append():
    """The Perl client's way: sign the JSON text as it is, then splice the member in."""
    with harness.Server() as srv:
        req = harness.legacy_request("sevu.request", ticket_fields(video="dir/vid\u00e9o.mp4"),
                                     timestamp=fresh_timestamp(srv.api_url))
        # Not PHP's encoding: spaces, unescaped '/', raw UTF-8.
        text = json.dumps(req, ensure_ascii=False)
        sig = harness.signature_of(text, DEMO["secret"])
        sent = text[:-1] + ', "signature": "' + sig + '"}'
        t = expect(post_text(srv, sent, "json"), 2002, "success")["ticket"]
        check(t["video"] == "dir/vid\u00e9o.mp4", t)

        # The member first, with an escaped '/' in the value.
        req = harness.legacy_request("sevu.status", {"key": t["key"]},
                                     timestamp=fresh_timestamp(srv.api_url))
        text = json.dumps(req, indent=2)
        sig = harness.signature_of(text, DEMO["secret"]).replace("/", "\\/")
        sent = '{"signature": "' + sig + '",' + text[1:]
        expect(post_text(srv, sent, "urlencoded"), 2010, "success")


def test_signature_form_b_php_reencoding():
    """Signed over PHP's json_encode, sent in another layout: the server re-encodes."""
    with harness.Server() as srv:
        req = harness.legacy_request("sevu.request", ticket_fields(app="demo-origin|demo-*",
                                                                   video="a/b\u00e9\U0001F600"),
                                     timestamp=fresh_timestamp(srv.api_url))
        sig = harness.signature_of(harness.php_json_encode(req), DEMO["secret"])
        sent = json.dumps(dict(req, signature=sig), indent=1, ensure_ascii=False)
        t = expect(post_text(srv, sent, "multipart"), 2002, "success")["ticket"]
        check(t["video"] == "a/b\u00e9\U0001F600" and t["app"] == "demo-origin|demo-*", t)


def test_revoked_ticket_is_refused_by_the_usher_with_token_revoked():
    with harness.Server() as srv:
        t = grant(srv, uses=3)
        viewer = {"key": t["key"], "pass": t["pass"], "ip": "1.2.3.4", "app": "demo-origin",
                  "video": "mystream"}

        def usher():
            status, _, data = harness.request("POST", srv.hook_url + "/hooks/check",
                                              json.dumps(viewer).encode(),
                                              {"Content-Type": "application/json"})
            return status, json.loads(data)

        status, decision = usher()
        check(status == 200 and decision["reason"] == "Success", decision)
        s = call(srv, "sevu.status", {"key": t["key"]})["ticket"]
        check(s["uses"] == "2" and s["used_date"] != "0000-00-00 00:00:00", s)

        expect(call(srv, "sevu.revoke", {"key": t["key"]}), 2020, "success")
        status, decision = usher()
        check(status == 403 and decision["reason"] == "Token Revoked", decision)
        check(call(srv, "sevu.status", {"key": t["key"]})["ticket"]["uses"] == "2")

        r = expect(call(srv, "sevu.attempts", {"key": t["key"]}), 2101, "success")
        check([(a["success"], a["reason"]) for a in r["attempts"]] ==
              [("1", "Success"), ("0", "Token Revoked")], r)
        for a in r["attempts"]:
            check(list(a.keys()) == ATTEMPT_FIELDS and all(isinstance(v, str) for v in a.values()),
                  a)
            check(a["key"] == t["key"] and a["ip"] == "1.2.3.4" and a["app"] == "demo-origin", a)
        c = expect(call(srv, "sevu.errorcount", {"key": t["key"], "success": 0}), 2110, "success")
        check(c["count"] == 1, c)
        # One boolean rule (docs/decisions.md): the filter reads text as record does.
        for flag, count in (("true", 1), ("false", 1), ("1", 1), (True, 1)):
            c = expect(call(srv, "sevu.errorcount", {"key": t["key"], "success": flag}), 2110,
                       "success")
            check(c["count"] == count, (flag, c))
        expect(call(srv, "sevu.errorcount", {"key": t["key"], "success": "yes"}), 2102,
               "failure")


# --- how real clients send it -----------------------------------------------------------------------

def test_curl_command_lines():
    """The body encodings as curl's own options produce them, raw JSON with -d included."""
    if shutil.which("curl") is None:
        raise AssertionError("curl is required for this test")
    with harness.Server() as srv:
        t = grant(srv)
        url = srv.api_url + "/stable/"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "req.json")
            variants = [
                lambda text: ["-F", "json=" + text],
                lambda text: ["--data-urlencode", "json=" + text],
                lambda text: ["-H", "Content-Type: application/json", "--data-binary", text],
                lambda text: ["-d", text],  # raw JSON, labelled as a form by curl
                lambda text: ["-F", "json=@" + path],
                lambda text: ["-F", "json=<" + path],
            ]
            for i, args in enumerate(variants):
                text = signed_text(harness.legacy_request(
                    "sevu.status", {"key": t["key"]}, timestamp=fresh_timestamp(url, t["key"])))
                with open(path, "w") as f:
                    f.write(text + "\n")
                p = subprocess.run(["curl", "-s", "-S", *args(text), url], capture_output=True,
                                   text=True, timeout=30)
                check(p.returncode == 0, p.stderr)
                reply = expect(json.loads(p.stdout), 2010, "success")
                check(reply["ticket"] == dict(t, expire_date=reply["ticket"]["expire_date"]),
                      (i, reply))


# --- isolation --------------------------------------------------------------------------------------

def test_other_accounts_ticket_looks_like_an_unknown_key():
    with harness.Server() as srv:
        other = srv.create_account("other")
        theirs = grant(srv, account=other, app="other-origin")
        harness.seed_attempts(srv, [dict(cdn=other["cdn"], key=theirs["key"],
                                         datetime=future(-1), ip="1.2.3.4", success=1,
                                         reason="Success")])
        unknown = theirs["key"][:-1] + ("1" if theirs["key"][-1] == "0" else "0")
        for command in ["sevu.status", "sevu.revoke", "sevu.attempts", "sevu.errorlog",
                        "sevu.errorcount"]:
            a = call(srv, command, {"key": theirs["key"]})
            b = call(srv, command, {"key": unknown})
            check(without_time(a) == without_time(b), f"{command}: {a} vs {b}")
        # and it is untouched and visible to its owner
        s = expect(call(srv, "sevu.status", {"key": theirs["key"]}, account=other), 2010, "success")
        check(s["ticket"]["active"] == "1", s)
        c = expect(call(srv, "sevu.errorcount", {}, account=other), 2110, "success")
        check(c["count"] == 1, c)
        c = expect(call(srv, "sevu.errorcount", {}), 2110, "success")
        check(c["count"] == 0, c)


# --- attempts ---------------------------------------------------------------------------------------

def seed(srv, key):
    rows = []
    for i, (day, ip, ok, reason) in enumerate([
            ("2014-09-14 10:00:00", "1.1.1.1", 0, "Invalid IP Address"),
            ("2014-09-15 10:00:00", "2.2.2.2", 1, "Success"),
            ("2014-09-16 00:00:00", "2.2.2.2", 1, "Success"),
            ("2014-09-16 10:00:00", "3.3.3.3", 0, "Exceeded max views"),
            ("2014-09-17 10:00:00", "2.2.2.2", 1, "Success")]):
        rows.append(dict(cdn=158, key=key, datetime=day, ip=ip, video="myStream",
                         app="demo-origin" if i != 3 else "demo-vod", appinst="play",
                         pageurl="http://example.com/p", refurl="http://example.com/r",
                         success=ok, reason=reason, server="SER1-1",
                         **{"pass": "pw" if i != 4 else "other"}))
    rows.append(dict(cdn=158, key="another.00000000000000.00000000", datetime="2014-09-18 00:00:00",
                     ip="9.9.9.9", video="v", app="a", success=0, reason="Invalid Auth Token"))
    check(harness.seed_attempts(srv, rows) == len(rows))


def datetimes(reply):
    return [a["datetime"] for a in reply["attempts"]]


def test_attempts_filters_paging_and_codes():
    with harness.Server() as srv:
        key = "mystream.53ffc996dd39d5.39102367"
        expect(call(srv, "sevu.attempts", {"key": key}), 2100, "success",
               "ScaleEngine Virtual Usher Ticket was not used")
        seed(srv, key)

        r = expect(call(srv, "sevu.attempts", {"key": key}), 2101, "success",
                   "ScaleEngine Virtual Usher Ticket uses found")
        check(len(r["attempts"]) == 5, r)
        check(datetimes(r) == sorted(datetimes(r)), r)  # oldest first
        first = r["attempts"][0]
        check(list(first.keys()) == ATTEMPT_FIELDS, first)
        check(all(isinstance(v, str) for v in first.values()), first)
        check(first == {"key": key, "datetime": "2014-09-14 10:00:00", "ip": "1.1.1.1",
                        "video": "myStream", "app": "demo-origin", "appinst": "play",
                        "pageurl": "http://example.com/p", "refurl": "http://example.com/r",
                        "success": "0", "reason": "Invalid IP Address", "server": "SER1-1"}, first)

        def listed(fields, command="sevu.errorlog", encoding="multipart"):
            return datetimes(call(srv, command, fields, encoding=encoding))

        check(listed({"key": key, "starttime": "2014-09-16"}) ==
              ["2014-09-16 00:00:00", "2014-09-16 10:00:00", "2014-09-17 10:00:00"])
        check(listed({"key": key, "datetime": "2014-09-16 10:00:00"}, "sevu.attempts") ==
              ["2014-09-16 10:00:00", "2014-09-17 10:00:00"])
        check(listed({"key": key, "success": 0}) == ["2014-09-14 10:00:00", "2014-09-16 10:00:00"])
        check(listed({"key": key, "success": "1", "ip": "2.2.2.2", "pass": "pw"}) ==
              ["2014-09-15 10:00:00", "2014-09-16 00:00:00"])
        check(listed({"app": "demo-vod"}, encoding="json") == ["2014-09-16 10:00:00"])
        check(len(listed({"video": "myStream"}, encoding="urlencoded")) == 5)
        check(len(listed({})) == 6)  # errorlog without a key: the whole account
        check(listed({"key": key, "limit": 2}) == ["2014-09-14 10:00:00", "2014-09-15 10:00:00"])
        check(listed({"key": key, "limit": "2", "seek": "2"}) ==
              ["2014-09-16 00:00:00", "2014-09-16 10:00:00"])
        expect(call(srv, "sevu.errorlog", {"key": key, "seek": 5}), 2100, "success")

        for field, value in [("limit", 0), ("limit", 1001), ("limit", "many"), ("seek", -1),
                             ("success", "yes"), ("starttime", "not a date"), ("app", 5)]:
            expect(call(srv, "sevu.errorlog", {"key": key, field: value}), 2102, "failure",
                   "Invalid filter value: " + field)

        c = expect(call(srv, "sevu.errorcount", {"key": key}), 2110, "success", "Attempts counted")
        check(c["count"] == 5, c)
        c = call(srv, "sevu.errorcount", {"key": key, "success": 1, "limit": 1, "seek": 99})
        check(c["count"] == 3, c)  # paging does not apply to a count
        check(call(srv, "sevu.errorcount", {})["count"] == 6)
        check(call(srv, "sevu.errorcount", {"starttime": "2014-09-17"})["count"] == 2)


# --- HTTP --------------------------------------------------------------------------------------------

def test_other_methods_get_405():
    with harness.Server() as srv:
        for method in ["GET", "PUT", "DELETE"]:
            status, headers, data = harness.request(method, srv.api_url + "/stable/")
            check(status == 405, (method, status, data))
            check(headers.get("allow") == "POST", headers)
            check("error" in json.loads(data), data)


if __name__ == "__main__":
    harness.main(globals())
