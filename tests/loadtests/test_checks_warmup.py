"""Every load check leaves the warm-up out: crafted measurements whose warm-up is slow and failing,
judged through ``finalize.build_record`` (the path a real run takes)."""

from __future__ import annotations

import pytest
from hdrh.histogram import HdrHistogram as Hdr
from run_fixtures import make_measurements

from loadtests import CheckSpec
from loadtests.aggregate import checked_load, first_measured_second
from loadtests.finalize import build_record
from results import EndpointStats, HdrHistogram, Verification

SLOW_US = 900_000  # 900 ms in the warm-up
FAST_US = 4_000  # 4 ms after it


def encoded(values_us: list[int]) -> HdrHistogram:
    h = Hdr(1, 3_600_000_000, 3)
    for v in values_us:
        h.record_value(v)
    return HdrHistogram(data=h.encode().decode("ascii"))


def endpoint(scenario: str, rows: list[tuple[int, int, int]], warmup: int) -> EndpointStats:
    """Requests of seconds < ``warmup`` take SLOW_US, later ones FAST_US."""
    slow = sum(ok + bad for s, ok, bad in rows if s < warmup)
    fast = sum(ok + bad for s, ok, bad in rows if s >= warmup)
    ok = sum(r[1] for r in rows)
    bad = sum(r[2] for r in rows)
    return EndpointStats(
        scenario=scenario,
        name=f"POST /{scenario}",
        requests=ok + bad,
        successes=ok,
        failures=bad,
        posts=ok,
        per_second=rows,
        histogram=encoded([SLOW_US] * slow + [FAST_US] * fast),
        histogram_after_warmup=encoded([FAST_US] * fast) if fast else None,
    )


def slow_start(warmup_s: float = 3.0):
    """10 s: seconds 0-2 slow, with 15 failures of 60 requests; seconds 3-9 fast, no failure."""
    imports = [(s, 10, 5) if s < 3 else (s, 50, 0) for s in range(10)]
    invalid = [(s, 5, 0) if s < 3 else (s, 10, 0) for s in range(10)]
    m = make_measurements(
        verify=False,
        checks=CheckSpec(max_p50_ms=10, max_p95_ms=10, max_p99_ms=10, max_error_ratio=0.0),
    )
    return m.model_copy(
        update={
            "warmup_s": warmup_s,
            "endpoints": [endpoint("import", imports, 3), endpoint("invalid", invalid, 3)],
        }
    )


def checks_of(m) -> dict[str, object]:
    record = build_record(m, Verification(performed=False))
    return {c.name: c for c in record.checks}


def test_slow_failing_warmup_is_left_out_of_latency_and_error_checks():
    checks = checks_of(slow_start(3.0))
    for name in ("max_p50_ms", "max_p95_ms", "max_p99_ms"):
        check = checks[name]
        assert check.passed is True, check
        assert check.observed == pytest.approx(FAST_US / 1000, rel=1e-3)
        # 7 measured seconds x (50 + 10) requests, both scenarios merged and named
        assert "over 420 requests after the warm-up (from second 3), all answered" in check.detail
        assert "all scenarios merged (import, invalid)" in check.detail
    ratio = checks["max_error_ratio"]
    assert (ratio.passed, ratio.observed) == (True, 0.0)
    assert "0 failed of 420 requests after the warm-up" in ratio.detail


def test_the_same_run_without_warmup_fails_on_the_slow_start():
    checks = checks_of(slow_start(0.0))
    for name in ("max_p95_ms", "max_p99_ms"):
        assert checks[name].passed is False
        assert checks[name].observed == pytest.approx(SLOW_US / 1000, rel=1e-3)
        assert "over 480 requests of the run, all answered" in checks[name].detail
    ratio = checks["max_error_ratio"]
    assert ratio.passed is False
    assert ratio.observed == pytest.approx(15 / 480)


def test_throughput_check_counts_the_same_seconds():
    m = slow_start(3.0)
    m = m.model_copy(update={"checks": CheckSpec(min_throughput=60)})
    check = checks_of(m)["min_throughput"]
    # seconds 3-9: 60 successes each over the 7 s after the warm-up
    assert (check.passed, check.observed) == (True, 60.0)
    assert "after the warm-up (from second 3)" in check.detail


def test_no_answer_after_the_warmup_fails_the_latency_check_instead_of_using_the_warmup():
    # after the warm-up: 4 requests timed out at 100 ms, in the histograms with that wait (as
    # the recorder keeps them); the answered warm-up must not stand in, nor the 100 ms waits
    rows = [(0, 10, 0), (1, 10, 0), (2, 0, 4)]
    ep = EndpointStats(
        scenario="import",
        name="POST /import",
        requests=24,
        successes=20,
        failures=4,
        per_second=rows,
        histogram=encoded([FAST_US] * 20 + [100_000] * 4),
        histogram_after_warmup=encoded([100_000] * 4),
        errors={"timeout": 4},
    )
    load = checked_load([ep], duration_s=3.0, warmup_s=2.0)
    assert (load.from_second, load.requests, load.failures) == (2, 4, 4)
    assert load.latency is not None and load.latency.count == 4
    assert load.no_answer_bounds == (4, 4)
    m = slow_start(2.0).model_copy(update={"endpoints": [ep], "duration_s": 3.0})
    check = checks_of(m)["max_p95_ms"]
    assert (check.passed, check.observed) == (False, None)
    assert check.detail.startswith(
        "no request was answered: all 4 requests after the warm-up (from second 2) failed "
        "without an HTTP answer"
    )


def test_a_record_with_no_request_after_the_warmup_fails_the_latency_check():
    ep = EndpointStats(
        scenario="import",
        name="POST /import",
        requests=20,
        successes=20,
        failures=0,
        per_second=[(0, 10, 0), (1, 10, 0)],
        histogram=encoded([FAST_US] * 20),
    )
    m = slow_start(2.0).model_copy(update={"endpoints": [ep], "duration_s": 3.0})
    check = checks_of(m)["max_p95_ms"]
    assert (check.passed, check.observed) == (False, None)
    assert check.detail == (
        "no request after the warm-up (from second 2) finished, so there is no latency to check"
    )


@pytest.mark.parametrize(
    ("duration", "warmup", "first"),
    [(10.0, 0.0, 0), (10.0, 2.5, 3), (10.0, 3.0, 3), (10.0, 10.0, 0), (4.0, 9.0, 0)],
)
def test_first_measured_second(duration, warmup, first):
    assert first_measured_second(duration, warmup) == first


def test_a_warmup_covering_the_run_judges_the_whole_run():
    load = checked_load(slow_start().endpoints, duration_s=10.0, warmup_s=10.0)
    assert (load.from_second, load.requests, load.failures) == (0, 480, 15)
    assert load.latency is not None and load.latency.count == 480
