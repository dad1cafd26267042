"""Real nginx + libnginx-mod-rtmp in front of sevu-server (docs/hooks.md): ffmpeg
publishes a generated stream as a stream user, ffprobe/ffmpeg play it with
tickets. The nginx config is tests/e2e/nginx/rtmp.conf.in (also in docs/hooks.md)."""

import contextlib
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import (RTMP_MODULE, Nginx, add_stream_user, attempts,  # noqa: E402
                        hook_calls_seen, revoke, stop_process, uses_left)

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
HOOK_TOKEN = "nginx-h00k-T"
PUBLISHER = ("encoder1", "pub-Secret-9")


def rtmp_url(ngx, query, app=APP, video=VIDEO):
    return "rtmp://127.0.0.1:%d/%s/%s?%s" % (ngx.port("RTMP_PORT"), app, video, query)


def publish(ngx, user, password, seconds=120, video=VIDEO):
    """ffmpeg pushing a generated 320x240 test stream; bounded by -t. Its output goes
    nowhere: an unread pipe could fill up and stall a long-running publisher."""
    return subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
         "-f", "flv", rtmp_url(ngx, "user=%s&pass=%s" % (user, password), video=video)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def probe(ngx, query, app=APP, video=VIDEO, timeout=60):
    """(exit code, stream types) as ffprobe sees rtmp://.../app/video?query."""
    try:
        p = subprocess.run(
            ["ffprobe", "-v", "error", "-rw_timeout", "10000000", "-show_entries",
             "stream=codec_type", "-of", "csv=p=0", rtmp_url(ngx, query, app, video)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", []
    return p.returncode, p.stdout.split()


def ticket_query(key, password=PASS):
    return "key=%s&pass=%s" % (key, password)


def wait_for(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def publish_rows(srv):
    return [a for a in attempts(srv, None, app=APP) if a["appinst"] == "publish"]


@contextlib.contextmanager
def live_stream():
    """sevu-server (hook token on), nginx-rtmp, and an authorized publisher."""
    expect(os.path.exists(RTMP_MODULE), "libnginx-mod-rtmp is not installed")
    with harness.Server(extra_args=["--hook-token", HOOK_TOKEN]) as srv:
        add_stream_user(srv, APP, VIDEO, *PUBLISHER)
        with Nginx("rtmp.conf.in", ports=("RTMP_PORT",), HOOK="127.0.0.1:%d" % srv.hook_port,
                   HOOK_TOKEN=HOOK_TOKEN) as ngx:
            pub = publish(ngx, *PUBLISHER)
            try:
                authorized = wait_for(lambda: any(a["reason"] == "Publish Authorized"
                                                  for a in publish_rows(srv)), 30)
                expect(authorized, "publisher not authorized: %r" % publish_rows(srv))
                expect(pub.poll() is None, "publisher exited")
                yield srv, ngx
            finally:
                stop_process(pub)


def test_publish_needs_a_stream_user():
    with live_stream() as (srv, ngx):
        # Wrong password, and a stream without any stream user: nginx refuses both.
        # (A stream without a stream user in demo's own app is logged for demo.)
        for user, password, video in (("encoder1", "wrong", VIDEO), ("x", "y", "nobody")):
            p = publish(ngx, user, password, seconds=5, video=video)
            try:
                p.wait(timeout=60)
            finally:
                stop_process(p)
            expect(p.returncode != 0, "publish with %s/%s was accepted" % (user, password))
        rows = publish_rows(srv)
        expect([a["reason"] for a in rows] == ["Publish Authorized", "Publish Denied: bad credentials",
                                               "Publish Denied: no stream user"], rows)
        expect(rows[0]["video"] == VIDEO and rows[0]["ip"] == "127.0.0.1", rows)


def test_play_with_tickets():
    with live_stream() as (srv, ngx):
        good = harness.new_ticket(srv, uses=5)["key"]
        rc, streams = probe(ngx, ticket_query(good))
        expect(rc == 0 and "video" in streams, (rc, streams))
        expect(uses_left(srv, good) == 4)
        rows = attempts(srv, good)
        expect(len(rows) == 1 and rows[0]["reason"] == "Success" and rows[0]["ip"] == "127.0.0.1",
               rows)
        expect(rows[0]["app"] == APP and rows[0]["video"] == VIDEO and rows[0]["appinst"] == "play",
               rows)

        # Each refusal: ffprobe gets nothing, and the attempt is logged with its reason.
        wrong_app = harness.new_ticket(srv, app="demo-other")["key"]
        wrong_video = harness.new_ticket(srv, video="otherstream")["key"]
        one_use = harness.new_ticket(srv, uses=1)["key"]
        revoked = harness.new_ticket(srv)["key"]
        revoke(srv, revoked)
        rc, streams = probe(ngx, ticket_query(one_use))
        expect(rc == 0 and "video" in streams, (rc, streams))
        cases = [(good, "nope", "Invalid Auth Token"),
                 (revoked, PASS, "Token Revoked"),
                 (wrong_app, PASS, "Wrong Application"),
                 (wrong_video, PASS, "Not authorized for that video"),
                 (one_use, PASS, "Exceeded max views")]
        for key, password, reason in cases:
            rc, streams = probe(ngx, ticket_query(key, password))
            expect(rc != 0 and "video" not in streams, (reason, rc, streams))
            # A refusal's row may come a moment after the answer (group commit).
            wait_for(lambda: (attempts(srv, key) or [{}])[-1].get("reason") == reason, 10)
            last = attempts(srv, key)[-1]
            expect(last["reason"] == reason and last["success"] == "0", (reason, last))
        # A viewer's forged duplicate fields change nothing: still this app/stream/address.
        rc, streams = probe(ngx, ticket_query(good) + "&call=publish&addr=6.6.6.6&name=x")
        expect(rc == 0 and "video" in streams, (rc, streams))
        last = attempts(srv, good)[-1]
        expect(last["ip"] == "127.0.0.1" and last["video"] == VIDEO and last["success"] == "1", last)

        # Expiry, moved by the test clock.
        expiring = harness.new_ticket(srv, expire="+1 hour")["key"]
        srv.advance_clock(2 * 3600)
        rc, streams = probe(ngx, ticket_query(expiring))
        expect(rc != 0 and "video" not in streams, (rc, streams))
        expect(attempts(srv, expiring)[-1]["reason"] == "Expiration date surpassed")


def test_revocation_cuts_a_running_viewer():
    with live_stream() as (srv, ngx):
        key = harness.new_ticket(srv, uses=5)["key"]
        player = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-rw_timeout", "10000000",
             "-i", rtmp_url(ngx, ticket_query(key)), "-t", "120", "-f", "null", "-"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            expect(wait_for(lambda: len(attempts(srv, key)) == 1, 30), "player never asked")
            expect(attempts(srv, key)[0]["reason"] == "Success")
            # Past the player's first on_update (the publisher's run on the same 2 s
            # timer, so four calls include at least one of the player's): still allowed.
            calls = hook_calls_seen(srv)
            expect(wait_for(lambda: calls() >= 4, 30), "nginx sent no on_update")
            expect(player.poll() is None, "player stopped before revocation")
            revoked_at = time.monotonic()
            revoke(srv, key)
            # notify_update_timeout 2s: nginx asks again within 2 s and drops the viewer;
            # the bound leaves room for a slow machine, still "within a few seconds".
            ended = wait_for(lambda: player.poll() is not None, 20, 0.1)
            expect(ended, "viewer still playing 20 s after revocation")
            expect(time.monotonic() - revoked_at < 10, "took %.1f s" % (time.monotonic() - revoked_at))
        finally:
            stop_process(player)
        expect(len(attempts(srv, key)) == 1)  # updates log nothing
        expect(uses_left(srv, key) == 4)


if __name__ == "__main__":
    harness.main(globals())
