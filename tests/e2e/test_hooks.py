"""Every /hooks/* route over real HTTP against a started sevu-server (docs/hooks.md).

Request bodies are the shapes the media servers really send:
- nginx-rtmp: ngx_rtmp_notify_module.c (arut/nginx-rtmp-module), session fields
  (app, flashver, swfurl, tcurl, pageurl, addr, clientid) then call, name, ...,
  then the viewer's args raw; the same shape was captured from Debian's
  libnginx-mod-rtmp in test_nginx_rtmp.py.
- SRS: SrsHttpHooks::on_play / on_publish / on_stop in ossrs/srs
  trunk/src/app/srs_app_http_hooks.cpp (v5/v6: server_id, service_id, action,
  client_id, ip, vhost, app, stream, tcUrl, param, pageUrl, stream_url, stream_id).
- MediaMTX: Manager.authenticateHTTP in bluenviron/mediamtx internal/auth/manager.go
  (ip, user, password, token, action, path, protocol, id, query).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import (add_stream_user, attempts, auth_request, call, check,  # noqa: E402
                        count_attempts, nginx_rtmp, revoke, uses_left)

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"


def nginx_play_fields(addr="127.0.0.1", call_name="play", name=VIDEO, app=APP):
    fields = [("app", app), ("flashver", "LNX 9,0,124,2"), ("swfurl", ""),
              ("tcurl", "rtmp://127.0.0.1:1935/" + app), ("pageurl", ""), ("addr", addr),
              ("clientid", "5"), ("call", call_name), ("name", name)]
    if call_name == "play":
        fields += [("start", "4294965296"), ("duration", "0"), ("reset", "0")]
    if call_name.startswith("update"):
        fields = [f for f in fields if f[0] not in ("call", "name")] + [
            ("call", call_name), ("time", "30"), ("timestamp", "30000"), ("name", name)]
    return fields


def srs_body(action, param, ip="127.0.0.1", stream=VIDEO, app=APP):
    return {"server_id": "vid-0xk989d", "service_id": "2e9b8c1a", "action": action,
            "client_id": "341w361a", "ip": ip, "vhost": "__defaultVhost__", "app": app,
            "stream": stream, "tcUrl": "rtmp://127.0.0.1:1935/" + app, "param": param,
            "pageUrl": "http://site.example/live.html", "stream_url": "/%s/%s" % (app, stream),
            "stream_id": "vid-7x3c1pa"}


def mediamtx_body(action, path, user="", password="", query="", ip="127.0.0.1", protocol="rtsp"):
    return {"ip": ip, "user": user, "password": password, "token": "", "action": action,
            "path": path, "protocol": protocol, "id": "5b6c3f0e-5a3a-4a43-a8d5-0c5a4f3e1a2b",
            "query": query}


def test_check_decides_and_logs():
    with harness.Server() as srv:
        t = harness.new_ticket(srv, uses=2)
        key = t["key"]
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video=VIDEO,
                      pageurl="http://site.example/p", refurl="http://site.example/r")
        expect(st == 200 and r == {"allowed": True, "reason": "Success", "uses_left": 1}, (st, r))
        st, r = check(srv, key=key, **{"pass": "wrong"}, ip="10.1.1.1", app=APP, video=VIDEO)
        expect(st == 403 and r == {"allowed": False, "reason": "Invalid Auth Token"}, (st, r))
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app="other-app", video=VIDEO)
        expect(st == 403 and r["reason"] == "Wrong Application", r)
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video="other")
        expect(st == 403 and r["reason"] == "Not authorized for that video", r)
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video=VIDEO)
        expect(st == 200 and r["uses_left"] == 0, r)
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video=VIDEO)
        expect(st == 403 and r["reason"] == "Exceeded max views", r)
        # recheck: a running session may continue after the last use, spending nothing
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video=VIDEO,
                      action="recheck")
        expect(st == 200 and r["allowed"], r)

        rows = attempts(srv, key, at_least=6)
        expect([a["reason"] for a in rows] == ["Success", "Invalid Auth Token", "Wrong Application",
                                               "Not authorized for that video", "Success",
                                               "Exceeded max views"], rows)
        first = rows[0]
        expect(first["ip"] == "10.1.1.1" and first["app"] == APP and first["video"] == VIDEO, first)
        expect(first["appinst"] == "play" and first["pageurl"] == "http://site.example/p", first)
        expect(first["refurl"] == "http://site.example/r" and first["success"] == "1", first)
        expect(first["server"] == "sevu", first)


def test_a_grant_moves_the_reason_of_the_next_refusal():
    """A refusal is answered from memory for a second (docs/performance.md, "Refusals from
    memory"); a grant in that second spends the last use, so the next viewer at a wrong
    address or video is refused for `Exceeded max views`, the earlier rule of SPEC 4."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=1, ip="198.51.100.5")["key"]
        viewer = dict(key=key, app=APP, video=VIDEO, **{"pass": PASS})
        st, r = check(srv, **dict(viewer, ip="10.0.0.1"))
        expect(st == 403 and r["reason"] == "Invalid IP Address", r)
        st, r = check(srv, **dict(viewer, video="other", ip="198.51.100.5"))
        expect(st == 403 and r["reason"] == "Not authorized for that video", r)
        st, r = check(srv, **dict(viewer, ip="198.51.100.5"))
        expect(st == 200 and r["uses_left"] == 0, r)
        st, r = check(srv, **dict(viewer, ip="10.0.0.3"))
        expect(st == 403 and r["reason"] == "Exceeded max views", r)
        st, r = check(srv, **dict(viewer, video="other", ip="198.51.100.5"))
        expect(st == 403 and r["reason"] == "Exceeded max views", r)
        rows = attempts(srv, key, at_least=5)
        expect([a["reason"] for a in rows] == ["Invalid IP Address", "Not authorized for that video",
                                               "Success", "Exceeded max views",
                                               "Exceeded max views"], rows)


def test_check_refuses_malformed_and_decides_missing_key():
    with harness.Server() as srv:
        st, _, body = call(srv, "/hooks/check", b"{not json", content_type="application/json")
        expect(st == 400, body)
        st, r = check(srv, key="k", **{"pass": "p"}, app=APP, video=VIDEO)  # no ip
        expect(st == 400 and "ip" in r["message"], r)
        st, r = check(srv, ip="10.1.1.1", app=APP, video=VIDEO)  # no key: decided and logged
        expect(st == 403 and r["reason"] == "Invalid Auth Token", r)
        st, _, _ = call(srv, "/hooks/check", None, method="GET")
        expect(st == 405)
        st, _, _ = call(srv, "/hooks/nothing", b"{}")
        expect(st == 404)


def test_nginx_rtmp_calls():
    with harness.Server() as srv:
        t = harness.new_ticket(srv, uses=1)
        key = t["key"]
        viewer = "key=%s&pass=%s" % (key, PASS)
        # The viewer tries to pose as a publisher from another address: nginx's own
        # call/addr/app/name come first and win.
        st, body = nginx_rtmp(srv, nginx_play_fields(addr="10.2.2.2"),
                              viewer + "&call=publish&addr=1.2.3.4&app=x&name=y")
        expect(st == 200 and body == b"", (st, body))
        rows = attempts(srv, key)
        expect(len(rows) == 1 and rows[0]["ip"] == "10.2.2.2" and rows[0]["video"] == VIDEO, rows)
        expect(rows[0]["appinst"] == "play", rows)
        # Used up now.
        st, _ = nginx_rtmp(srv, nginx_play_fields(addr="10.2.2.2"), viewer)
        expect(st == 403)
        # on_update keeps the running viewer, without spending or logging...
        st, _ = nginx_rtmp(srv, nginx_play_fields("10.2.2.2", "update_play"), viewer)
        expect(st == 200)
        # ...until the ticket is revoked.
        revoke(srv, key)
        st, _ = nginx_rtmp(srv, nginx_play_fields("10.2.2.2", "update_play"), viewer)
        expect(st == 403)
        st, _ = nginx_rtmp(srv, nginx_play_fields("10.2.2.2", "play_done"), viewer)
        expect(st == 403)
        expect(count_attempts(srv, key) == 2)
        # connect/disconnect carry no decision; a body without call is malformed.
        st, _ = nginx_rtmp(srv, [("app", APP), ("flashver", ""), ("swfurl", ""), ("tcurl", ""),
                                 ("pageurl", ""), ("addr", "10.2.2.2"), ("epoch", "1"),
                                 ("call", "connect")])
        expect(st == 200)
        st, _ = nginx_rtmp(srv, [("name", VIDEO)])
        expect(st == 400)
        # The viewer's args arrive raw: a bad escape stays as it is, as PHP and nginx
        # leave it, so a typo is a refusal like any other (403), logged with its reason.
        other = harness.new_ticket(srv, uses=2)["key"]
        st, _ = nginx_rtmp(srv, nginx_play_fields(), "key=%s&pass=%%zz" % other)
        expect(st == 403)
        rows = attempts(srv, other)
        expect([a["reason"] for a in rows] == ["Invalid Auth Token"], rows)
        expect(uses_left(srv, other) == 2)


def test_nginx_rtmp_play_refusals_logged_with_reason():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=3, ip="10.3.0.0/16")["key"]
        cases = [
            (nginx_play_fields("10.3.1.1"), "key=%s&pass=nope" % key, "Invalid Auth Token"),
            (nginx_play_fields("10.3.1.1", app="other-app"), "key=%s&pass=%s" % (key, PASS),
             "Wrong Application"),
            (nginx_play_fields("10.4.1.1"), "key=%s&pass=%s" % (key, PASS), "Invalid IP Address"),
            (nginx_play_fields("10.3.1.1", name="other"), "key=%s&pass=%s" % (key, PASS),
             "Not authorized for that video"),
        ]
        for fields, args, _ in cases:
            st, _ = nginx_rtmp(srv, fields, args)
            expect(st == 403, args)
        rows = attempts(srv, key, at_least=len(cases))
        expect([a["reason"] for a in rows] == [c[2] for c in cases], rows)
        expect(uses_left(srv, key) == 3)


def test_srs_hooks():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=2)["key"]
        param = "?key=%s&pass=%s" % (key, PASS)
        st, _, body = call(srv, "/hooks/srs", srs_body("on_play", param, ip="10.5.5.5"))
        expect(st == 200 and body == b"0", (st, body))
        st, _, body = call(srv, "/hooks/srs", srs_body("on_play", "?key=%s&pass=bad" % key))
        expect(st == 403, (st, body))
        r = json.loads(body)
        expect(r["allowed"] is False and r["reason"] == "Invalid Auth Token", r)
        for action in ("on_stop", "on_connect", "on_close", "on_unpublish"):
            st, _, body = call(srv, "/hooks/srs", srs_body(action, param))
            expect(st == 200 and body == b"0", (action, st, body))
        st, _, _ = call(srv, "/hooks/srs", b"[]", content_type="application/json")
        expect(st == 400)
        rows = attempts(srv, key, at_least=2)
        expect(len(rows) == 2 and rows[0]["ip"] == "10.5.5.5" and rows[0]["success"] == "1", rows)
        expect(rows[0]["pageurl"] == "http://site.example/live.html", rows)
        expect(uses_left(srv, key) == 1)


def test_srs_hls_viewer_names_the_stream_by_its_playlist():
    """SRS's HLS context (hls_ctx, on by default) sends on_play with the stream
    named "mystream.m3u8" (SrsHlsStream::serve_m3u8_ctx); the ticket names
    "mystream"."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=2)["key"]
        body = srs_body("on_play", "?key=%s&pass=%s" % (key, PASS), stream=VIDEO + ".m3u8")
        body["stream_url"] = "/%s/%s" % (APP, VIDEO)
        st, _, reply = call(srv, "/hooks/srs", body)
        expect(st == 200 and reply == b"0", (st, reply))
        rows = attempts(srv, key, at_least=1)
        expect(rows[0]["video"] == VIDEO and rows[0]["success"] == "1", rows)
        expect(uses_left(srv, key) == 1)


def test_mediamtx_hooks():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=3)["key"]
        path = APP + "/" + VIDEO
        # Credentials in the URL's query (rtsp://host/demo-origin/mystream?key=..&pass=..)
        st, _, body = call(srv, "/hooks/mediamtx",
                            mediamtx_body("read", path, query="key=%s&pass=%s" % (key, PASS)))
        expect(st == 200, (st, body))
        # ...or as RTSP/HTTP login user/password, from another client
        st, _, body = call(srv, "/hooks/mediamtx",
                            mediamtx_body("read", path, user=key, password=PASS, ip="10.6.6.6"))
        expect(st == 200, (st, body))
        expect(uses_left(srv, key) == 1)
        # The same viewing asking again (RTSP DESCRIBE then PLAY) is no new start.
        st, _, body = call(srv, "/hooks/mediamtx",
                            mediamtx_body("read", path, user=key, password=PASS, ip="10.6.6.6"))
        expect(st == 200, (st, body))
        expect(uses_left(srv, key) == 1)
        st, _, body = call(srv, "/hooks/mediamtx", mediamtx_body("read", path, user=key,
                                                                 password="bad"))
        expect(st == 401, (st, body))
        for action in ("api", "metrics", "pprof"):
            st, _, body = call(srv, "/hooks/mediamtx",
                                mediamtx_body(action, "", user=key, password=PASS))
            expect(st == 401, (action, st, body))
        st, _, _ = call(srv, "/hooks/mediamtx", b"{\"action\": 5}", content_type="application/json")
        expect(st == 400)
        rows = attempts(srv, key, at_least=3)
        expect([a["reason"] for a in rows] == ["Success", "Success", "Invalid Auth Token"], rows)
        expect(rows[0]["appinst"] == "read", rows)


def test_publish_through_every_hook():
    with harness.Server() as srv:
        add_stream_user(srv, APP, VIDEO, "encoder1", "pub-Secret-9")
        # nginx-rtmp on_publish: user/pass in the publish args
        pub = nginx_play_fields("127.0.0.1", "publish")
        pub = [f for f in pub if f[0] not in ("start", "duration", "reset")] + [("type", "live")]
        st, _ = nginx_rtmp(srv, pub, "user=encoder1&pass=pub-Secret-9")
        expect(st == 200)
        st, _ = nginx_rtmp(srv, pub, "user=encoder1&pass=wrong")
        expect(st == 403)
        # SRS on_publish: param
        st, _, body = call(srv, "/hooks/srs", srs_body("on_publish", "?user=encoder1&pass=pub-Secret-9"))
        expect(st == 200 and body == b"0", body)
        # MediaMTX publish: login or query
        st, _, _ = call(srv, "/hooks/mediamtx", mediamtx_body("publish", APP + "/" + VIDEO,
                                                              user="encoder1", password="pub-Secret-9"))
        expect(st == 200)
        st, _, _ = call(srv, "/hooks/mediamtx", mediamtx_body("publish", APP + "/other",
                                                              user="encoder1", password="pub-Secret-9"))
        expect(st == 401)
        # generic
        st, r = check(srv, action="publish", user="encoder1", **{"pass": "pub-Secret-9"},
                      ip="127.0.0.1", app=APP, video=VIDEO)
        expect(st == 200 and r["reason"] == "Publish Authorized", r)
        # Operators find publishes in the account's errorlog (key ""); no password in it.
        rows = [a for a in attempts(srv, None, app=APP) if a["appinst"] == "publish"]
        # The publish to demo-origin/other had no stream user: it is still demo's
        # app ("demo-" prefix), so demo's log shows it.
        expect([a["reason"] for a in rows] == ["Publish Authorized", "Publish Denied: bad credentials",
                                               "Publish Authorized", "Publish Authorized",
                                               "Publish Denied: no stream user",
                                               "Publish Authorized"], rows)
        expect(all("pub-Secret-9" not in json.dumps(a) for a in rows), rows)


def test_one_account_cannot_open_another_accounts_app():
    """Apps named "<username>-..." belong to that account: another account's
    tickets and stream users never open them (docs/decisions.md, Tenancy)."""
    with harness.Server() as srv:
        evil = srv.create_account("evil")
        # evil may mint a ticket naming demo's app (the legacy API allows any app) ...
        t = harness.new_ticket(srv, account=evil, app="demo-*", video="*")
        st, r = check(srv, key=t["key"], **{"pass": t["pass"]}, ip="10.0.0.9", app=APP, video=VIDEO)
        expect(st == 403 and r["reason"] == "Wrong Application", r)
        # ... but its tickets open its own namespace and apps nobody owns.
        for app in ("evil-live", "shared-app", "plainapp"):
            t = harness.new_ticket(srv, account=evil, app=app, video=VIDEO)
            st, r = check(srv, key=t["key"], **{"pass": t["pass"]}, ip="10.0.0.9", app=app, video=VIDEO)
            expect(st == 200 and r["allowed"], (app, r))
        # A free stream user evil adds for demo's stream does not let anyone publish there.
        st, reply = harness.legacy(srv, "sevu.addstreamuser",
                                   {"app": APP, "stream": VIDEO, "user": None, "pass": None},
                                   account=evil)
        expect(reply["code"] == 2071, reply)
        st, r = check(srv, action="publish", ip="127.0.0.1", app=APP, video=VIDEO)
        expect(st == 403 and r["reason"] == "Publish Denied: no stream user", r)
        # evil sees its own ticket's refused attempt, but the publish went to demo's log.
        _, log = harness.legacy(srv, "sevu.errorlog", {"app": APP}, account=evil)
        expect([a["appinst"] for a in log["attempts"]] == ["play"], log)
        rows = [a for a in attempts(srv, None, app=APP) if a["appinst"] == "publish"]
        expect([a["reason"] for a in rows] == ["Publish Denied: no stream user"], rows)


def test_hook_token():
    with harness.Server(extra_args=["--hook-token", "h00k-T0ken"]) as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        fields = {"key": key, "pass": PASS, "ip": "10.1.1.1", "app": APP, "video": VIDEO}
        st, _ = check(srv, **fields)
        expect(st == 401)
        st, _ = check(srv, token="wrong", **fields)
        expect(st == 401)
        st, r = check(srv, token="h00k-T0ken", **fields)
        expect(st == 200 and r["allowed"], r)
        st, _, body = call(srv, "/hooks/check", fields, headers={"X-Sevu-Hook-Token": "h00k-T0ken"})
        expect(st == 200, body)
        # Either place carrying the right token is enough.
        st, _, body = call(srv, "/hooks/check", fields, headers={"X-Sevu-Hook-Token": "stale"},
                           token="h00k-T0ken")
        expect(st == 200, body)
        st, _, body = call(srv, "/hooks/check", fields, headers={"X-Sevu-Hook-Token": "h00k-T0ken"},
                           token="stale")
        expect(st == 200, body)
        st, _ = auth_request(srv, "/%s/%s.m3u8?key=%s&pass=%s" % (APP, VIDEO, key, PASS))
        expect(st == 401)
        st, _ = auth_request(srv, "/%s/%s.m3u8?key=%s&pass=%s" % (APP, VIDEO, key, PASS),
                             token="h00k-T0ken")
        expect(st == 200)
        # Refused calls never reached the usher.
        expect(count_attempts(srv, key) == 5)


def test_auth_request_session_and_revocation():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        q = "?key=%s&pass=%s" % (key, PASS)
        st, _ = auth_request(srv, "/%s/%s.m3u8%s" % (APP, VIDEO, q))
        expect(st == 200)
        for n in range(1, 6):
            st, _ = auth_request(srv, "/%s/%s-%d.ts%s" % (APP, VIDEO, n, q))
            expect(st == 200, n)
        st, _ = auth_request(srv, "/%s/%s.m3u8%s" % (APP, VIDEO, q))  # playlist refresh
        expect(st == 200)
        expect(uses_left(srv, key) == 4)
        expect(count_attempts(srv, key) == 1)
        # Another viewer address is another session: a start of its own.
        st, _ = auth_request(srv, "/%s/%s-6.ts%s" % (APP, VIDEO, q), ip="10.99.0.1")
        expect(st == 200)
        expect(uses_left(srv, key) == 3)
        # Bad ticket.
        st, _ = auth_request(srv, "/%s/%s.m3u8?key=%s&pass=nope" % (APP, VIDEO, key))
        expect(st == 403)
        # A path that cannot be read is the viewer's doing: denied with 403 (auth_request
        # turns any other status into a 500 for the viewer), and no use is spent.
        st, body = auth_request(srv, "/%s/../other/x.m3u8%s" % (APP, q))
        expect(st == 403 and json.loads(body)["allowed"] is False, (st, body))
        # A bad escape in the query stays as it is (as PHP reads it): a wrong pass, logged.
        st, body = auth_request(srv, "/%s/%s.m3u8?key=%s&pass=%%zz" % (APP, VIDEO, key))
        expect(st == 403 and json.loads(body)["reason"] == "Invalid Auth Token", (st, body))
        expect(uses_left(srv, key) == 3)
        # Revocation ends the running session at once.
        revoke(srv, key)
        st, _ = auth_request(srv, "/%s/%s-7.ts%s" % (APP, VIDEO, q))
        expect(st == 403)
        rows = attempts(srv, key)
        expect([a["reason"] for a in rows] ==
               ["Success", "Success", "Invalid Auth Token", "Invalid Auth Token"], rows)


def test_auth_request_headers_override_app_and_video():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=5, video="sestore3/demo/*")["key"]
        q = "?key=%s&pass=%s" % (key, PASS)
        st, _ = auth_request(srv, "/vod/sestore3/demo/a.mp4/playlist.m3u8" + q,
                             headers={"X-Sevu-App": APP})
        expect(st == 200)
        st, _ = auth_request(srv, "/vod/hls/x.m3u8" + q,
                             headers={"X-Sevu-App": APP, "X-Sevu-Video": "sestore3/demo/b.mp4"})
        expect(st == 200)
        st, _ = auth_request(srv, "/vod/sestore3/demo/a.mp4/playlist.m3u8" + q)  # app "vod"
        expect(st == 403)
        rows = attempts(srv, key, at_least=3)
        expect([(a["app"], a["video"]) for a in rows] ==
               [(APP, "sestore3/demo/a.mp4"), (APP, "sestore3/demo/b.mp4"),
                ("vod", "sestore3/demo/a.mp4")], rows)


def test_test_clock_expiry_and_idle_window():
    with harness.Server(extra_args=["--session-idle", "30"]) as srv:
        key = harness.new_ticket(srv, uses=5, expire="+1 hour")["key"]
        q = "?key=%s&pass=%s" % (key, PASS)
        seg = "/%s/%s-%%d.ts%s" % (APP, VIDEO, q)
        st, _ = auth_request(srv, seg % 1)
        expect(st == 200)
        srv.advance_clock(25)
        st, _ = auth_request(srv, seg % 2)  # within 30 s of the last request
        expect(st == 200)
        # (Its uses are counted below, so that nothing between this request and
        # the next start has the server read the ticket afresh.)
        srv.advance_clock(31)
        st, _ = auth_request(srv, seg % 3)  # idle too long: a new start
        expect(st == 200)
        # The reopened session's next segment says what is left now, not what
        # its previous life read (well within a second on the wall clock).
        st, body = auth_request(srv, seg % 5)
        expect(st == 200 and json.loads(body)["uses_left"] == 3, body)
        expect(uses_left(srv, key) == 3)  # two starts: the request within 30 s spent nothing
        expect(count_attempts(srv, key) == 2)
        # Past the expiry: the live session ends at once, starts are refused.
        srv.advance_clock(3600)
        st, _ = auth_request(srv, seg % 4)
        expect(st == 403)
        st, r = check(srv, key=key, **{"pass": PASS}, ip="10.1.1.1", app=APP, video=VIDEO)
        expect(st == 403 and r["reason"] == "Expiration date surpassed", r)
        st, _ = nginx_rtmp(srv, nginx_play_fields("10.1.1.1", "update_play"),
                           "key=%s&pass=%s" % (key, PASS))
        expect(st == 403)


def test_attempts_list_as_valid_json_whatever_bytes_the_viewer_sends():
    """A viewer controls the stream name and query: bytes that are not UTF-8 are
    logged repaired (U+FFFD), so both attempt listings stay valid JSON."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        body = ("app=%s&flashver=&swfurl=&tcurl=&pageurl=http%%3A%%2F%%2Fx%%2F%%FF&addr=10.7.7.7&"
                "clientid=1&call=play&name=my%%FEstream&start=0&duration=0&reset=0&key=%s&pass=%s"
                % (APP, key, PASS))
        st, _, _ = call(srv, "/hooks/nginx-rtmp", body,
                        content_type="application/x-www-form-urlencoded")
        expect(st == 403)
        st, _, _ = call(srv, "/hooks/srs", b'{"action":"on_play","ip":"10.7.7.8","app":"' +
                        APP.encode() + b'","stream":"\xff\xc3","param":"?key=' + key.encode() +
                        b'&pass=' + PASS.encode() + b'"}', content_type="application/json")
        expect(st == 403)
        st, _, body = call(srv, "/hooks/srs", b'{"action":"on_\xff"}',
                           content_type="application/json")
        expect(st == 400 and json.loads(body.decode("utf-8"))["error"] == "BAD_REQUEST", body)

        req = harness.sign(harness.legacy_request("sevu.attempts", {"key": key}),
                           harness.DEMO["secret"])
        wire, ctype = harness.encode_body(harness.php_json_encode(req), "multipart")
        st, _, data = harness.post_raw(srv.api_url + "/stable/", wire, ctype)
        rows = json.loads(data.decode("utf-8"))["attempts"]  # strict: fails on invalid UTF-8
        expect([(a["video"], a["reason"]) for a in rows] ==
               [("my\ufffdstream", "Not authorized for that video"),
                ("\ufffd\ufffd", "Not authorized for that video")], rows)
        expect(rows[0]["pageurl"] == "http://x/\ufffd", rows)

        # The same rows through the v2 object API.
        st, _, data = harness.request("GET", srv.api_url + "/v2/sevu_attempt/" + key,
                                      auth=(harness.DEMO["cdn"], harness.DEMO["secret"]))
        v2_rows = json.loads(data.decode("utf-8"))
        expect(st == 200 and [(a["ip"], a["video"], a["success"]) for a in v2_rows] ==
               [("10.7.7.7", "my\ufffdstream", False), ("10.7.7.8", "\ufffd\ufffd", False)],
               v2_rows)


def test_any_bytes_a_viewer_sends_are_decided_alike_on_every_store():
    """A granted start with a stream name that is not UTF-8 or holds a NUL opens a
    session like any other, on SQLite and on PostgreSQL (whose text can hold neither);
    a key or an app with a NUL matches nothing."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=5, video="*")["key"]
        body = ("app=%s&flashver=&swfurl=&tcurl=&pageurl=&addr=10.7.7.9&clientid=9&call=play&"
                "name=caf%%E9&start=0&duration=0&reset=0&key=%s&pass=%s" % (APP, key, PASS))
        st, _, reply = call(srv, "/hooks/nginx-rtmp", body,
                            content_type="application/x-www-form-urlencoded")
        expect(st == 200, (st, reply))
        st, r = check(srv, key=key, ip="10.7.7.10", app=APP, video="a\u0000b",
                                 **{"pass": PASS}, session="s-1")
        expect(st == 200 and r["allowed"], (st, r))
        st, r = check(srv, key=key + "\u0000", ip="10.7.7.10", app=APP, video="v",
                                 **{"pass": PASS})
        expect(st == 403 and r["reason"] == "Invalid Auth Token", (st, r))
        st, r = check(srv, action="publish", user="u", ip="10.7.7.10",
                                 app="demo\u0000-origin", video="cam", **{"pass": "p"})
        expect(st == 403, (st, r))
        expect(uses_left(srv, key) == 3)
        rows = attempts(srv, key, at_least=2)
        expect([a["video"] for a in rows] == ["caf\ufffd", "a\ufffdb"], rows)


def test_malformed_requests_are_refused_never_crash():
    junk = [b"", b"\x00\xff\xfe", b"{", b"[]", b"null", b'{"action":["on_play"]}',
            b"%%%", b"a=%zz&call=play", b"=&&=&call", b'{"ip":{"a":1},"action":"read"}',
            b"x" * 100000]
    with harness.Server() as srv:
        for path in ("/hooks/nginx-rtmp", "/hooks/srs", "/hooks/mediamtx", "/hooks/check"):
            for body in junk:
                for ctype in ("application/json", "application/x-www-form-urlencoded"):
                    st, _, _ = call(srv, path, body, content_type=ctype)
                    expect(st in (400, 401, 403), (path, body[:20], st))
        for uri in ("", "/", "%", "/a/%zz.m3u8", "/a/../b.m3u8", "/%00/x.ts", "http://", "?key=%"):
            st, _ = auth_request(srv, uri)
            expect(st in (400, 403), (uri, st))
        st, _, _ = call(srv, "/hooks/auth-request", None, method="GET")  # no headers at all
        expect(st == 400)
        st, _, body = harness.request("GET", srv.hook_url + "/healthz")
        expect(st == 200, body)
        expect(srv.proc.poll() is None)


if __name__ == "__main__":
    harness.main(globals())
