"""Wrong publish passwords must cost the attacker time, never the server's other work
(docs/hooks.md, Publishing): the password hash runs on a pool of its own, and
repeated failures are answered after a growing delay held on a timer.

Against a real sevu-server over HTTP:
- a flood of wrong-password publishes (about 60 a second from several threads and
  a few attacker addresses) runs while 50 play decisions and a few sevu.status
  calls are made: each is answered within a generous 1 s (before the fix the hash
  ran on the store workers, and plays waited seconds behind it);
- the rightful broadcaster's correct password is granted during the flood;
- failures from one address are answered ever later, while a right password from
  that very address passes and other addresses are not slowed by it.
"""

import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402
from hooks_util import add_stream_user, check, legacy  # noqa: E402

APP = "demo-origin"
RIGHT = "broadcaster-Secret-1"
LIVENESS = 1.0  # seconds; generous: an unloaded decision takes about a millisecond


def publish(srv, user, password, ip, stream="mystream"):
    """(status, reply, seconds) of one publish through /hooks/check."""
    start = time.monotonic()
    st, r = check(srv, action="publish", user=user, **{"pass": password}, ip=ip, app=APP,
                  video=stream)
    return st, r, time.monotonic() - start


class Flood:
    """Fires wrong-password publishes at `rate` a second for `seconds`, each on its
    own thread so that a slow answer never slows the flood down."""

    def __init__(self, srv, rate=60, seconds=5.0, addresses=4):
        self.srv, self.rate, self.seconds, self.addresses = srv, rate, seconds, addresses
        self.statuses = []
        self.lock = threading.Lock()
        self.threads = []
        self.sender = threading.Thread(target=self._send, daemon=True)

    def _one(self, n):
        try:
            st, _, _ = publish(self.srv, "enc", "guess-%d" % n, "10.66.0.%d" % (1 + n % self.addresses))
        except OSError as e:
            st = repr(e)
        with self.lock:
            self.statuses.append(st)

    def _send(self):
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < self.seconds:
            t = threading.Thread(target=self._one, args=(n,), daemon=True)
            t.start()
            self.threads.append(t)
            n += 1
            time.sleep(max(0.0, start + n / self.rate - time.monotonic()))

    def __enter__(self):
        self.sender.start()
        return self

    def __exit__(self, *exc):
        self.sender.join()
        for t in self.threads:
            t.join(60)


def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def test_wrong_password_flood_does_not_delay_plays_or_the_broadcaster():
    with harness.Server() as srv:
        add_stream_user(srv, APP, "mystream", "enc", RIGHT)
        key = harness.new_ticket(srv, uses=1000)["key"]
        plays, statuses = [], []
        granted = None
        with Flood(srv) as flood:
            time.sleep(1.0)  # let the flood build up
            for n in range(50):
                (st, r), took = timed(lambda: check(srv, key=key, **{"pass": "secretpass123"},
                                                    ip="10.1.0.%d" % (n % 200 + 1), app=APP,
                                                    video="mystream"))
                expect(st == 200 and r["allowed"], (n, st, r))
                plays.append(took)
                if n % 10 == 5:
                    (st, reply), took = timed(lambda: legacy(srv, "sevu.status", {"key": key}))
                    expect(st == 200 and reply["status"] == "success", reply)
                    statuses.append(took)
                if n == 25:
                    granted = publish(srv, "enc", RIGHT, "10.20.0.7")
                time.sleep(0.05)
        print("plays: median %.4fs max %.4fs; status max %.4fs; broadcaster %.3fs; flood %d (%s)"
              % (statistics.median(plays), max(plays), max(statuses), granted[2],
                 len(flood.statuses),
                 {s: flood.statuses.count(s) for s in set(flood.statuses)}), flush=True)
        expect(len(flood.statuses) >= 200, len(flood.statuses))  # the flood really ran
        expect(max(plays) < LIVENESS, plays)
        expect(max(statuses) < LIVENESS, statuses)
        st, r, _ = granted
        expect(st == 200 and r["reason"] == "Publish Authorized", (st, r))
        # Every flood publish was refused (403 after its delay, or 503 when its
        # address already had its share of the hash queue); none was let in.
        expect(all(s in (403, 503) for s in flood.statuses), set(flood.statuses))


def test_repeated_failures_are_answered_ever_later_without_locking_anyone_out():
    with harness.Server() as srv:
        add_stream_user(srv, APP, "cam", "cam", RIGHT)
        add_stream_user(srv, APP, "cam-b", "camb", RIGHT)
        times = []
        for n in range(6):
            st, r, took = publish(srv, "cam", "wrong-%d" % n, "10.77.0.1", stream="cam")
            expect(st == 403 and r["reason"] == "Publish Denied: bad credentials", (st, r))
            times.append(took)
        print("failures from one address: " + ", ".join("%.2fs" % t for t in times), flush=True)
        # Loose bounds only: the delay grows (0.1 s, 0.2 s, ... 3.2 s here).
        expect(times[-1] > times[0], times)
        expect(times[-1] >= 1.0, times)
        # The right password passes at once, even from the guessing address.
        st, r, took = publish(srv, "cam", RIGHT, "10.77.0.1", stream="cam")
        expect(st == 200 and r["allowed"] and took < LIVENESS, (st, r, took))
        # Another address's failure for another stream user is not slowed by them.
        st, r, took = publish(srv, "camb", "typo", "10.78.0.1", stream="cam-b")
        expect(st == 403 and took < times[-1], (st, r, took, times))


if __name__ == "__main__":
    harness.main(globals())
