"""Real nginx serving an HLS stream made by ffmpeg behind `auth_request`, asking
sevu-server's GET /hooks/auth-request (docs/hooks.md, HTTP streaming sessions). The nginx
config is tests/e2e/nginx/hls.conf.in (also in docs/hooks.md)."""

import contextlib
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import Nginx, attempts, count_attempts, revoke, uses_left  # noqa: E402

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
HOOK_TOKEN = "hls-h00k-T"


def make_hls(www):
    """A 4-second HLS stream in the flat layout: /demo-origin/mystream.m3u8 + mystream-N.ts."""
    out = os.path.join(www, APP)
    os.makedirs(out)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-t", "4",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
         "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
         "-hls_segment_filename", os.path.join(out, VIDEO + "-%d.ts"),
         os.path.join(out, VIDEO + ".m3u8")],
        stdin=subprocess.DEVNULL, check=True, timeout=60, capture_output=True)
    return sorted(f for f in os.listdir(out) if f.endswith(".ts"))


def make_adaptive_hls(www, stream):
    """An adaptive stream of two variants in the flat layout of hls.conf.in: the master
    playlist /demo-origin/<stream>.m3u8 names <stream>_v0.m3u8 and <stream>_v1.m3u8,
    whose segments are <stream>_vN-M.ts (ffmpeg's -var_stream_map)."""
    out = os.path.join(www, APP)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "testsrc=size=320x240:rate=25", "-t", "3", "-map", "0:v", "-map", "0:v",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
         "-s:v:0", "320x240", "-b:v:0", "300k", "-s:v:1", "160x120", "-b:v:1", "100k",
         "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
         "-var_stream_map", "v:0 v:1", "-master_pl_name", stream + ".m3u8",
         "-hls_segment_filename", os.path.join(out, stream + "_v%v-%d.ts"),
         os.path.join(out, stream + "_v%v.m3u8")],
        stdin=subprocess.DEVNULL, check=True, timeout=60, capture_output=True)


@contextlib.contextmanager
def hls_site(adaptive=None):
    with harness.Server(extra_args=["--hook-token", HOOK_TOKEN]) as srv:
        www = os.path.join(srv.tmp, "www")
        segments = make_hls(www)
        expect(len(segments) >= 3, segments)
        if adaptive:
            make_adaptive_hls(www, adaptive)
        with Nginx("hls.conf.in", ports=("HTTP_PORT",), WWW=www,
                   HOOK="127.0.0.1:%d" % srv.hook_port, HOOK_TOKEN=HOOK_TOKEN) as ngx:
            yield srv, ngx, www


def base_url(ngx):
    return "http://127.0.0.1:%d" % ngx.port("HTTP_PORT")


def playlist_url(ngx, key, password=PASS):
    return "%s/%s/%s.m3u8?key=%s&pass=%s" % (base_url(ngx), APP, VIDEO, key, password)


def get(url):
    status, _, body = harness.request("GET", url)
    return status, body


def segment_urls(url, playlist):
    """The segment URLs a player fetches: each URI line resolved against the playlist URL."""
    lines = playlist.decode().splitlines()
    return [urllib.parse.urljoin(url, line) for line in lines if line and not line.startswith("#")]


def test_playlist_then_segments_spend_one_use():
    with hls_site() as (srv, ngx, www):
        key = harness.new_ticket(srv, uses=5)["key"]
        url = playlist_url(ngx, key)
        status, playlist = get(url)
        expect(status == 200 and playlist.startswith(b"#EXTM3U"), (status, playlist[:100]))
        segs = segment_urls(url, playlist)
        expect(len(segs) >= 3 and all("key=" + key in s for s in segs), segs)
        for seg in segs:
            status, body = get(seg)
            name = urllib.parse.urlsplit(seg).path.rsplit("/", 1)[1]
            with open(os.path.join(www, APP, name), "rb") as f:
                expect(status == 200 and body == f.read(), (seg, status))
        status, _ = get(url)  # a refresh
        expect(status == 200)
        expect(uses_left(srv, key) == 4)
        rows = attempts(srv, key)
        expect(len(rows) == 1 and rows[0]["reason"] == "Success", rows)
        expect(rows[0]["app"] == APP and rows[0]["video"] == VIDEO and rows[0]["ip"] == "127.0.0.1",
               rows)


def test_master_and_variant_playlists_spend_one_use():
    """A player of an adaptive stream fetches the master playlist, a variant playlist and
    its segments: nginx hands the key on to the variants too, and X-Sevu-Video makes every
    request the one video of the ticket, so the viewing is one session and one use."""
    with hls_site(adaptive="abr") as (srv, ngx, _):
        key = harness.new_ticket(srv, uses=5, video="abr")["key"]
        url = "%s/%s/abr.m3u8?key=%s&pass=%s" % (base_url(ngx), APP, key, PASS)
        status, master = get(url)
        expect(status == 200 and b"#EXT-X-STREAM-INF" in master, (status, master[:200]))
        variants = segment_urls(url, master)
        expect(len(variants) == 2 and all("_v" in v and "key=" + key in v for v in variants),
               variants)
        for variant in variants:
            status, playlist = get(variant)
            expect(status == 200 and playlist.startswith(b"#EXTM3U"), (variant, status))
            segs = segment_urls(variant, playlist)
            expect(len(segs) >= 2 and all("key=" + key in s for s in segs), segs)
            for seg in segs[:2]:
                status, _ = get(seg)
                expect(status == 200, (seg, status))
        expect(uses_left(srv, key) == 4)
        rows = attempts(srv, key)
        expect(len(rows) == 1 and rows[0]["reason"] == "Success" and rows[0]["video"] == "abr",
               rows)
        p = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                            "-of", "csv=p=0", url],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        expect(p.returncode == 0 and "video" in p.stdout.split(), (p.returncode, p.stderr))
        expect(uses_left(srv, key) == 4)  # ffprobe's requests join the running session
        # A ticket for another video opens neither the master nor a variant.
        other = harness.new_ticket(srv, uses=5, video="mystream")["key"]
        for path in ("abr.m3u8", "abr_v0.m3u8", "abr_v0-0.ts"):
            status, _ = get("%s/%s/%s?key=%s&pass=%s" % (base_url(ngx), APP, path, other, PASS))
            expect(status == 403, (path, status))


def test_ffprobe_plays_through_nginx():
    with hls_site() as (srv, ngx, _):
        key = harness.new_ticket(srv, uses=2)["key"]
        p = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                            "-of", "csv=p=0", playlist_url(ngx, key)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        expect(p.returncode == 0 and "video" in p.stdout.split(), (p.returncode, p.stderr))
        expect(uses_left(srv, key) == 1)  # the whole probing session was one start
        bad = subprocess.run(["ffprobe", "-v", "error", playlist_url(ngx, key, "nope")],
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        expect(bad.returncode != 0)


def test_bad_tickets_are_refused():
    with hls_site() as (srv, ngx, _):
        key = harness.new_ticket(srv, uses=5)["key"]
        status, _ = get(playlist_url(ngx, key, "nope"))
        expect(status == 403)
        status, _ = get("%s/%s/%s.m3u8" % (base_url(ngx), APP, VIDEO))
        expect(status == 403)
        status, _ = get("%s/%s/%s-0.ts?key=%s" % (base_url(ngx), APP, VIDEO, key))
        expect(status == 403)
        # A bad escape in the query stays as it is, as PHP reads it: refused with 403,
        # never nginx's 500.
        status, _ = get("%s/%s/%s.m3u8?key=%%zz&pass=%s" % (base_url(ngx), APP, VIDEO, PASS))
        expect(status == 403, status)
        other_video = harness.new_ticket(srv, video="otherstream")["key"]
        status, _ = get(playlist_url(ngx, other_video))
        expect(status == 403)
        expect([a["reason"] for a in attempts(srv, key, at_least=2)] ==
               ["Invalid Auth Token", "Invalid Auth Token"])
        expect(attempts(srv, other_video, at_least=1)[0]["reason"] == "Not authorized for that video")
        expect(uses_left(srv, key) == 5)


def test_a_viewers_own_x_sevu_app_header_does_not_choose_the_app():
    """nginx hands the viewer's headers on to the auth subrequest; the config sets X-Sevu-App
    itself, so a ticket for another app does not open this one's stream."""
    with hls_site() as (srv, ngx, _):
        key = harness.new_ticket(srv, app="demo-live", uses=5)["key"]
        status, _, _ = harness.request("GET", playlist_url(ngx, key),
                                       headers={"X-Sevu-App": "demo-live"})
        expect(status == 403, status)
        expect(attempts(srv, key, at_least=1)[0]["reason"] == "Wrong Application")
        expect(uses_left(srv, key) == 5)


def test_direct_segment_link_is_a_start_and_revocation_ends_the_session():
    with hls_site() as (srv, ngx, _):
        key = harness.new_ticket(srv, uses=5)["key"]
        q = "?key=%s&pass=%s" % (key, PASS)
        status, _ = get("%s/%s/%s-1.ts%s" % (base_url(ngx), APP, VIDEO, q))
        expect(status == 200)
        expect(uses_left(srv, key) == 4)
        status, _ = get("%s/%s/%s-2.ts%s" % (base_url(ngx), APP, VIDEO, q))
        expect(status == 200)
        expect(uses_left(srv, key) == 4)
        revoke(srv, key)
        status, _ = get("%s/%s/%s-0.ts%s" % (base_url(ngx), APP, VIDEO, q))
        expect(status == 403)
        expect(count_attempts(srv, key) == 1)


def test_docs_quote_this_config():
    """docs/hooks.md shows the configuration this file runs, verbatim."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "nginx", "hls.conf.in")) as f:
        conf = f.read()
    with open(os.path.join(harness.SOURCE_DIR, "docs", "hooks.md")) as f:
        expect("```nginx\n" + conf + "```" in f.read(), "docs/hooks.md quotes another hls.conf.in")


if __name__ == "__main__":
    harness.main(globals())
