"""End to end: the legacy stream-user commands over real HTTP against a real sevu-server.

sevu.addstreamuser, sevu.liststreamusers, sevu.retrievestreamuser,
sevu.removestreamuser and sevu.updatestream with every code of
docs/legacy-api.md "Stream users"; the upstream PHP examples run by php-cli
(tests/e2e/php/, copies of the spec pages' code with only the URL changed and,
for liststreamusers, the lines lost in extraction restored); passwords stored
only as PBKDF2 hashes (read back from the database) and never returned; another
account's stream users indistinguishable from missing ones; the configured
origin host and playback URL template.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import time
import urllib.parse

import harness
from harness import DEMO, check

PHP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "php")
PASSWORD = "unique_random_string_per_request"
USER_FIELDS = ["id", "app", "stream", "user", "origin_url", "playback_url", "ga_key", "record",
               "record_type", "segment_type", "segment_value", "save_folder", "playlist_count",
               "playlist_timeout", "enable_dvr"]

def call(srv, command, fields=None, account=DEMO, encoding="multipart"):
    # harness.legacy gives a request sent again a timestamp it has not had yet: the same
    # remove twice must run twice, not repeat the first reply (docs/legacy-api.md).
    status, reply = harness.legacy(srv, command, fields or {}, account=account, encoding=encoding)
    check(status == 200, f"HTTP {status}: {reply}")
    check(isinstance(reply, dict), f"not a JSON object: {reply!r}")
    check(isinstance(reply.get("handle_time"), str) and reply["handle_time"].endswith(" seconds"),
          reply)
    return reply


def expect(reply, code, status=None, message=None, message_start=None):
    check(reply.get("code") == code, f"expected code {code}, got {reply}")
    if status is not None:
        check(reply.get("status") == status, f"expected {status}: {reply}")
    if message is not None:
        check(reply.get("message") == message, f"expected message {message!r}: {reply}")
    if message_start is not None:
        check(str(reply.get("message", "")).startswith(message_start),
              f"expected message starting {message_start!r}: {reply}")
    return reply


def add(srv, app="demo-origin", stream="mystream", user="username_1", password=PASSWORD,
        account=DEMO, **settings):
    fields = {"app": app, "stream": stream, "user": user, "pass": password}
    fields.update(settings)
    return call(srv, "sevu.addstreamuser", fields, account=account)


def added_id(srv, **kw):
    reply = expect(add(srv, **kw), 2071, "success", "Stream User Added")
    return reply["user"]["id"]


def without_time(reply):
    return {k: v for k, v in reply.items() if k != "handle_time"}


_last_php_second = {}


def run_php(srv, name):
    # The example signs time(): a second run within the same second would send
    # the very same signature, and a write would answer its first reply, not run.
    while int(time.time()) <= _last_php_second.get(name, 0):
        time.sleep(0.05)
    env = dict(os.environ, SEVU_STABLE_URL=srv.api_url + "/stable/")
    p = subprocess.run(["php", os.path.join(PHP_DIR, name)], env=env, capture_output=True,
                       text=True, timeout=60)
    _last_php_second[name] = int(time.time())  # the latest second its time() can have returned
    check(p.returncode == 0, f"php {name} failed: {p.stdout} {p.stderr}")
    return p.stdout


def check_user_object(u, **expected):
    check(list(u.keys()) == USER_FIELDS, f"user members: {list(u.keys())}")
    for k, v in expected.items():
        check(u[k] == v, f"{k}: expected {v!r}, got {u[k]!r} in {u}")


def test_php_examples_run_unchanged():
    if shutil.which("php") is None:
        raise AssertionError("php-cli is required for this test")
    with harness.Server() as srv:
        out = run_php(srv, "liststreamusers.php")
        check("[code] => 2090" in out, out)
        check("[message] => Stream Users were not found" in out, out)

        out = run_php(srv, "addstreamuser.php")
        check("[code] => 2071" in out, out)
        check("[status] => success" in out, out)
        check("[message] => Stream User Added" in out, out)
        check(PASSWORD not in out, out)
        check("[segment_type] => size" in out and "[segment_value] => 15" in out, out)

        out = run_php(srv, "liststreamusers.php")
        check("[code] => 2091" in out, out)
        check("[message] => Stream Users Found" in out, out)
        check("[user] => username_1" in out, out)
        check("[origin_url] => rtmp://127.0.0.1/demo-origin" in out, out)
        check("[playback_url] => http://127.0.0.1/demo-origin/mystream/playlist.m3u8" in out, out)
        check(PASSWORD not in out and "pbkdf2" not in out, out)

        # The same user on the same stream again: refused, nothing added.
        out = run_php(srv, "addstreamuser.php")
        check("[code] => 2070" in out and "already exists" in out, out)
        reply = call(srv, "sevu.liststreamusers")
        check(len(reply["users"]) == 1, reply)


def test_add_and_list_over_every_encoding():
    with harness.Server() as srv:
        for i, encoding in enumerate(["multipart", "urlencoded", "json"]):
            reply = call(srv, "sevu.addstreamuser",
                         {"app": "demo-origin", "stream": f"s{i}", "user": "u", "pass": "pw-123"},
                         encoding=encoding)
            expect(reply, 2071, "success")
        reply = expect(call(srv, "sevu.liststreamusers", encoding="json"), 2091, "success",
                       "Stream Users Found")
        check([u["stream"] for u in reply["users"]] == ["s0", "s1", "s2"], reply)


def test_add_validation_codes():
    with harness.Server() as srv:
        # 6: required fields, in order; user/pass null are not missing.
        expect(call(srv, "sevu.addstreamuser", {}), 6, "failure",
               "One or more required fields are missing: app, stream, user, pass")
        expect(call(srv, "sevu.addstreamuser", {"app": "demo-origin", "user": "u"}), 6, "failure",
               "One or more required fields are missing: stream, pass")
        # 9
        for bad in ["weekly", "SIZE", 7, True]:
            r = expect(add(srv, segment_type=bad, segment_value=5), 9, "failure",
                       "Segment Type may only be schedule, size, or duration.")
            check(r["detail"] == "segment_type must be schedule, size, duration or disabled", r)
        # 10
        for kind in ["size", "duration"]:
            for bad in [0, -5, "abc", 1.5, "0"]:
                r = expect(add(srv, segment_type=kind, segment_value=bad), 10, "failure",
                           "Segments of Duration and Size require a value greater than 0.")
                check(r["detail"].startswith("segment_value must be a whole number"), r)
            expect(add(srv, segment_type=kind), 10, "failure")
        # 11
        for bad in ["* * * *", "@hourly", "*/0 * * * *", "0 24 * * *", "1,,2 * * * *",
                    "* * * * * *", "0 0 L * *", "*/15 * * * * ; rm -rf /", 15]:
            r = expect(add(srv, segment_type="schedule", segment_value=bad), 11, "failure",
                       "Invalid CRONTAB expression given.")
            check(isinstance(r["detail"], str) and r["detail"], r)
        # 2070: one of user/pass null, and other bad values, naming the field.
        expect(add(srv, user=None), 2070, "failure",
               "Stream User could not be created: user and pass must both be null to disable "
               "authentication")
        expect(add(srv, password=None), 2070, "failure",
               "Stream User could not be created: user and pass must both be null to disable "
               "authentication")
        for field, value in [("save_folder", "../etc"), ("save_folder", "a b"),
                             ("playlist_count", 3), ("playlist_count", 101),
                             ("playlist_timeout", 59), ("playlist_timeout", 1201),
                             ("enable_dvr", "perhaps"), ("record", 5), ("record_type", "film"),
                             ("ga_key", "<script>")]:
            expect(add(srv, **{field: value}), 2070, "failure",
                   message_start=f"Stream User could not be created: {field} ")
        expect(add(srv, app="demo/origin"), 2070, message_start="Stream User could not be "
                                                                  "created: app ")
        expect(add(srv, stream="a*"), 2070, message_start="Stream User could not be created: "
                                                          "stream ")
        check(call(srv, "sevu.liststreamusers")["code"] == 2090, "nothing was added")

        # What is accepted.
        r = expect(add(srv, stream="cron", segment_type="schedule", segment_value="*/15 * * * *",
                       record=True, record_type="event", save_folder="My_folder-2",
                       playlist_count=100, playlist_timeout=60, enable_dvr=False,
                       ga_key="UA-12345-1"), 2071, "success")
        check_user_object(r["user"], app="demo-origin", stream="cron", user="username_1",
                          segment_type="schedule", segment_value="*/15 * * * *", record=True,
                          record_type="event", save_folder="My_folder-2", playlist_count=100,
                          playlist_timeout=60, enable_dvr=False, ga_key="UA-12345-1")
        r = expect(add(srv, stream="open", user=None, password=None, segment_type="duration",
                       segment_value="30"), 2071, "success")
        check_user_object(r["user"], user=None, segment_type="duration", segment_value=30)
        r = expect(add(srv, stream="*", user="all", password="pw-all"), 2071)
        check_user_object(r["user"], stream="*", segment_type="disabled", segment_value=None,
                          playlist_count=4, playlist_timeout=600, enable_dvr=True, record=False)


def test_per_account_maximum():
    with harness.Server() as srv:
        acct = srv.create_account("capped", max_stream_users=2)
        added_id(srv, app="capped-live", stream="a", account=acct)
        added_id(srv, app="capped-live", stream="b", account=acct)
        r = expect(add(srv, app="capped-live", stream="c", account=acct), 2072, "failure",
                   "Exceeded maximum stream accounts")
        check(r["detail"] == "this account may have at most 2 stream users", r)
        # The demo account's own limit (50) is untouched by that.
        added_id(srv, stream="c")
        # Removing one makes room.
        expect(call(srv, "sevu.removestreamuser",
                    {"app": "capped-live", "stream": "a", "user": "username_1"}, account=acct),
               2094, "success")
        added_id(srv, app="capped-live", stream="c", account=acct)
        zero = srv.create_account("nostreams", max_stream_users=0)
        expect(add(srv, account=zero), 2072, "failure")


def test_list_filters_and_payload():
    with harness.Server() as srv:
        expect(call(srv, "sevu.liststreamusers"), 2090, "success", "Stream Users were not found")
        a = added_id(srv, stream="mystream", user="username_1")
        b = added_id(srv, stream="*", user="all")
        c = added_id(srv, app="demo-other", stream="mystream", user=None, password=None)
        reply = expect(call(srv, "sevu.liststreamusers"), 2091, "success", "Stream Users Found")
        check([u["id"] for u in reply["users"]] == [a, b, c], reply)
        for u in reply["users"]:
            check(list(u.keys()) == USER_FIELDS, u)
            check("playback_url " not in u, u)
        ids = lambda r: [u["id"] for u in r["users"]]
        check(ids(call(srv, "sevu.liststreamusers", {"app": "demo-origin"})) == [a, b])
        check(ids(call(srv, "sevu.liststreamusers", {"stream": "mystream"})) == [a, c])
        check(ids(call(srv, "sevu.liststreamusers", {"app": "demo-origin", "stream": "mystream"}))
              == [a])
        check(ids(call(srv, "sevu.liststreamusers", {"app": "demo-origin", "stream": "*"})) == [b])
        expect(call(srv, "sevu.liststreamusers", {"app": "nope"}), 2090)
        expect(call(srv, "sevu.liststreamusers", {"app": 5}), 2098, "failure",
               "invalid field value: app (must be a string)")


def test_retrieve_remove_update_codes():
    with harness.Server() as srv:
        uid = added_id(srv, record=True, segment_type="size", segment_value=15, ga_key="UA-1-1")
        open_id = added_id(srv, user=None, password=None)

        # retrieve: 2092 by id (number or digit string) and by app+stream+user; 2093; 6; 2098.
        r = expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": uid}), 2092, "success",
                   "Stream User Found")
        check_user_object(r["user"], id=uid, user="username_1", segment_value=15)
        expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": str(uid)}), 2092)
        r = expect(call(srv, "sevu.retrievestreamuser",
                        {"app": "demo-origin", "stream": "mystream", "user": None}), 2092)
        check(r["user"]["id"] == open_id, r)
        expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": 99999}), 2093, "failure",
               "Stream User not found")
        expect(call(srv, "sevu.retrievestreamuser",
                    {"app": "demo-origin", "stream": "mystream", "user": "nobody"}), 2093)
        expect(call(srv, "sevu.retrievestreamuser", {}), 6, "failure",
               "One or more required fields are missing: streamuser_id (or app, stream, user)")
        expect(call(srv, "sevu.retrievestreamuser", {"app": "demo-origin"}), 6,
               message="One or more required fields are missing: stream, user")
        expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": "x"}), 2098, "failure",
               "invalid field value: streamuser_id (must be a whole number)")

        # update: 2096 changing only what is sent; 9/10/11/2098; 2097; 6.
        r = expect(call(srv, "sevu.updatestream",
                        {"stream_id": uid, "playlist_count": 10, "enable_dvr": False}),
                   2096, "success", "Stream Updated")
        check_user_object(r["user"], id=uid, playlist_count=10, enable_dvr=False, record=True,
                          segment_type="size", segment_value=15, ga_key="UA-1-1")
        r = expect(call(srv, "sevu.updatestream",
                        {"stream_id": uid, "segment_type": "schedule",
                         "segment_value": "0 9-17 * * mon-fri", "ga_key": ""}), 2096)
        check_user_object(r["user"], segment_type="schedule", segment_value="0 9-17 * * mon-fri",
                          ga_key="")
        expect(call(srv, "sevu.updatestream", {"stream_id": uid, "segment_type": "hourly"}), 9,
               "failure")
        expect(call(srv, "sevu.updatestream", {"stream_id": uid, "segment_type": "size"}), 10,
               "failure")  # the stored value is a crontab, not a size
        r = expect(call(srv, "sevu.updatestream",
                        {"stream_id": uid, "segment_value": "61 * * * *"}),
                   11, "failure", "Invalid CRONTAB expression given.")
        check(r["detail"] == "minute: 61 is out of range 0-59", r)
        expect(call(srv, "sevu.updatestream", {"stream_id": uid, "playlist_timeout": 5}), 2098,
               "failure",
               "invalid field value: playlist_timeout (must be a whole number from 60 to 1200)")
        expect(call(srv, "sevu.updatestream", {"stream_id": uid, "pass": "new-password"}), 2098,
               "failure", message_start="invalid field value: pass (cannot be changed")
        expect(call(srv, "sevu.updatestream", {"stream_id": "abc"}), 2098, "failure",
               "invalid field value: stream_id (must be a whole number)")
        expect(call(srv, "sevu.updatestream", {"stream_id": 99999, "record": False}), 2097,
               "failure", "Stream not found")
        expect(call(srv, "sevu.updatestream", {"record": False}), 6, "failure",
               "One or more required fields are missing: stream_id")
        r = expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": uid}), 2092)
        check_user_object(r["user"], playlist_count=10, enable_dvr=False, playlist_timeout=600,
                          segment_value="0 9-17 * * mon-fri")

        # remove: 2094 by id and by app+stream+user; then 2095.
        expect(call(srv, "sevu.removestreamuser", {"streamuser_id": uid}), 2094, "success",
               "Stream User Removed")
        expect(call(srv, "sevu.removestreamuser", {"streamuser_id": uid}), 2095, "failure",
               "Stream User not found")
        expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": uid}), 2093)
        expect(call(srv, "sevu.removestreamuser",
                    {"app": "demo-origin", "stream": "mystream", "user": None}), 2094)
        expect(call(srv, "sevu.removestreamuser", {}), 6, "failure")
        expect(call(srv, "sevu.liststreamusers"), 2090)


def test_another_accounts_stream_user_looks_missing():
    with harness.Server() as srv:
        other = srv.create_account("otherco")
        theirs = added_id(srv, app="otherco-live", stream="s", account=other)
        missing = theirs + 1000
        cases = [
            ("sevu.retrievestreamuser", lambda i: {"streamuser_id": i}),
            ("sevu.removestreamuser", lambda i: {"streamuser_id": i}),
            ("sevu.updatestream", lambda i: {"stream_id": i, "record": True}),
            ("sevu.updatestream", lambda i: {"stream_id": i, "playlist_count": 1}),
            ("sevu.updatestream", lambda i: {"stream_id": i, "segment_type": "bogus"}),
        ]
        for command, fields in cases:
            a = without_time(call(srv, command, fields(theirs)))
            b = without_time(call(srv, command, fields(missing)))
            check(a == b, f"{command}: {a} != {b}")
            check(a["status"] == "failure", a)
        # By name too, and it is not in the demo account's list.
        a = without_time(call(srv, "sevu.retrievestreamuser",
                              {"app": "otherco-live", "stream": "s", "user": "username_1"}))
        b = without_time(call(srv, "sevu.retrievestreamuser",
                              {"app": "otherco-live", "stream": "s", "user": "nobody"}))
        check(a == b and a["code"] == 2093, f"{a} != {b}")
        expect(call(srv, "sevu.liststreamusers"), 2090)
        # The same name may exist in both accounts independently.
        added_id(srv, app="otherco-live", stream="s")
        # And their row is intact and theirs alone.
        r = expect(call(srv, "sevu.retrievestreamuser", {"streamuser_id": theirs}, account=other),
                   2092)
        check(r["user"]["record"] is False, r)
        check(len(call(srv, "sevu.liststreamusers", account=other)["users"]) == 1)


def pbkdf2_matches(password, stored):
    _, scheme, iterations, salt, digest = stored.split("$")
    check(scheme == "pbkdf2-sha256", stored)
    salt_bytes = base64.b64decode(salt + "=" * (-len(salt) % 4))
    want = base64.b64decode(digest + "=" * (-len(digest) % 4))
    got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt_bytes, int(iterations), len(want))
    return hmac.compare_digest(got, want)


def test_passwords_are_hashed_and_never_returned():
    with harness.Server() as srv:
        replies = []
        replies.append(add(srv, stream="one", password=PASSWORD))
        replies.append(add(srv, stream="two", password=PASSWORD))  # same password, new salt
        replies.append(add(srv, stream="three", user=None, password=None))
        ids = [r["user"]["id"] for r in replies]
        replies.append(call(srv, "sevu.liststreamusers"))
        for i in ids:
            replies.append(call(srv, "sevu.retrievestreamuser", {"streamuser_id": i}))
            replies.append(call(srv, "sevu.updatestream", {"stream_id": i, "record": True}))
        replies.append(add(srv, stream="one", password=PASSWORD))  # duplicate, 2070
        texts = [json.dumps(r) for r in replies]
        for t in texts:
            check(PASSWORD not in t, t)
            check("pbkdf2" not in t and '"pass' not in t, t)

        rows = harness.sql_rows(srv.db, 'SELECT id, "user", pass_hash FROM stream_users ORDER BY id')
        check([r[0] for r in rows] == ids, rows)
        one, two, three = rows
        for row in (one, two):
            check(row[1] == "username_1", row)
            check(row[2].startswith("$pbkdf2-sha256$"), row)
            check(PASSWORD not in row[2], row)
            check(pbkdf2_matches(PASSWORD, row[2]), "the hash is of the password")
            check(not pbkdf2_matches("wrong-password", row[2]), "and only of it")
        check(one[2] != two[2], "each hash has its own salt")
        check(three[1] is None and three[2] is None, three)


def test_origin_host_and_playback_url_template():
    with harness.Server(extra_args=["--origin-host", "live.example.com",
                                    "--playback-url",
                                    "https://cdn.example.com/hls/{app}/{stream}/index.m3u8"
                                    "?o={origin_host}"]) as srv:
        r = expect(add(srv), 2071)
        check_user_object(r["user"], origin_url="rtmp://live.example.com/demo-origin",
                          playback_url="https://cdn.example.com/hls/demo-origin/mystream/"
                                       "index.m3u8?o=live.example.com")
        u = call(srv, "sevu.liststreamusers")["users"][0]
        check(u["origin_url"] == "rtmp://live.example.com/demo-origin", u)
    with harness.Server(extra_args=["--origin-host", "origin.example.org"]) as srv:
        r = expect(add(srv, stream="*", user="all"), 2071)
        check_user_object(r["user"], origin_url="rtmp://origin.example.org/demo-origin",
                          playback_url="http://origin.example.org/demo-origin/*/playlist.m3u8")


# --- publishing: the hooks decide with the stream users managed above ---------------------

def hook_publish(srv, kind, stream, user=None, password=None, app="demo-origin", ip="10.1.2.3"):
    """One publish decision asked the way each media server asks; True when allowed."""
    creds = []
    if user is not None:
        creds.append("user=" + urllib.parse.quote(user, safe=""))
    if password is not None:
        creds.append("pass=" + urllib.parse.quote(password, safe=""))
    args = "&".join(creds)
    if kind == "nginx-rtmp":
        # ngx_rtmp_notify_module: its own fields, then the encoder's args appended raw.
        body = "&".join(k + "=" + urllib.parse.quote(v, safe="") for k, v in [
            ("call", "publish"), ("addr", ip), ("clientid", "7"), ("app", app),
            ("flashver", "FMLE/3.0"), ("swfurl", ""), ("tcurl", "rtmp://origin/" + app),
            ("pageurl", ""), ("name", stream), ("type", "live")])
        if args:
            body += "&" + args
        status, _, data = harness.request("POST", srv.hook_url + "/hooks/nginx-rtmp", body.encode(),
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        check(status in (200, 403), (kind, status, data))
        return status == 200
    if kind == "srs":
        body = {"action": "on_publish", "client_id": "7", "ip": ip, "vhost": "__defaultVhost__",
                "app": app, "stream": stream, "param": "?" + args if args else "",
                "tcUrl": "rtmp://origin/" + app, "pageUrl": ""}
        status, _, data = harness.request("POST", srv.hook_url + "/hooks/srs",
                                          json.dumps(body).encode(),
                                          {"Content-Type": "application/json"})
        check(status == 403 or (status == 200 and data == b"0"), (kind, status, data))
        return status == 200
    body = {"user": user or "", "password": password or "", "token": "", "ip": ip,
            "action": "publish", "path": app + "/" + stream, "protocol": "rtmp", "id": None,
            "query": ""}
    status, _, data = harness.request("POST", srv.hook_url + "/hooks/mediamtx",
                                      json.dumps(body).encode(),
                                      {"Content-Type": "application/json"})
    check(status in (200, 401), (kind, status, data))
    return status == 200


def test_publish_follows_stream_users_in_every_hook():
    # 18 refusals from one address would each wait longer (docs/hooks.md, Publishing;
    # tested in test_publish_flood.py): here only the rules count, so answer at once.
    with harness.Server(["--publish-fail-delay", "0"]) as srv:
        own = added_id(srv, stream="mystream", user="enc1", password="Enc-Secret-1")
        added_id(srv, stream="*", user="all", password="All-Secret-2")
        added_id(srv, stream="open", user=None, password=None, record=True)
        added_id(srv, app="demo-other", stream="mystream", user="enc1", password="Other-Secret")
        cases = [
            # stream, user, pass, allowed
            ("mystream", "enc1", "Enc-Secret-1", True),
            ("mystream", "enc1", "wrong", False),
            ("mystream", "enc1", None, False),
            ("mystream", None, None, False),
            ("mystream", "ENC1", "Enc-Secret-1", False),
            ("mystream", "enc1", "Other-Secret", False),  # demo-other's password
            ("mystream", "all", "All-Secret-2", True),  # "*" covers this stream too
            ("anything", "all", "All-Secret-2", True),
            ("anything", "all", "wrong", False),
            ("anything", "enc1", "Enc-Secret-1", False),  # enc1 is for mystream only
            ("open", None, None, True),  # null user/pass: no authentication
            ("open", "who", "ever", True),
        ]
        for kind in ("nginx-rtmp", "srs", "mediamtx"):
            for stream, user, password, allowed in cases:
                got = hook_publish(srv, kind, stream, user, password)
                check(got == allowed, f"{kind} {stream} {user}/{password}: allowed={got}")
        check(hook_publish(srv, "nginx-rtmp", "mystream", "enc1", "Other-Secret", app="demo-other"))

        # Every attempt is in the account's errorlog, oldest first, with its outcome and
        # never the password; errorcount agrees.
        reply = expect(call(srv, "sevu.errorlog", {"app": "demo-origin", "limit": 1000}), 2101,
                       "success")
        rows = [a for a in reply["attempts"] if a["appinst"] == "publish"]
        want = [("1" if allowed else "0", stream) for _ in range(3)
                for stream, _u, _p, allowed in cases]
        check([(a["success"], a["video"]) for a in rows] == want, rows)
        check(all(a["key"] == "" and a["app"] == "demo-origin" for a in rows), rows)
        for a in rows:
            check(a["reason"] == ("Publish Authorized" if a["success"] == "1"
                                  else "Publish Denied: bad credentials"), a)
        text = json.dumps(reply)
        for secret in ("Enc-Secret-1", "All-Secret-2", "Other-Secret"):
            check(secret not in text, "a password reached the errorlog")
        denied = expect(call(srv, "sevu.errorcount", {"app": "demo-origin", "success": 0}), 2110)
        check(int(denied["count"]) == sum(1 for a in rows if a["success"] == "0"), denied)

        # Settings changes leave the credentials alone; removing the stream user ends them.
        expect(call(srv, "sevu.updatestream", {"stream_id": own, "record": True}), 2096)
        check(hook_publish(srv, "nginx-rtmp", "mystream", "enc1", "Enc-Secret-1"))
        expect(call(srv, "sevu.removestreamuser", {"streamuser_id": own}), 2094)
        check(not hook_publish(srv, "nginx-rtmp", "mystream", "enc1", "Enc-Secret-1"))
        check(hook_publish(srv, "nginx-rtmp", "mystream", "all", "All-Secret-2"))


if __name__ == "__main__":
    harness.main(globals())
