"""A latency check needs an answer: against a site slower than the request timeout every request
times out, and the p95 check fails with no observed value instead of passing on the waits until
the timeouts (which stay in the percentiles, as Locust and k6 count them)."""

from __future__ import annotations

import time

import pytest
from lt_support import endpoint, run_locust

pytestmark = [pytest.mark.integration, pytest.mark.slow]

IMPORT = "POST /import/posts"


def site_imports(site, expected: int) -> int:
    """The site's own count of import requests, once the ones the client gave up on are done."""
    deadline = time.monotonic() + 5
    total = site.stats()["requests"][IMPORT]["total"]
    while total < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        total = site.stats()["requests"][IMPORT]["total"]
    return int(total)


def run(site, out, timeout_s: str):
    return run_locust(
        site.url,
        out,
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
        timeout_s,
        "--max-p95-ms",
        "500",
        "--max-error-ratio",
        "1",
    )  # verified, so the definition's max_missing/max_corrupted pass: p95 alone decides


def test_p95_check_fails_when_every_request_timed_out(start_site, tmp_path):
    site = start_site("--latency-ms", "150")  # every import outlasts the 0.1 s timeout
    result = run(site, tmp_path / "run", "0.1")
    imp = endpoint(result.measurements(), "import", IMPORT)
    requests = imp["requests"]
    assert requests == imp["errors"]["timeout"] == imp["failures"] >= 8, imp
    assert imp["percentiles"]["count"] == requests  # the waits stay in the percentiles
    assert site_imports(site, requests) == requests  # the site got every one of them
    check = {c["name"]: c for c in result.record()["checks"]}["max_p95_ms"]
    assert (check["passed"], check["observed"]) == (False, None), check
    assert check["detail"].startswith(
        f"no request was answered: all {requests:,} requests of the run failed without an "
        "HTTP answer"
    ), check
    others = [c for c in result.record()["checks"] if c["name"] != "max_p95_ms"]
    assert others and all(c["passed"] for c in others), others
    assert result.returncode == 1, result.log


def test_p95_check_counts_answered_requests_and_says_none_lacked_an_answer(start_site, tmp_path):
    site = start_site("--latency-ms", "150")
    result = run(site, tmp_path / "run", "2")
    imp = endpoint(result.measurements(), "import", IMPORT)
    requests = imp["requests"]
    assert imp["failures"] == 0 and requests >= 8, imp
    assert site_imports(site, requests) == requests
    check = {c["name"]: c for c in result.record()["checks"]}["max_p95_ms"]
    assert check["passed"] is True and 150 <= check["observed"] <= 500, check
    assert f"over {requests:,} requests of the run, all answered" in check["detail"], check
    assert result.returncode == 0, result.log
