#!/usr/bin/env python3
"""/metrics after known traffic (docs/operations.md, Metrics): decisions by result
and reason, requests by listener, route class and status, latency histograms, group
commit batch sizes, the build's version; in Prometheus' text format."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, check, request  # noqa: E402
from hooks_util import check as hook_check  # noqa: E402


def scrape(srv):
    status, _, body = request("GET", srv.hook_url + "/metrics")
    check(status == 200, status)
    series = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            series[name] = float(value)
    return series


def test_metrics_after_known_traffic():
    with Server() as srv:
        key = harness.new_ticket(srv, uses=2)["key"]
        viewer = dict(ip="10.0.0.1", app="demo-origin", video="mystream")
        for _ in range(2):
            st, _ = hook_check(srv, key=key, **{"pass": "secretpass123"}, **viewer)
            check(st == 200, st)
        st, _ = hook_check(srv, key=key, **{"pass": "secretpass123"}, **viewer)  # uses spent
        check(st == 403, st)
        st, _ = hook_check(srv, key=key, **{"pass": "wrong"}, **viewer)
        check(st == 403, st)
        st, _ = hook_check(srv, key="nosuch.00000000000000.00000000", **{"pass": "x"}, **viewer)
        check(st == 403, st)

        # A refusal is answered before its batch commits and is counted (group commit), so the
        # last batch may still be on its way: wait for it, within a liveness bound.
        deadline = time.monotonic() + 10
        m = scrape(srv)
        while m.get("sevu_commit_batch_size_sum", 0) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
            m = scrape(srv)

        def value(name):
            return m.get(name, 0)
        check(value('sevu_decisions_total{reason="Success",result="allowed"}') == 2, m)
        check(value('sevu_decisions_total{reason="Exceeded max views",result="denied"}') == 1, m)
        check(value('sevu_decisions_total{reason="Invalid Auth Token",result="denied"}') == 2, m)
        check(value('sevu_requests_total{listener="hooks",route="check",status="200"}') == 2, m)
        check(value('sevu_requests_total{listener="hooks",route="check",status="403"}') == 3, m)
        check(value('sevu_request_duration_seconds_count{listener="hooks",route="check"}') == 5, m)
        check(value('sevu_request_duration_seconds_bucket{listener="hooks",route="check",le="+Inf"}') == 5, m)
        check(value("sevu_commit_batch_size_sum") == 5, m)  # every start went through group commit
        check(value('sevu_requests_total{listener="api",route="legacy",status="200"}') >= 1, m)
        check(value("sevu_internal_errors_total") == 0, m)
        versions = [n for n in m if n.startswith("sevu_build_info{")]
        check(len(versions) == 1 and re.search(r'version="\d+\.\d+\.\d+"', versions[0]), versions)
        # Label values come from fixed sets: an odd path is "other", never the path itself.
        request("GET", srv.hook_url + "/no/such/%s" % ("x" * 50))
        m = scrape(srv)
        check(m.get('sevu_requests_total{listener="hooks",route="other",status="404"}') == 1, m)
        check(not any("xxxxx" in n for n in m), m)


if __name__ == "__main__":
    harness.main(globals())
