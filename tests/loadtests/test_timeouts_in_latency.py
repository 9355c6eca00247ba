"""Requests that time out are in the latency percentiles with their whole wait, as Locust and
k6 count them: a latency check cannot pass while the target hangs."""

from __future__ import annotations

import pytest
from lt_support import endpoint, run_locust

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_timed_out_requests_weigh_in_the_percentiles(start_site, tmp_path):
    site = start_site("--latency-ms", "1500")  # every import outlasts the 0.4 s timeout
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "4",
        "-r",
        "4",
        "-t",
        "3s",
        "--seeds",
        "0-999999",
        "--scenario",
        "import",
        "--request-timeout",
        "0.4",
        "--max-p99-ms",
        "300",
        "--max-error-ratio",
        "1",
        "--no-verify",
    )
    m = run.measurements()
    imp = endpoint(m, "import", "POST /import/posts")
    assert imp["requests"] == imp["errors"]["timeout"] >= 8, imp
    pct = imp["percentiles"]
    assert pct["count"] == imp["requests"]
    assert pct["p50_ms"] >= 400 and 400 <= pct["p99_ms"] < 1500
    assert run.returncode == 1, run.log  # the p99 check fails: no request was answered
    p99 = next(c for c in run.record()["checks"] if c["name"] == "max_p99_ms")
    assert p99["passed"] is False and "no request was answered" in p99["detail"], p99
