"""Pure tests of the pass/fail checks and of the run-wide aggregates they read."""

from __future__ import annotations

import pytest
from hdrh.histogram import HdrHistogram as Hdr

from loadtests import CheckSpec
from loadtests.aggregate import (
    CheckedLoad,
    checked_load,
    compute_totals,
    overall_percentiles,
    sum_errors,
)
from loadtests.checks import (
    CHECK_FIELDS,
    IMPLICIT_CHECK,
    all_passed,
    evaluate_checks,
    locust_exit_code,
    merge_checks,
)
from results import (
    EndpointStats,
    HdrHistogram,
    Percentiles,
    SeedSummary,
    Totals,
    Verification,
)


def totals(requests=100, failures=5, throughput=50.0) -> Totals:
    return Totals(
        requests=requests,
        successes=requests - failures,
        failures=failures,
        posts_acknowledged=requests - failures,
        throughput_rps=throughput,
        posts_per_s=throughput,
        error_ratio=failures / requests if requests else 0.0,
    )


PCT = Percentiles(
    count=100,
    min_ms=1.0,
    mean_ms=12.0,
    p50_ms=10.0,
    p90_ms=20.0,
    p95_ms=30.0,
    p99_ms=40.0,
    p999_ms=50.0,
    max_ms=60.0,
)
VERIFIED = Verification(performed=True, acknowledged=10, landed=9, missing=1, corrupted=2)


def load(
    requests=100, failures=5, latency=PCT, from_second=0, no_answer=0, no_answer_most=None
) -> CheckedLoad:
    return CheckedLoad(
        from_second,
        requests,
        failures,
        latency,
        ("import",),
        no_answer=no_answer,
        no_answer_most=no_answer_most,
    )


def by_name(spec: CheckSpec, **kw):
    args = {"totals": totals(), "load": load(), "verification": VERIFIED} | kw
    return {r.name: r for r in evaluate_checks(spec, **args)}


def test_no_check_declared_applies_locusts_rule_over_the_whole_run():
    # the load after the warm-up had no failure; the whole run had 5: Locust's rule counts them
    results = evaluate_checks(
        CheckSpec(), totals=totals(), load=load(failures=0), verification=VERIFIED
    )
    assert [(r.name, r.threshold, r.observed, r.passed) for r in results] == [
        (IMPLICIT_CHECK, 0.0, 5.0, False)
    ]
    assert "no check declared" in results[0].detail
    assert "5 of 100 requests" in results[0].detail
    assert all_passed(results) is False
    clean = evaluate_checks(
        CheckSpec(), totals=totals(failures=0), load=load(), verification=VERIFIED
    )
    assert [(r.name, r.passed) for r in clean] == [(IMPLICIT_CHECK, True)]
    assert all_passed([]) is None


def test_plain_locust_exit_code_honours_exit_code_on_error_only_for_the_implicit_check():
    class Options:
        exit_code_on_error = 7

    implicit = by_name(CheckSpec(), totals=totals())[IMPLICIT_CHECK]
    declared = by_name(CheckSpec(max_error_ratio=0.0))["max_error_ratio"]
    assert locust_exit_code(1, [implicit], Options()) == 7
    assert locust_exit_code(1, [implicit], None) == 1  # Locust's default
    assert locust_exit_code(1, [declared], Options()) == 1  # a declared check: the harness's 1
    assert locust_exit_code(3, [implicit], Options()) == 3  # interrupted stays a harness failure
    assert locust_exit_code(0, [implicit], Options()) == 0


@pytest.mark.parametrize(
    ("field", "limit", "observed", "passed"),
    [
        ("max_error_ratio", 0.05, 0.05, True),  # inclusive
        ("max_error_ratio", 0.049, 0.05, False),
        ("max_p50_ms", 10.0, 10.0, True),
        ("max_p50_ms", 9.99, 10.0, False),
        ("max_p95_ms", 30.0, 30.0, True),
        ("max_p95_ms", 29.0, 30.0, False),
        ("max_p99_ms", 0.001, 40.0, False),
        ("max_p99_ms", 100.0, 40.0, True),
        ("min_throughput", 50.0, 50.0, True),
        ("min_throughput", 50.5, 50.0, False),
        ("max_missing", 1, 1.0, True),
        ("max_missing", 0, 1.0, False),
        ("max_corrupted", 2, 2.0, True),
        ("max_corrupted", 0, 2.0, False),
    ],
)
def test_each_check_compares_observed_with_threshold(field, limit, observed, passed):
    result = by_name(CheckSpec(**{field: limit}))[field]
    assert result.threshold == limit
    assert result.observed == pytest.approx(observed)
    assert result.passed is passed
    assert result.detail


def test_results_follow_declaration_order_and_all_passed():
    spec = CheckSpec(max_corrupted=5, max_error_ratio=0.5, max_p99_ms=100)
    results = evaluate_checks(spec, totals=totals(), load=load(), verification=VERIFIED)
    assert [r.name for r in results] == ["max_error_ratio", "max_p99_ms", "max_corrupted"]
    assert [r.name for r in results] == [f for f in CHECK_FIELDS if f in {r.name for r in results}]
    assert all_passed(results) is True
    failing = evaluate_checks(
        CheckSpec(max_missing=0, max_error_ratio=0.5),
        totals=totals(),
        load=load(),
        verification=VERIFIED,
    )
    assert all_passed(failing) is False


@pytest.mark.parametrize(
    ("verification", "detail"),
    [
        (Verification(performed=False), "not performed"),
        (Verification(performed=True, error="target gone"), "target gone"),
    ],
)
def test_post_checks_fail_when_verification_is_missing_or_incomplete(verification, detail):
    results = by_name(CheckSpec(max_missing=0, max_corrupted=0), verification=verification)
    for name in ("max_missing", "max_corrupted"):
        assert results[name].passed is False
        assert results[name].observed is None
        assert detail in results[name].detail


def test_verification_not_performed_because_the_target_was_down_names_why():
    from loadtests.verify import not_performed

    verification = not_performed([(0, 3420)], "the target did not answer its health check")
    results = by_name(CheckSpec(max_missing=0), verification=verification)
    detail = results["max_missing"].detail
    assert results["max_missing"].passed is False
    assert "not performed" in detail and "health check" in detail
    assert "--no-verify" not in detail
    skipped = by_name(CheckSpec(max_missing=0), verification=Verification(performed=False))
    assert "--no-verify" in skipped["max_missing"].detail


def test_details_print_counts_with_thousands_separators():
    results = by_name(
        CheckSpec(max_error_ratio=0.5, max_missing=1000, min_throughput=1000),
        totals=totals(6981, 0, 1384.0),
        load=load(6981, 0),
        verification=Verification(performed=True, acknowledged=9000, landed=7766, missing=1234),
    )
    assert "0 failed of 6,981 requests of the run" in results["max_error_ratio"].detail
    assert results["max_missing"].detail == "1,234 missing post(s), at most 1,000 allowed"
    assert results["min_throughput"].detail == "1,384.00 successful requests/s of the run >= 1,000"


def test_latency_checks_fail_without_any_finished_request():
    result = by_name(CheckSpec(max_p95_ms=1000), load=load(latency=None))["max_p95_ms"]
    assert (result.passed, result.observed) == (False, None)
    assert result.detail == "no request of the run finished, so there is no latency to check"


@pytest.mark.parametrize(("field", "label"), [("max_p50_ms", "p50"), ("max_p95_ms", "p95")])
def test_latency_check_fails_when_every_request_failed_without_an_answer(field, label):
    # the site slower than the request timeout: all 100 requests timed out; their waits are in
    # the histogram (p50 10 ms, p95 30 ms, well under the limit), but nothing was answered
    everything_timed_out = load(100, 100, no_answer=100)
    result = by_name(CheckSpec(**{field: 500}), load=everything_timed_out)[field]
    assert (result.passed, result.observed) == (False, None)
    assert result.detail.startswith(
        "no request was answered: all 100 requests of the run failed without an HTTP answer"
    )
    assert f"their {label} until failing was {getattr(PCT, f'{label}_ms'):g} ms" in result.detail
    assert "answered requests" not in result.detail


@pytest.mark.parametrize(
    ("no_answer", "most", "said"),
    [
        (0, None, "over 100 requests of the run, all answered, all scenarios merged (import)"),
        (12, None, "over 100 requests of the run, 12 of them without an HTTP answer (in with "),
        (3, 12, "over 100 requests of the run, 3 to 12 of them without an HTTP answer (in with "),
        (99, None, "over 100 requests of the run, 99 of them without an HTTP answer"),
    ],
)
def test_latency_detail_says_how_many_counted_requests_had_no_answer(no_answer, most, said):
    result = by_name(
        CheckSpec(max_p95_ms=500), load=load(no_answer=no_answer, no_answer_most=most)
    )["max_p95_ms"]
    assert (result.passed, result.observed) == (True, 30.0)  # one answer is enough to judge
    assert said in result.detail
    assert "answered requests" not in result.detail


def test_latency_check_fails_when_no_request_is_known_to_have_been_answered():
    # every request failed and the record only bounds the ones without an answer: 60 to 100
    result = by_name(
        CheckSpec(max_p99_ms=500), load=load(100, 100, no_answer=60, no_answer_most=100)
    )["max_p99_ms"]
    assert (result.passed, result.observed) == (False, None)
    assert "no request is known to have been answered" in result.detail
    assert "60 to 100 of them without an HTTP answer" in result.detail


def test_error_ratio_fails_when_nothing_was_sent():
    result = by_name(CheckSpec(max_error_ratio=1.0), load=load(0, 0))["max_error_ratio"]
    assert (result.passed, result.observed) == (False, None)


def test_merge_options_win_field_by_field():
    definition = {"max_error_ratio": 0.01, "max_p99_ms": 500.0, "max_missing": 0}
    options = CheckSpec(max_p99_ms=250.0, min_throughput=10.0)
    merged = merge_checks(definition, options)
    assert merged == CheckSpec(
        max_error_ratio=0.01, max_p99_ms=250.0, max_missing=0, min_throughput=10.0
    )
    assert merge_checks(None, options) == options


def test_merge_accepts_the_definition_model():
    from targets.definitions import ChecksDef

    merged = merge_checks(ChecksDef(max_corrupted=0, max_p50_ms=5), CheckSpec(max_p50_ms=7))
    assert merged == CheckSpec(max_corrupted=0, max_p50_ms=7)


def encoded(values_us):
    h = Hdr(1, 3_600_000_000, 3)
    for v in values_us:
        h.record_value(v)
    return HdrHistogram(data=h.encode().decode("ascii"))


def endpoint(scenario, per_second, errors=None, histogram=None, after_warmup=None):
    ok = sum(r[1] for r in per_second)
    bad = sum(r[2] for r in per_second)
    return EndpointStats(
        scenario=scenario,
        name=f"POST /{scenario}",
        requests=ok + bad,
        successes=ok,
        failures=bad,
        posts=ok,
        per_second=per_second,
        errors=errors or {},
        histogram=histogram,
        histogram_after_warmup=after_warmup,
    )


def test_checked_load_counts_requests_without_an_answer_by_error_kind():
    # every failure is in the histogram; only timeouts and refused/reset connections had no
    # answer (a 503 and a bad body were answers; a rejected invalid post is a success)
    eps = [
        endpoint(
            "import",
            [(0, 4, 3), (1, 3, 2)],
            errors={"timeout": 2, "connection_refused": 1, "http_503": 1, "bad_response": 1},
            histogram=encoded([1000] * 12),
        ),
        endpoint(
            "invalid",
            [(0, 5, 1)],
            errors={"rejected_invalid": 5, "connection_reset": 1},
            histogram=encoded([1000] * 6),
        ),
    ]
    load = checked_load(eps, duration_s=2.0, warmup_s=0.0)
    assert (load.requests, load.failures, load.no_answer, load.no_answer_most) == (18, 6, 4, None)
    assert load.no_answer_bounds == (4, 4)


@pytest.mark.parametrize(
    ("rows", "errors", "bounds"),
    [
        # every failure of the endpoint had no answer: the post-warm-up ones are known exactly
        ([(0, 9, 1), (1, 10, 0), (2, 5, 4)], {"timeout": 5}, (4, 4)),
        # every failure had an answer: none without one
        ([(0, 9, 1), (1, 10, 0), (2, 5, 4)], {"http_503": 5}, (0, 0)),
        # both sorts: 2 answered failures in the whole run, so 2 to 3 of the 4 after second 2
        ([(0, 9, 1), (1, 10, 0), (2, 5, 4)], {"http_503": 2, "timeout": 3}, (2, 3)),
        # both sorts, all in the warm-up: none after it
        ([(0, 9, 3), (1, 10, 2), (2, 5, 0)], {"http_503": 2, "timeout": 3}, (0, 0)),
    ],
)
def test_checked_load_after_a_warmup_bounds_requests_without_an_answer(rows, errors, bounds):
    ep = endpoint("import", rows, errors=errors, after_warmup=encoded([1000] * 9))
    load = checked_load([ep], duration_s=3.0, warmup_s=2.0)
    assert load.from_second == 2
    assert load.no_answer_bounds == bounds
    assert load.no_answer_most == (None if bounds[0] == bounds[1] else bounds[1])


def test_totals_exclude_warmup_from_throughput_only():
    eps = [
        endpoint("import", [(0, 100, 0), (1, 100, 1), (2, 10, 0), (3, 10, 0)]),
        endpoint("invalid", [(0, 5, 0), (3, 5, 2)]),
    ]
    seeds = SeedSummary(acknowledged=[(0, 199), (500, 519)])
    t = compute_totals(eps, seeds, duration_s=4.0, warmup_s=1.5)
    # seconds 2 and 3 are measured: 10 + 10 + 5 successes over 2 s
    assert t.throughput_rps == pytest.approx(12.5)
    assert (t.requests, t.successes, t.failures) == (233, 230, 3)
    assert t.error_ratio == pytest.approx(3 / 233)
    assert t.posts_acknowledged == 220
    assert t.posts_per_s == pytest.approx(55.0)
    no_warmup = compute_totals(eps, seeds, duration_s=4.0, warmup_s=0)
    assert no_warmup.throughput_rps == pytest.approx(230 / 4)
    # a warm-up longer than the run falls back to the whole run instead of dividing by zero
    assert compute_totals(eps, seeds, duration_s=4.0, warmup_s=9).throughput_rps == 57.5


def test_errors_sum_by_kind_sorted():
    eps = [
        endpoint("import", [], errors={"timeout": 2, "http_503": 1}),
        endpoint("invalid", [], errors={"rejected_invalid": 7, "timeout": 1}),
    ]
    assert list(sum_errors(eps).items()) == [
        ("http_503", 1),
        ("rejected_invalid", 7),
        ("timeout", 3),
    ]


def test_overall_percentiles_merge_histograms_exactly():
    a = encoded([1000] * 90)  # 1 ms
    b = encoded([100_000] * 10)  # 100 ms
    eps = [endpoint("import", [], histogram=a), endpoint("invalid", [], histogram=b)]
    pct = overall_percentiles(eps)
    assert pct is not None
    assert pct.count == 100
    assert pct.p50_ms == pytest.approx(1.0, rel=1e-3)
    assert pct.p90_ms == pytest.approx(1.0, rel=1e-3)
    assert pct.p95_ms == pytest.approx(100.0, rel=1e-3)
    assert pct.max_ms == pytest.approx(100.0, rel=1e-3)
    assert overall_percentiles([endpoint("import", [])]) is None
