"""N concurrent starts on a ticket with k uses grant exactly min(N, k) (SPEC §4, 8.):
200 viewers hit the hook listener at once, half through POST /hooks/check and
half through POST /hooks/nginx-rtmp, on a ticket with 5 uses."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import check, count_attempts, nginx_rtmp, status_of  # noqa: E402

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
VIEWERS = 200
USES = 5


def start(srv, i, key):
    ip = "10.%d.%d.%d" % (i // 65536, (i // 256) % 256, i % 256)
    if i % 2:
        st, _ = check(srv, key=key, **{"pass": PASS}, ip=ip, app=APP, video=VIDEO)
        return st
    fields = [("app", APP), ("flashver", "LNX 9,0,124,2"), ("swfurl", ""),
              ("tcurl", "rtmp://127.0.0.1/" + APP), ("pageurl", ""), ("addr", ip),
              ("clientid", str(i)), ("call", "play"), ("name", VIDEO), ("start", "0"),
              ("duration", "0"), ("reset", "0")]
    st, _ = nginx_rtmp(srv, fields, "key=%s&pass=%s" % (key, PASS))
    return st


def run_concurrent_starts(srv, key):
    barrier = threading.Barrier(VIEWERS)
    results = [None] * VIEWERS

    def viewer(i):
        try:
            barrier.wait(timeout=60)
            results[i] = start(srv, i, key)
        except Exception as e:  # recorded, so the test fails with the cause
            results[i] = repr(e)

    threads = [threading.Thread(target=viewer, args=(i,)) for i in range(VIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    expect(not any(t.is_alive() for t in threads), "viewer threads hung")
    return results


def test_concurrent_starts_grant_exactly_the_uses():
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=USES)["key"]
        results = run_concurrent_starts(srv, key)
        granted = results.count(200)
        refused = results.count(403)
        expect(granted == USES and refused == VIEWERS - USES,
               "granted %d refused %d other %r" % (granted, refused,
                                                   [r for r in results if r not in (200, 403)][:5]))
        expect(status_of(srv, key)["uses"] == "0", status_of(srv, key))
        expect(count_attempts(srv, key) == VIEWERS)
        expect(count_attempts(srv, key, success=1) == USES)
        expect(count_attempts(srv, key, success=0) == VIEWERS - USES)


if __name__ == "__main__":
    harness.main(globals())
