"""OvenMediaEngine AdmissionWebhooks, POST /hooks/ome, over real HTTP (docs/hooks.md, OME).

OvenMediaEngine is not in Debian, so the calls are made here as OME makes them. The
request body is OME's documented request format, verbatim but for its "a | b"
placeholders and the url (our app, stream and key):
https://airensoft.gitbook.io/ovenmediaengine/access-control/admission-webhooks
(github.com/AirenSoft/OvenMediaEngine, docs/access-control/admission-webhooks.md,
"Request" / "Format"). The signature is computed as OME's AdmissionWebhooks::Run does
(src/projects/modules/access_control/admission_webhooks/admission_webhooks.cpp):
ov::Base64::Encode(HMAC-SHA1(SecretKey, body), url=true), i.e. base64url without '='.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import add_stream_user, attempts, call, count_attempts, uses_left  # noqa: E402
from test_v2_api import v2  # noqa: E402

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
SECRET = "0me-Secret-Key"

# From the OME documentation (see the module docstring); %s: direction, protocol,
# status, url.
OME_DOC_BODY = """{
  "client": 
  {
    "address": "211.233.58.86",
    "port": 29291,
    "real_ip": "192.0.2.43",
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36"
  },
  "request":
  {
    "direction": "%s",
    "protocol": "%s",
    "status": "%s",
    "url": "%s",
    "new_url": "scheme://host[:port]/app/new_stream/file?query=value&query2=value2",
    "time": "2021-05-12T13:45:00.000Z"
  }
}"""


def ome_signature(body, secret=SECRET):
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha1).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def play_url(key, password=PASS, app=APP, stream=VIDEO):
    return "ws://ome.example:3333/%s/%s?key=%s&pass=%s" % (app, stream, key, password)


def doc_body(url, direction="outgoing", protocol="webrtc", status="opening", real_ip=True):
    body = OME_DOC_BODY % (direction, protocol, status, url)
    if not real_ip:  # no proxy in front of OME: OME sends no real_ip
        body = body.replace('    "real_ip": "192.0.2.43",\n', "")
    return body


def ome(srv, body, signature=None, secret=SECRET, token=None):
    """(status, parsed JSON or raw bytes) of one signed call, as OME sends it."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if signature is None:
        signature = ome_signature(body, secret)
    if signature is not False:
        headers["X-OME-Signature"] = signature
    st, _, data = call(srv, "/hooks/ome", body, headers=headers, token=token)
    try:
        return st, json.loads(data)
    except ValueError:
        return st, data


def secret_file(tmp):
    path = os.path.join(tmp, "ome-secret")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(path, 0o600)
    return path


def ome_server(*extra):
    """A server whose OME secret comes from a file in its own temporary directory."""
    srv = harness.Server(extra_args=extra)
    srv.extra_args += ["--ome-secret-file", secret_file(srv.tmp)]
    return srv


def test_opening_is_a_start_with_a_lifetime_to_expiry():
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=3, expire="+1 hour")["key"]
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and set(r) == {"allowed", "lifetime"} and r["allowed"] is True, (st, r))
        # Ticket time in whole seconds: an hour, less the seconds this test took.
        expect(3600 * 1000 - 60 * 1000 <= r["lifetime"] <= 3600 * 1000, r)
        expect(r["lifetime"] % 1000 == 0, r)
        expect(uses_left(srv, key) == 2)
        # The lifetime counts on the usher's clock: half an hour later, half as long.
        expect(srv.advance_clock(1800)[0] == 200)
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and r["allowed"] is True, r)
        expect(1800 * 1000 - 60 * 1000 <= r["lifetime"] <= 1800 * 1000, r)
        expect(uses_left(srv, key) == 1)
        # Every opening is a start of its own, logged like any other.
        rows = attempts(srv, key, at_least=2)
        expect([a["reason"] for a in rows] == ["Success", "Success"], rows)
        first = rows[0]
        expect(first["app"] == APP and first["video"] == VIDEO, first)
        expect(first["appinst"] == "webrtc" and first["success"] == "1", first)


def test_refusals_answer_200_with_the_reason():
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=1)["key"]
        st, r = ome(srv, doc_body(play_url(key, password="wrong")))
        expect(st == 200 and r == {"allowed": False, "reason": "Invalid Auth Token"}, (st, r))
        st, r = ome(srv, doc_body(play_url(key, stream="other")))
        expect(st == 200 and r == {"allowed": False, "reason": "Not authorized for that video"}, r)
        st, r = ome(srv, doc_body(play_url(key), protocol="llhls"))
        expect(st == 200 and r["allowed"] is True, r)
        st, r = ome(srv, doc_body(play_url(key), protocol="srt"))
        expect(st == 200 and r == {"allowed": False, "reason": "Exceeded max views"}, r)
        rows = attempts(srv, key, at_least=4)
        expect([(a["reason"], a["appinst"]) for a in rows] ==
               [("Invalid Auth Token", "webrtc"), ("Not authorized for that video", "webrtc"),
                ("Success", "llhls"), ("Exceeded max views", "srt")], rows)
        expect(all(PASS not in json.dumps(a) and "wrong" not in json.dumps(a) for a in rows), rows)


def test_real_ip_is_preferred_over_the_connected_address():
    with ome_server() as srv:
        # The ticket opens to the address the proxy in front of OME vouches for only.
        key = harness.new_ticket(srv, uses=5, ip="192.0.2.43")["key"]
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and r["allowed"] is True, r)
        st, r = ome(srv, doc_body(play_url(key), real_ip=False))
        expect(st == 200 and r == {"allowed": False, "reason": "Invalid IP Address"}, r)
        rows = attempts(srv, key, at_least=2)
        expect([a["ip"] for a in rows] == ["192.0.2.43", "211.233.58.86"], rows)


def test_real_ip_counts_only_from_the_peers_named():
    """OME copies real_ip from any client's X-Real-IP: --ome-real-ip-from names whose counts."""
    for named, counted in (("211.233.58.0/24|10.0.0.0/8", "192.0.2.43"), ("10.0.0.0/8", "211.233.58.86"),
                           ("none", "211.233.58.86")):
        with ome_server("--ome-real-ip-from", named) as srv:
            key = harness.new_ticket(srv, uses=5, ip="192.0.2.43")["key"]
            st, r = ome(srv, doc_body(play_url(key)))
            allowed = counted == "192.0.2.43"
            expect(st == 200 and r["allowed"] is allowed, (named, r))
            rows = attempts(srv, key, at_least=1)
            expect([a["ip"] for a in rows] == [counted], (named, rows))
    with harness.Server() as srv:
        args = [harness.SERVER_BIN, "serve", "--db", srv.db, "--check-config", "--ome-real-ip-from"]
        for bad in ("auto/24", "10.0.0.0/33", "proxy.example"):
            p = subprocess.run(args + [bad], capture_output=True, text=True)
            expect(p.returncode == 2 and "--ome-real-ip-from" in p.stderr, (bad, p.stderr))
        p = subprocess.run(args + ["10.0.0.0/8|::1"], capture_output=True, text=True)
        expect(p.returncode == 0, p.stderr)


def test_a_thumbnail_is_no_part_of_an_ended_session():
    """A thumbnail fetched from the address and port of a closed player is still a re-check."""
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=3)["key"]
        body = with_port(doc_body(play_url(key)), 6000)
        expect(ome(srv, body)[1]["allowed"] is True)
        expect(ome(srv, body.replace('"opening"', '"closing"'))[0] == 200)
        thumb = "https://ome.example:3334/%s/%s/thumb.jpg?key=%s&pass=%s" % (APP, VIDEO, key, PASS)
        st, r = ome(srv, with_port(doc_body(thumb, protocol="Thumbnail"), 6000))
        expect(st == 200 and r["allowed"] is True, r)
        # OME names HTTP Live Streaming v3 HLSv3: its closing, from another connection, ends it.
        expect(ome(srv, with_port(doc_body(play_url(key), protocol="HLSv3"), 40001))[1]["allowed"] is True)
        expect(len(sessions(srv, key)) == 1, sessions(srv, key))
        closing = with_port(doc_body(play_url(key), protocol="HLSv3", status="closing"), 40007)
        expect(ome(srv, closing) == (200, {}))
        expect(sessions(srv, key) == [], sessions(srv, key))


def sessions(srv, key):
    st, _, body = v2(srv, "GET", "/v2/sevu_token/%s/sessions" % key)
    expect(st == 200, (st, body))
    return body


def test_closing_answers_an_empty_object_and_spends_nothing():
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=3)["key"]
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and r["allowed"] is True, r)
        live = sessions(srv, key)
        expect(len(live) == 1 and live[0]["media_server"] == "ome" and
               live[0]["protocol"] == "webrtc", live)
        st, r = ome(srv, doc_body(play_url(key), status="closing"))
        expect(st == 200 and r == {}, (st, r))
        expect(sessions(srv, key) == [])  # the closing ended the viewer's session
        # A closing without a key (a player turned away before it had one) and a
        # publisher's closing: nothing to end, the same answer.
        st, r = ome(srv, doc_body("ws://ome.example:3333/%s/%s" % (APP, VIDEO), status="closing"))
        expect(st == 200 and r == {}, r)
        st, r = ome(srv, doc_body("rtmp://ome.example:1935/%s/%s" % (APP, VIDEO),
                                  direction="incoming", protocol="rtmp", status="closing"))
        expect(st == 200 and r == {}, r)
        expect(uses_left(srv, key) == 2)
        expect(count_attempts(srv, key) == 1)


def with_port(body, port):
    return body.replace('"port": 29291', '"port": %d' % port)


def test_an_hls_closing_from_another_connection_ends_the_viewing():
    """OME's LL-HLS publisher sends the closing from whichever of the player's
    HTTP connections closed last: not the opening's port."""
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=3, max_viewers=1)["key"]
        url = "https://ome.example:3334/%s/%s/llhls.m3u8?key=%s&pass=%s" % (APP, VIDEO, key, PASS)
        st, r = ome(srv, with_port(doc_body(url, protocol="llhls"), 5000))
        expect(st == 200 and r["allowed"] is True, r)
        live = sessions(srv, key)
        expect(len(live) == 1 and live[0]["protocol"] == "llhls", live)
        st, r = ome(srv, with_port(doc_body(url, protocol="llhls", status="closing"), 5001))
        expect(st == 200 and r == {}, (st, r))
        expect(sessions(srv, key) == [])
        # The viewer comes back: the one screen the ticket allows is free again.
        st, r = ome(srv, with_port(doc_body(url, protocol="llhls"), 5002))
        expect(st == 200 and r["allowed"] is True, r)
        expect(uses_left(srv, key) == 1)


def test_thumbnails_are_checked_but_spend_nothing():
    """OME's thumbnail publisher sends an opening for every image and no closing."""
    with ome_server() as srv:
        key = harness.new_ticket(srv, uses=2, max_viewers=1)["key"]
        url = "https://ome.example:3334/%s/%s/thumb.jpg?key=%s&pass=%s"
        for port in (6000, 6001, 6002):
            st, r = ome(srv, with_port(doc_body(url % (APP, VIDEO, key, PASS), protocol="thumbnail"), port))
            expect(st == 200 and r["allowed"] is True and "lifetime" in r, r)
        st, r = ome(srv, doc_body(url % (APP, VIDEO, key, "wrong"), protocol="thumbnail"))
        expect(st == 200 and r == {"allowed": False, "reason": "Invalid Auth Token"}, r)
        st, r = ome(srv, doc_body(url % (APP, "other", key, PASS), protocol="thumbnail"))
        expect(st == 200 and r == {"allowed": False, "reason": "Not authorized for that video"}, r)
        expect(uses_left(srv, key) == 2 and sessions(srv, key) == [])
        expect(count_attempts(srv, key) == 0)
        # The player still gets the ticket's one screen.
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and r["allowed"] is True, r)
        expect(uses_left(srv, key) == 1)


def test_publish_with_a_stream_user():
    with ome_server("--publish-fail-delay", "0") as srv:
        add_stream_user(srv, APP, VIDEO, "encoder1", "pub-Secret-9")
        url = "rtmp://ome.example:1935/%s/%s?user=encoder1&pass=%s"
        body = doc_body(url % (APP, VIDEO, "pub-Secret-9"), direction="incoming", protocol="rtmp")
        st, r = ome(srv, body)
        expect(st == 200 and r == {"allowed": True}, (st, r))  # stream users never expire
        body = doc_body(url % (APP, VIDEO, "wrong"), direction="incoming", protocol="srt")
        st, r = ome(srv, body)
        expect(st == 200 and r == {"allowed": False, "reason": "Publish Denied: bad credentials"}, r)
        rows = [a for a in attempts(srv, None, app=APP, at_least=2) if a["appinst"] == "publish"]
        expect([a["reason"] for a in rows] ==
               ["Publish Authorized", "Publish Denied: bad credentials"], rows)
        expect(all(a["ip"] == "192.0.2.43" for a in rows), rows)
        expect(all("pub-Secret-9" not in json.dumps(a) for a in rows), rows)


def test_bad_or_missing_signature_is_refused_before_anything():
    with ome_server("--hook-token", "h00k-T0ken") as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        body = doc_body(play_url(key))
        good = ome_signature(body)
        refused = [
            ome(srv, body, signature=False, token="h00k-T0ken"),                  # none
            ome(srv, body, signature="", token="h00k-T0ken"),                     # empty
            ome(srv, body, secret="another-secret", token="h00k-T0ken"),          # wrong key
            ome(srv, body, signature=good.replace("-", "+").replace("_", "/") + "x",
                token="h00k-T0ken"),                                               # not it
            ome(srv, body + " ", signature=good, token="h00k-T0ken"),             # body changed
            ome(srv, body.replace(PASS, "wrong"), signature=good, token="h00k-T0ken"),
        ]
        for st, r in refused:
            expect(st == 401 and r["error"] == "UNAUTHORIZED", (st, r))
        # Not one of them was decided: nothing logged, nothing spent.
        expect(count_attempts(srv, key) == 0)
        expect(uses_left(srv, key) == 5)
        # The hook token comes first, as on every hook (OME puts it in ControlServerUrl).
        st, r = ome(srv, body)
        expect(st == 401 and "hook token" in r["message"], r)
        # Signed and with the token: decided. A padded signature is the same signature.
        st, r = ome(srv, body, signature=good + "=", token="h00k-T0ken")
        expect(st == 200 and r["allowed"] is True, r)
        expect(count_attempts(srv, key) == 1)


def test_without_a_secret_every_call_is_refused():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        body = doc_body(play_url(key))
        st, r = ome(srv, body)
        expect(st == 401 and r["error"] == "UNAUTHORIZED" and "--ome-secret" in r["message"],
               (st, r))
        st, r = ome(srv, body, signature=False)  # and a call without one
        expect(st == 401 and r["error"] == "UNAUTHORIZED", (st, r))
        expect(count_attempts(srv, key) == 0)
    # The secret may come from the environment, like every secret option.
    with harness.Server(env={"SEVU_OME_SECRET": SECRET}) as srv:
        key = harness.new_ticket(srv, uses=5)["key"]
        st, r = ome(srv, doc_body(play_url(key)))
        expect(st == 200 and r["allowed"] is True, r)


def test_the_secret_options_are_checked_at_start():
    with harness.Server() as srv:
        path = secret_file(srv.tmp)
        args = [harness.SERVER_BIN, "serve", "--db", srv.db, "--check-config"]
        p = subprocess.run(args + ["--ome-secret", SECRET, "--ome-secret-file", path],
                           capture_output=True, text=True)
        expect(p.returncode == 2 and "not both" in p.stderr, p.stderr)
        p = subprocess.run(args, capture_output=True, text=True,
                           env=dict(os.environ, SEVU_OME_SECRET=""))
        expect(p.returncode == 2 and "SEVU_OME_SECRET is set but empty" in p.stderr, p.stderr)
        p = subprocess.run(args + ["--ome-secret-file", path], capture_output=True, text=True)
        expect(p.returncode == 0, p.stderr)
        expect(SECRET not in p.stdout + p.stderr)


def test_malformed_calls_are_refused():
    with ome_server() as srv:
        # The documentation's example as it stands: "incoming | outgoing" is no direction.
        template = OME_DOC_BODY % ("incoming | outgoing", "webrtc | rtmp | srt | llhls | thumbnail",
                                   "opening | closing",
                                   "scheme://host[:port]/app/stream/file?query=value&query2=value2")
        for body in (template, "{not json", "[]", '{"client":{},"request":{}}',
                     doc_body(play_url("k", app="a%zz"))):
            st, r = ome(srv, body)
            expect(st == 400 and r["error"] == "BAD_REQUEST", (body[:40], st, r))
        # JSON nested past the one limit (docs/hooks.md): 400 once signed, 401 unsigned.
        deep = '{"client":' + '{"a":' * 100 + "1" + "}" * 100 + "}"
        st, r = ome(srv, deep)
        expect(st == 400 and "nested deeper" in r["message"], (st, r))
        st, r = ome(srv, deep, signature=False)
        expect(st == 401, (st, r))
        st, r = ome(srv, "{not json", signature=False)
        expect(st == 401, (st, r))
        st, _, _ = call(srv, "/hooks/ome", None, method="GET")
        expect(st == 405)
        expect(srv.proc.poll() is None)


if __name__ == "__main__":
    harness.main(globals())
