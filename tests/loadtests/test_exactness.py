"""The harness's counts equal the target's own counters exactly, injected 503s included.

The reference site counts every request per route and status (``GET /stats``); with
``--fail-rate`` it answers a deterministic share of import requests with 503 and with
``--latency-ms`` it holds each import request, so plenty are in flight when the run time ends
(the harness drains them before counting).
"""

from __future__ import annotations

import pytest
from lt_support import endpoint, run_locust
from lt_support import processes as lt_processes

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _by_status(stats, route):
    return {int(k): v for k, v in stats["requests"].get(route, {}).get("by_status", {}).items()}


@pytest.mark.parametrize("processes", [1, 2])
def test_counts_equal_the_sites_counters(start_site, tmp_path, processes):
    site = start_site("--fail-rate", "0.2", "--latency-ms", "20")
    extra = lt_processes(processes) if processes > 1 else []
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "12",
        "-r",
        "12",
        "-t",
        "4s",
        "--seeds",
        "0-999999",
        "--scenario",
        "import:3,batch:1,invalid:1,reimport:1",
        "--batch-size",
        "4",
        "--no-verify",
        *extra,
    )
    assert run.returncode in (0, 1), run.log  # the 20% failures fail the error-ratio check
    m = run.measurements()
    stats = site.stats()
    imp = endpoint(m, "import", "POST /import/posts")
    invalid = endpoint(m, "invalid", "POST /import/posts [invalid]")
    reimport = endpoint(m, "reimport", "POST /import/posts")
    batch = endpoint(m, "batch", "POST /import/batch")
    singles = (imp, invalid, reimport)

    posts_route = _by_status(stats, "POST /import/posts")
    assert sum(posts_route.values()) == sum(e["requests"] for e in singles)
    assert posts_route.get(503, 0) == sum(e["errors"].get("http_503", 0) for e in singles)
    assert (
        posts_route.get(201, 0) + posts_route.get(200, 0)
        == imp["successes"] + reimport["successes"]
    )
    assert sum(v for k, v in posts_route.items() if 400 <= k < 500) == invalid["successes"]

    batch_route = _by_status(stats, "POST /import/batch")
    assert sum(batch_route.values()) == batch["requests"]
    assert batch_route.get(503, 0) == batch["errors"].get("http_503", 0)

    assert (
        stats["injected_failures"]
        == sum(e["errors"].get("http_503", 0) for e in (*singles, batch))
        > 0
    )
    # every post the site stored was acknowledged to the harness, and the other way round
    acknowledged = sum(b - a + 1 for a, b in m["seeds"]["acknowledged"])
    assert stats["posts"] == acknowledged == imp["successes"] + batch["posts"]
    # per-second rows add up to the totals
    for e in (*singles, batch):
        assert sum(ok for _, ok, _ in e["per_second"]) == e["successes"]
        assert sum(fail for _, _, fail in e["per_second"]) == e["failures"]
    # latency over time: one row per second with an answered request (every request here got
    # an answer), merged over endpoints and processes, and the same rows in the run record
    answered = {s for e in (*singles, batch) for s, ok, fail in e["per_second"] if ok + fail}
    rows = m["latency_per_second"]
    assert [row[0] for row in rows] == sorted(answered)
    assert all(0 < p50 <= p95 for _, p50, p95 in rows)
    assert run.record()["latency_per_second"] == rows
