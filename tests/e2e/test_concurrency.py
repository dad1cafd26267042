"""N concurrent starts on a ticket with k uses grant exactly min(N, k) (docs/hooks.md):
200 viewers hit the hook listener at once, half through POST /hooks/check and
half through POST /hooks/nginx-rtmp, on a ticket with 5 uses. The same for
`auto` bindings: viewers from 200 networks racing for two auto/24 slots."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import attempts, check, count_attempts, nginx_rtmp, revoke, status_of  # noqa: E402

APP = "demo-origin"
VIDEO = "mystream"
PASS = "secretpass123"
VIEWERS = 200
USES = 5


def one_net_per_viewer(i):
    return "10.%d.%d.7" % (i // 256, i % 256)  # viewer i alone in 10.x.y.0/24


def same_net(i):
    return "10.%d.%d.%d" % (i // 65536, (i // 256) % 256, i % 256)


def start(srv, i, key, ip_of=same_net):
    ip = ip_of(i)
    if i % 2:
        st, _ = check(srv, key=key, **{"pass": PASS}, ip=ip, app=APP, video=VIDEO)
        return st
    fields = [("app", APP), ("flashver", "LNX 9,0,124,2"), ("swfurl", ""),
              ("tcurl", "rtmp://127.0.0.1/" + APP), ("pageurl", ""), ("addr", ip),
              ("clientid", str(i)), ("call", "play"), ("name", VIDEO), ("start", "0"),
              ("duration", "0"), ("reset", "0")]
    st, _ = nginx_rtmp(srv, fields, "key=%s&pass=%s" % (key, PASS))
    return st


def run_concurrent_starts(srv, key, ip_of=same_net):
    barrier = threading.Barrier(VIEWERS)
    results = [None] * VIEWERS

    def viewer(i):
        try:
            barrier.wait(timeout=60)
            results[i] = start(srv, i, key, ip_of)
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


def test_concurrent_starts_bind_each_auto_slot_once():
    """Every viewer comes from its own /24; "auto/24|auto/24" admits two networks at most,
    whichever two win the race, and the ticket stores exactly those two."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=VIEWERS, ip="auto/24|auto/24")["key"]
        results = run_concurrent_starts(srv, key, one_net_per_viewer)
        expect(results.count(200) == 2 and results.count(403) == VIEWERS - 2,
               [r for r in results if r not in (200, 403)][:5] or results.count(200))
        granted_nets = sorted(one_net_per_viewer(i).rsplit(".", 1)[0] + ".0/24"
                              for i, r in enumerate(results) if r == 200)
        ticket = status_of(srv, key)
        expect(sorted(ticket["ip"].split("|")) == granted_nets, (ticket["ip"], granted_nets))
        expect(int(ticket["uses"]) == VIEWERS - 2, ticket)
        expect(count_attempts(srv, key, success=1) == 2)
        reasons = [a["reason"] for a in attempts(srv, key)]
        expect(reasons.count("Success") == 2 and
               reasons.count("Invalid IP Address") == VIEWERS - 2, reasons)


def test_refusals_repeated_from_memory_end_with_the_change_that_lifts_them():
    """Refusals of one ticket come from what the first one read (docs/performance.md,
    "Refusals from memory"); each is still logged, and a change through the API lifts them
    at once, with no window to wait out."""
    with harness.Server() as srv:
        key = harness.new_ticket(srv, uses=VIEWERS)["key"]
        revoke(srv, key)
        results = run_concurrent_starts(srv, key)
        expect(results.count(403) == VIEWERS, [r for r in results if r != 403][:5])
        expect(count_attempts(srv, key, success=0) == VIEWERS)
        status, _, body = harness.request(
            "POST", srv.api_url + "/v2/sevu_token/" + key, body=b'{"active": true}',
            headers={"Content-Type": "application/json"}, auth=(harness.DEMO["cdn"], harness.DEMO["secret"]))
        expect(status == 200, (status, body))
        expect(start(srv, 1, key) == 200, "a start right after the reactivation was refused")
        expect(int(status_of(srv, key)["uses"]) == VIEWERS - 1)


if __name__ == "__main__":
    harness.main(globals())
