"""Viewing sessions with real media servers (docs/sessions.md): nginx-rtmp + ffmpeg viewers on
tickets with max_viewers 1 (end_oldest bumps the first viewer, deny refuses the second), an
RTMP viewer dropped by DELETE /v2/sevu_token/{key}/sessions/{id}, and nginx HLS, where an
ended session's next segment gets 403. The nginx configs are tests/e2e/nginx/rtmp.conf.in and
hls.conf.in (also in docs/hooks.md)."""
# e2e: sqlite only: the media-server path is the same on both stores; sessions and limits on PostgreSQL are covered by e2e-pg.test_sessions_api

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import attempts, stop_process, uses_left  # noqa: E402
from test_nginx_hls import get, hls_site, playlist_url, segment_urls  # noqa: E402
from test_nginx_rtmp import live_stream, probe, rtmp_url, ticket_query, wait_for  # noqa: E402
from test_v2_api import v2  # noqa: E402


def player(ngx, key):
    """An ffmpeg viewer reading the stream for up to two minutes."""
    return subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-rw_timeout", "10000000",
         "-i", rtmp_url(ngx, ticket_query(key)), "-t", "120", "-f", "null", "-"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sessions(srv, key):
    st, _, body = v2(srv, "GET", "/v2/sevu_token/%s/sessions" % key)
    expect(st == 200, (st, body))
    return body


def granted(srv, key):
    return [a for a in attempts(srv, key) if a["reason"] == "Success"]


def start_playing(srv, ngx, key, already=0):
    """A viewer whose start was granted and whose session is listed."""
    p = player(ngx, key)
    expect(wait_for(lambda: len(granted(srv, key)) == already + 1, 30), "player never granted")
    return p


def still_playing(p, seconds):
    """True when p is still running after `seconds` (several of nginx's 2 s re-checks)."""
    time.sleep(seconds)
    return p.poll() is None


def test_end_oldest_drops_the_first_rtmp_viewer():
    with live_stream() as (srv, ngx):
        key = harness.new_ticket(srv, uses=10, max_viewers=1, when_full="end_oldest")["key"]
        first = start_playing(srv, ngx, key)
        second = None
        try:
            expect(wait_for(lambda: len(sessions(srv, key)) == 1, 10), sessions(srv, key))
            first_id = sessions(srv, key)[0]["id"]
            second = start_playing(srv, ngx, key, already=1)
            # The first one is bumped: nginx's next on_update for it (every 2 s) gets 403.
            expect(wait_for(lambda: first.poll() is not None, 20, 0.1),
                   "first viewer still playing 20 s after the second started")
            expect(second.poll() is None, "the second viewer stopped")
            live = sessions(srv, key)
            expect(len(live) == 1 and live[0]["id"] != first_id, live)
            expect(still_playing(second, 5), "the second viewer was dropped")
        finally:
            stop_process(first)
            if second:
                stop_process(second)
        expect(uses_left(srv, key) == 8)


def test_deny_refuses_the_second_rtmp_viewer_and_the_first_plays_on():
    with live_stream() as (srv, ngx):
        key = harness.new_ticket(srv, uses=10, max_viewers=1, when_full="deny")["key"]
        first = start_playing(srv, ngx, key)
        try:
            rc, streams = probe(ngx, ticket_query(key))
            expect(rc != 0 and "video" not in streams, (rc, streams))
            expect(wait_for(lambda: attempts(srv, key)[-1]["reason"] == "Too many viewers", 10),
                   attempts(srv, key))
            expect(still_playing(first, 5), "the first viewer was dropped")
            expect(len(sessions(srv, key)) == 1)
        finally:
            stop_process(first)
        expect(uses_left(srv, key) == 9)  # the refused start spent nothing
        # The first viewer left: nginx's play_done closes its session, so a new viewer fits.
        expect(wait_for(lambda: sessions(srv, key) == [], 10), sessions(srv, key))
        rc, streams = probe(ngx, ticket_query(key))
        expect(rc == 0 and "video" in streams, (rc, streams))


def test_deleting_a_session_drops_a_playing_rtmp_viewer():
    with live_stream() as (srv, ngx):
        key = harness.new_ticket(srv, uses=5)["key"]
        p = start_playing(srv, ngx, key)
        try:
            expect(wait_for(lambda: len(sessions(srv, key)) == 1, 10), sessions(srv, key))
            s = sessions(srv, key)[0]
            expect(s["ip"] == "127.0.0.1" and s["app"] == "demo-origin" and
                   s["video"] == "mystream" and s["media_server"] == "nginx-rtmp", s)
            expect(still_playing(p, 3), "viewer dropped before the end")
            st, _, _ = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, s["id"]))
            expect(st in (200, 204), st)
            ended_at = time.monotonic()
            expect(wait_for(lambda: p.poll() is not None, 20, 0.1),
                   "viewer still playing 20 s after its session was ended")
            expect(time.monotonic() - ended_at < 10, "took %.1f s" % (time.monotonic() - ended_at))
        finally:
            stop_process(p)
        expect(sessions(srv, key) == [])


def test_an_ended_hls_session_gets_403_on_its_next_segment():
    with hls_site() as (srv, ngx, _):
        key = harness.new_ticket(srv, uses=5)["key"]
        url = playlist_url(ngx, key)
        status, playlist = get(url)
        expect(status == 200, status)
        segs = segment_urls(url, playlist)
        expect(get(segs[0])[0] == 200)
        live = sessions(srv, key)
        expect(len(live) == 1 and live[0]["media_server"] == "auth-request", live)
        st, _, _ = v2(srv, "DELETE", "/v2/sevu_token/%s/sessions/%s" % (key, live[0]["id"]))
        expect(st in (200, 204), st)
        expect(get(segs[1])[0] == 403)
        expect(get(url)[0] == 403)  # the playlist too: the session is over, not restarted
        expect(uses_left(srv, key) == 4)
        expect(sessions(srv, key) == [])


if __name__ == "__main__":
    harness.main(globals())
