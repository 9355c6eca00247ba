"""Compare verdicts on records built in code (real HDR histograms) with known differences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from results_factory import make_record

from results import CompareSettings, Comparison, compare_runs, reduce_run
from results.stats import welch_one_sided_p


def _side(prefix: str, k: int, seed: int, **kwargs: object) -> list:
    return [reduce_run(make_record(f"{prefix}{i}", seed=seed + i, **kwargs)) for i in range(k)]  # type: ignore[arg-type]


def _verdicts(c: Comparison) -> dict[str, str]:
    return {m.spec.key: m.verdict for m in c.metrics}


def test_same_build_is_no_regression() -> None:
    c = compare_runs(_side("a", 5, 0), _side("b", 5, 100))
    assert c.mode == "statistical"
    assert c.verdict == "no regression" and c.exit_code == 0
    assert set(_verdicts(c).values()) <= {"no change", "improved"}
    for m in c.metrics:
        assert (
            m.ci_low is not None and m.ci_high is not None and m.ci_low <= 1.0 <= m.ci_high * 1.02
        )


def test_ten_percent_throughput_drop_is_a_regression() -> None:
    c = compare_runs(_side("a", 5, 0), _side("b", 5, 100, rps=90.0))
    tput = c.metrics[0]
    assert tput.spec.key == "throughput_rps" and tput.verdict == "regression"
    assert tput.ratio == pytest.approx(0.9, abs=0.02)
    assert tput.ci_low is not None and tput.ci_high is not None and tput.ci_high < 0.95
    # throughput: Welch's t on logs (far below the rank test's floor of 1/252), doubled by the
    # weighted Holm step that gives throughput half of alpha
    assert tput.p_value is not None and tput.p_value < 1 / 252
    assert tput.p_adjusted == pytest.approx(2 * tput.p_value)
    assert c.exit_code == 1 and c.verdict == "regression"
    rank_only = compare_runs(
        _side("a", 5, 0),
        _side("b", 5, 100, rps=90.0),
        CompareSettings(throughput_test="mann-whitney"),
    )
    assert rank_only.metrics[0].p_value == pytest.approx(1 / 252)
    assert rank_only.metrics[0].verdict == "regression"


def test_latency_increase_is_a_regression_and_throughput_gain_is_not() -> None:
    slower = compare_runs(_side("a", 5, 0), _side("b", 5, 100, latency_ms=26.0))
    assert _verdicts(slower)["p50_ms"] == "regression" and slower.exit_code == 1
    faster = compare_runs(_side("a", 5, 0), _side("b", 5, 100, rps=120.0))
    assert _verdicts(faster)["throughput_rps"] == "improved" and faster.exit_code == 0


def test_small_significant_change_below_the_minimum_effect_is_not_a_regression() -> None:
    base = _side("a", 5, 0, rps=1000.0, run_noise=0.001)
    cand = _side("b", 5, 100, rps=980.0, run_noise=0.001)
    c = compare_runs(base, cand)
    tput = c.metrics[0]
    assert tput.p_adjusted is not None and tput.p_adjusted <= 0.05  # detectable...
    assert tput.verdict == "no change"  # ...but under the 5% minimum effect
    strict = compare_runs(
        base,
        cand,
        CompareSettings(
            min_effect={"throughput_rps": 0.01, "p50_ms": 0.05, "p95_ms": 0.08, "p99_ms": 0.12}
        ),
    )
    assert strict.metrics[0].verdict == "regression"


def test_wide_interval_is_inconclusive() -> None:
    c = compare_runs(_side("a", 5, 0, run_noise=0.15), _side("b", 5, 100, run_noise=0.15))
    assert c.exit_code == 2 and c.verdict == "inconclusive"
    assert "inconclusive" in _verdicts(c).values()
    reason = next(m.reason for m in c.metrics if m.verdict == "inconclusive")
    assert "beyond the" in reason and "minimum effect" in reason


def test_new_error_kind_is_a_regression_whatever_the_statistics() -> None:
    c = compare_runs(_side("a", 5, 0), _side("b", 5, 100, errors={"http_503": 1}))
    assert set(_verdicts(c).values()) <= {"no change", "improved"}
    assert c.exit_code == 1
    assert c.hard_regressions == ["new error kind 'http_503' in the candidate"]
    assert [row.kind for row in c.error_kinds if row.new] == ["http_503"]


def test_known_or_expected_error_kinds_are_not_new() -> None:
    base = _side("a", 5, 0, errors={"http_503": 1, "rejected_invalid": 3})
    cand = _side("b", 5, 100, errors={"http_503": 2, "rejected_invalid": 4})
    assert compare_runs(base, cand).hard_regressions == []
    only_expected = compare_runs(
        _side("a", 5, 0), _side("b", 5, 100, errors={"rejected_invalid": 5})
    )
    assert only_expected.exit_code == 0


@pytest.mark.parametrize(("missing", "corrupted"), [(1, 0), (0, 1)])
def test_a_lost_post_is_a_regression(missing: int, corrupted: int) -> None:
    cand = _side("b", 4, 100) + _side("z", 1, 200, missing=missing, corrupted=corrupted)
    c = compare_runs(_side("a", 5, 0), cand)
    assert c.exit_code == 1
    assert c.hard_regressions == [
        f"candidate run 'z0' lost 1 post(s) ({missing} missing, {corrupted} corrupted)"
    ]


def test_single_run_per_side_is_descriptive() -> None:
    c = compare_runs(_side("a", 1, 0), _side("b", 1, 100, rps=80.0))
    assert c.mode == "descriptive" and c.exit_code == 2
    assert all(m.verdict == "descriptive" and m.p_value is None for m in c.metrics)
    assert "Descriptive comparison only (1 vs 1 runs)" in c.notes[0]
    assert c.metrics[0].reason.endswith("% worse (1 run on a side: no statistical verdict)")
    assert 0.7 < c.metrics[0].ratio < 0.9


def test_single_run_still_catches_lost_posts() -> None:
    c = compare_runs(_side("a", 1, 0), _side("b", 1, 100, missing=3))
    assert c.exit_code == 1


def test_too_few_runs_say_they_cannot_reach_significance() -> None:
    c = compare_runs(_side("a", 2, 0), _side("b", 2, 100, rps=50.0, latency_ms=40.0))
    assert c.mode == "underpowered"
    assert "smallest possible p-value of the exact rank test is 0.1667" in c.notes[0]
    assert "0.0250 for throughput" in c.notes[0] and "0.0083 for p50 latency" in c.notes[0]
    assert "k = 5" in c.notes[0]
    assert "regression" not in _verdicts(c).values()
    assert c.exit_code == 2


@pytest.mark.parametrize("k", [3, 4])
def test_three_or_four_runs_show_a_large_throughput_drop(k: int) -> None:
    # the rank test's floor (1/20, 1/70) reaches alpha, which throughput's gate needs
    c = compare_runs(_side("a", k, 0), _side("b", k, 100, rps=50.0, latency_ms=40.0))
    assert c.mode == "statistical"
    assert "k = 5 runs per side is recommended" in c.notes[0]
    verdicts = _verdicts(c)
    assert verdicts["throughput_rps"] == "regression" and c.exit_code == 1
    # latency: 1/20 stays above even the 0.05 x (1/6) / (1/2) = 0.0167 a latency percentile
    # gets once throughput has passed its share on; 1/70 = 0.0143 does not
    assert (verdicts["p50_ms"] == "regression") == (k == 4)


def _metrics(values: Sequence[float], prefix: str) -> list:
    """Runs whose throughput is exactly ``values`` (latency the same everywhere)."""
    runs = []
    for i, v in enumerate(values):
        run = reduce_run(make_record(f"{prefix}{i}", seed=i, run_noise=0.0))
        runs.append(replace(run, values={**run.values, "throughput_rps": v}))
    return runs


def test_the_t_test_counts_only_when_the_rank_test_agrees() -> None:
    base = _metrics([100.0, 100.1, 100.2, 100.3, 100.4], "a")
    # four runs 9-10% lower, one run above every baseline run: the rank test sees U = 5
    # (p = 19/252 > 0.05) while Welch's t on logs alone would call it (p < 0.025)
    cand = _metrics([90.0, 90.5, 91.0, 91.5, 101.0], "b")
    welch_alone = compare_runs(base, cand, CompareSettings(throughput_test="welch"))
    assert welch_alone.metrics[0].p_value is not None and welch_alone.metrics[0].p_value < 0.025
    assert welch_alone.metrics[0].verdict == "regression"
    c = compare_runs(base, cand)
    assert c.metrics[0].p_value == pytest.approx(19 / 252)
    assert c.metrics[0].verdict == "inconclusive" and c.exit_code == 2


def test_an_outlying_run_keeps_the_larger_p_value() -> None:
    base = _metrics([100.0, 100.5, 101.0, 101.5, 102.0], "a")
    cand = _metrics([88.0, 88.5, 89.0, 89.5, 70.0], "b")  # 70 lies 24% below the others
    welch = welch_one_sided_p(
        [r.values["throughput_rps"] for r in cand],
        [r.values["throughput_rps"] for r in base],
        worse="lower",
    )
    assert welch is not None and welch > 1 / 252
    c = compare_runs(base, cand)
    assert c.metrics[0].p_value == pytest.approx(welch)  # max(Welch, rank = 1/252)


def test_deterministic() -> None:
    def run() -> Sequence[object]:
        c = compare_runs(_side("a", 5, 0), _side("b", 5, 100, rps=95.0))
        return [(m.ratio, m.ci_low, m.ci_high, m.p_value, m.verdict) for m in c.metrics]

    assert run() == run()


def test_different_environments_are_noted() -> None:
    record = make_record("x", seed=1)
    bigger = record.model_copy(
        update={"environment": record.environment.model_copy(update={"cpu_count": 16})}
    )
    c = compare_runs(_side("a", 2, 0), [reduce_run(bigger), reduce_run(bigger)])
    assert any("different environments (2 CPUs" in n and "16 CPUs" in n for n in c.notes)
    assert not any(
        "different environments" in n
        for n in compare_runs(_side("a", 2, 0), _side("b", 2, 9)).notes
    )


def test_unverified_and_interrupted_runs_are_noted_once() -> None:
    records = [make_record(f"u{i}", seed=i) for i in range(3)]
    unverified = [
        r.model_copy(
            update={
                "verification": r.verification.model_copy(update={"performed": False}),
                "interrupted": i == 0,
            }
        )
        for i, r in enumerate(records)
    ]
    c = compare_runs(_side("a", 3, 10), [reduce_run(r) for r in unverified])
    assert "verification not performed in 3 run(s): u0, u1, u2." in c.notes
    assert any(n.startswith("interrupted, so partial: u0.") for n in c.notes)


def test_an_interrupted_run_caps_the_verdict_at_inconclusive() -> None:
    base = _side("a", 5, 0)
    records = [make_record(f"b{i}", seed=100 + i) for i in range(5)]
    assert compare_runs(base, [reduce_run(r) for r in records]).exit_code == 0
    cut = [r.model_copy(update={"interrupted": i == 4}) for i, r in enumerate(records)]
    c = compare_runs(base, [reduce_run(r) for r in cut])
    assert c.verdict == "inconclusive" and c.exit_code == 2
    assert any("at best inconclusive" in n for n in c.notes)
    slower = [make_record(f"s{i}", seed=200 + i, rps=85.0) for i in range(5)]
    cut_slow = [r.model_copy(update={"interrupted": i == 4}) for i, r in enumerate(slower)]
    assert compare_runs(base, [reduce_run(r) for r in cut_slow]).exit_code == 1  # still shown


def test_the_method_note_shows_the_weights_the_decision_used() -> None:
    from results.formatting import method_note

    # only throughput's weight given: the latency percentiles keep their defaults (1/6 each)
    settings = CompareSettings(weights={"throughput_rps": 0.5})
    comparison = compare_runs(_side("a", 5, 0), _side("b", 5, 50), settings)
    note = method_note(comparison)
    assert "throughput" in note and "0.5" in note
    assert note.count("0.167") == 3, note
