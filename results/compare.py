"""The decision of ``anp compare``: is the candidate worse than the baseline?

Per primary metric (see :data:`results.metrics.PRIMARY_METRICS`), with one value per run:

- **regression** when the one-sided p-value, adjusted across the primary metrics by a weighted
  Holm procedure (:data:`DEFAULT_WEIGHTS`: half of alpha for throughput, half shared by the
  three latency percentiles; ``correction="bonferroni"`` for weighted Bonferroni), is at most
  ``alpha`` AND the ratio of medians is worse than ``1 ± min_effect`` for that metric. Latency
  percentiles use the exact one-sided Mann-Whitney test; throughput uses Welch's t-test on log
  values, counted only when the exact rank test agrees (see :func:`_p_value`);
- otherwise **no change** (or **improved**) when the confidence interval's worse end stays
  within the minimum effect;
- otherwise **inconclusive**: the interval is too wide to rule out a regression.

The error rate by kind (``rejected_invalid`` excluded) is tested the same way as a separate
family, with an absolute minimum effect of +0.5 percentage points (:mod:`results.error_rates`).

Hard rules override the statistics: any error kind absent from every baseline run and present
in a candidate run, and any lost post (missing or corrupted in verification) is a regression.
With a single run on a side, the comparison is descriptive only and never claims "no change";
an interrupted or incomplete (a worker lost) run on either side, or a candidate whose
verification could not complete, also caps the verdict at inconclusive.

Exit codes: 0 no regression, 1 regression, 2 inconclusive, 3 unusable input.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from results.error_rates import DEFAULT_ERROR_MIN_EFFECT, ErrorKindRow, error_kind_rows
from results.metrics import PRIMARY_METRICS, MetricSpec, RunMetrics
from results.stats import (
    Correction,
    adjust_weighted,
    hodges_lehmann_ratio,
    log_spread_outlier,
    one_sided_p,
    smallest_p,
    welch_one_sided_p,
)

DEFAULT_MIN_EFFECT: Mapping[str, float] = {
    "throughput_rps": 0.05,
    "p50_ms": 0.05,
    "p95_ms": 0.08,
    "p99_ms": 0.12,
}
"""Smallest relative change called a regression, per metric; calibrated from simulated and real
A/A runs (docs/results.md, bench/bench_compare.py)."""

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "throughput_rps": 1 / 2,
    "p50_ms": 1 / 6,
    "p95_ms": 1 / 6,
    "p99_ms": 1 / 6,
}
"""Share of alpha each primary metric gets in the weighted Holm procedure: half for throughput
(capacity), half shared by the three latency percentiles (one question asked three ways)."""

ThroughputTest = Literal["welch", "welch+rank", "mann-whitney"]

RECOMMENDED_RUNS = 5

OUTLIER_LOG_LIMIT = 0.15
"""A run further than this from the median of the others on its side, on the log scale (about
16%), is taken as a sign of a host state change: the t-test is not used for that comparison."""

EXIT_OK, EXIT_REGRESSION, EXIT_INCONCLUSIVE = 0, 1, 2


@dataclass(frozen=True)
class CompareSettings:
    """How the decision is made; the defaults are the documented, calibrated ones."""

    alpha: float = 0.05
    """Family-wise false-alarm rate across the primary metrics."""
    correction: Correction = "holm"
    min_effect: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_EFFECT))
    """Metric key -> smallest relative worsening that counts (0.05 = 5%)."""
    ci_level: float = 0.90
    """Two-sided level of the Hodges-Lehmann interval (its worse end is a one-sided 95% bound)."""
    error_min_effect: float = DEFAULT_ERROR_MIN_EFFECT
    """Smallest absolute rise of an error kind's ratio that counts (0.005 = +0.5 points)."""
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """Metric key -> share of alpha in the weighted correction (normalised to sum 1)."""
    throughput_test: ThroughputTest = "welch+rank"
    """How throughput is tested (see the module docstring)."""


@dataclass(frozen=True)
class MetricResult:
    spec: MetricSpec
    baseline_values: list[float]
    candidate_values: list[float]
    baseline: float
    """Median of the baseline runs' values."""
    candidate: float
    ratio: float
    """candidate / baseline medians."""
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    min_effect: float
    verdict: str
    """``regression``, ``no change``, ``improved``, ``inconclusive`` or ``descriptive``."""
    reason: str


@dataclass(frozen=True)
class Comparison:
    baseline: list[RunMetrics]
    candidate: list[RunMetrics]
    settings: CompareSettings
    mode: str
    """``statistical``, ``underpowered`` (cannot reach significance) or ``descriptive``."""
    metrics: list[MetricResult]
    error_kinds: list[ErrorKindRow]
    hard_regressions: list[str]
    notes: list[str]
    verdict: str
    """``regression``, ``no regression`` or ``inconclusive``."""
    exit_code: int


def _worsening(ratio: float, spec: MetricSpec) -> float:
    """How much worse a ratio is, as a fraction (negative = better)."""
    return 1.0 - ratio if spec.higher_is_better else ratio - 1.0


def _positive(values: Sequence[float]) -> list[float]:
    return [max(v, 1e-9) for v in values]


def _metric(
    spec: MetricSpec,
    base: list[float],
    cand: list[float],
    p: float | None,
    p_adj: float | None,
    settings: CompareSettings,
    descriptive: bool,
) -> MetricResult:
    delta = settings.min_effect.get(spec.key, DEFAULT_MIN_EFFECT.get(spec.key, 0.05))
    b_med, c_med = float(statistics.median(base)), float(statistics.median(cand))
    ratio = c_med / b_med if b_med > 0 else float("inf")
    worse = _worsening(ratio, spec)
    low: float | None = None
    high: float | None = None
    if not descriptive:
        _, low, high = hodges_lehmann_ratio(_positive(cand), _positive(base), settings.ci_level)
    pct = f"{abs(worse) * 100:.1f}% {'worse' if worse > 0 else 'better'}"
    if descriptive:
        verdict, reason = "descriptive", f"{pct} (1 run on a side: no statistical verdict)"
    elif p_adj is not None and p_adj <= settings.alpha and worse > delta:
        verdict = "regression"
        reason = f"{pct}, beyond the {delta:.0%} minimum effect, p_adj={p_adj:.4f}"
    else:
        bad_end = None if low is None or high is None else (low if spec.higher_is_better else high)
        if bad_end is None:
            verdict, reason = "inconclusive", "too few runs for a confidence interval"
        elif _worsening(bad_end, spec) <= delta:
            good_end = high if spec.higher_is_better else low
            assert good_end is not None
            improved = _worsening(bad_end, spec) < 0 and p is not None
            verdict = "improved" if improved else "no change"
            reason = (
                f"interval's worse end {_worsening(bad_end, spec) * 100:+.1f}% "
                f"is within the {delta:.0%} minimum effect"
            )
        else:
            verdict = "inconclusive"
            reason = (
                f"interval reaches {_worsening(bad_end, spec) * 100:.1f}% worse, beyond the "
                f"{delta:.0%} minimum effect, without a significant test"
            )
    return MetricResult(
        spec, base, cand, b_med, c_med, ratio, low, high, p, p_adj, delta, verdict, reason
    )


def metric_weight(settings: CompareSettings, key: str) -> float:
    """The share of alpha metric ``key`` gets, before normalising over the primary metrics:
    ``settings.weights[key]``, else its default."""
    return settings.weights.get(key, DEFAULT_WEIGHTS[key])


def _weights(settings: CompareSettings) -> list[float]:
    return [metric_weight(settings, s.key) for s in PRIMARY_METRICS]


def _uses_welch(spec: MetricSpec, settings: CompareSettings) -> bool:
    return spec.key == "throughput_rps" and settings.throughput_test != "mann-whitney"


def _reachable(
    spec: MetricSpec, threshold: float, rank_floor: float, settings: CompareSettings
) -> bool:
    """Whether this metric's test can reach its first-step threshold at all."""
    if not _uses_welch(spec, settings):
        return rank_floor <= threshold
    # welch+rank also needs the rank test at the uncorrected level; a lone t-test can reach any p
    return settings.throughput_test == "welch" or rank_floor <= settings.alpha


def _p_value(
    spec: MetricSpec, base: list[float], cand: list[float], settings: CompareSettings
) -> float:
    """The one-sided p-value that the candidate is worse on this metric.

    Latency, and throughput with ``mann-whitney``: the exact Mann-Whitney test. Throughput with
    ``welch``: Welch's t-test on log values (undefined, e.g. no spread on either side, falls back
    to the rank test). With ``welch+rank`` (the default): Welch's p-value when the exact rank
    test agrees at the uncorrected level (its p <= alpha) and no run lies more than
    :data:`OUTLIER_LOG_LIMIT` from the others on its side; otherwise the larger of the two. The
    result is never smaller than Welch's p-value, and it reaches alpha or less only when the
    rank test does: the t-test adds power on roughly lognormal runs, never a regression that
    the distribution-free test contradicts."""
    worse = "lower" if spec.higher_is_better else "higher"
    rank_p = one_sided_p(cand, base, worse=worse)
    if not _uses_welch(spec, settings):
        return rank_p
    welch_p = welch_one_sided_p(_positive(cand), _positive(base), worse=worse)
    if welch_p is None:
        return rank_p
    if settings.throughput_test == "welch":
        return welch_p
    clean = not any(log_spread_outlier(_positive(side), OUTLIER_LOG_LIMIT) for side in (base, cand))
    return welch_p if clean and rank_p <= settings.alpha else max(welch_p, rank_p)


def compare_runs(
    baseline: Sequence[RunMetrics],
    candidate: Sequence[RunMetrics],
    settings: CompareSettings | None = None,
) -> Comparison:
    """Decide whether ``candidate`` regressed against ``baseline`` (see the module docstring).
    Load settings must already have been checked (:func:`results.comparable.check_comparable`)."""
    settings = settings or CompareSettings()
    if not baseline or not candidate:
        raise ValueError("compare_runs needs at least one run on each side")
    n, m = len(baseline), len(candidate)
    k = len(PRIMARY_METRICS)
    notes: list[str] = []
    descriptive = n == 1 or m == 1
    weights = _weights(settings)
    thresholds = [settings.alpha * w for w in weights]
    rank_floor = smallest_p(n, m)
    # the p-value a metric needs at the first step of the weighted procedure, and whether its
    # test can reach it at all with n vs m runs (a rank test cannot go below 1 / C(n+m, n))
    reachable = [
        _reachable(s, t, rank_floor, settings)
        for s, t in zip(PRIMARY_METRICS, thresholds, strict=True)
    ]
    if descriptive:
        mode = "descriptive"
        notes.append(
            f"Descriptive comparison only ({n} vs {m} runs): one run per side cannot separate a "
            f"change from run-to-run noise. Run k = {RECOMMENDED_RUNS} per side for a verdict."
        )
    elif not any(reachable):
        mode = "underpowered"
        shares = ", ".join(
            f"{t:.4f} for {s.label}" for s, t in zip(PRIMARY_METRICS, thresholds, strict=True)
        )
        notes.append(
            f"With {n} vs {m} runs the smallest possible p-value of the exact rank test is "
            f"{rank_floor:.4f}, above what each metric needs (alpha {settings.alpha}, corrected: "
            f"{shares}): no regression can be shown. Run k = {RECOMMENDED_RUNS} per side."
        )
    else:
        mode = "statistical"
        if min(n, m) < RECOMMENDED_RUNS:
            notes.append(f"k = {RECOMMENDED_RUNS} runs per side is recommended ({n} vs {m}).")
    per_metric = [
        ([r.values[s.key] for r in baseline], [r.values[s.key] for r in candidate])
        for s in PRIMARY_METRICS
    ]
    p_values: list[float | None] = [None] * k
    p_adjusted: list[float | None] = [None] * k
    if not descriptive:
        raw = [
            _p_value(s, b, c, settings)
            for s, (b, c) in zip(PRIMARY_METRICS, per_metric, strict=True)
        ]
        p_values = list(raw)
        p_adjusted = list(adjust_weighted(raw, weights, settings.correction))
    metrics = [
        _metric(s, b, c, p, pa, settings, descriptive)
        for s, (b, c), p, pa in zip(PRIMARY_METRICS, per_metric, p_values, p_adjusted, strict=True)
    ]
    error_rows = error_kind_rows(
        baseline,
        candidate,
        alpha=settings.alpha,
        correction=settings.correction,
        min_effect=settings.error_min_effect,
        ci_level=settings.ci_level,
        descriptive=descriptive,
    )
    hard = [f"new error kind '{row.kind}' in the candidate" for row in error_rows if row.new]
    for run in candidate:
        if run.posts_lost:
            hard.append(
                f"candidate run '{run.run_id}' lost {run.posts_lost} post(s) "
                f"({run.posts_missing} missing, {run.posts_corrupted} corrupted)"
            )
    envs = {
        side: {r.environment for r in runs}
        for side, runs in (("baseline", baseline), ("candidate", candidate))
    }
    if envs["baseline"] != envs["candidate"]:
        notes.append(
            "The two sides ran in different environments ("
            + " vs ".join("; ".join(sorted(envs[side])) for side in ("baseline", "candidate"))
            + "): numbers from different machines differ for reasons other than the release."
        )
    everything = [*baseline, *candidate]
    interrupted = [r.run_id for r in everything if r.interrupted]
    if interrupted:
        notes.append(
            f"interrupted, so partial: {', '.join(interrupted)}. A partial run cannot clear a "
            "release: without a regression the verdict is at best inconclusive."
        )
    incomplete = [r.run_id for r in everything if r.incomplete]
    if incomplete:
        notes.append(
            f"incomplete (a worker's final report never came), so partial: "
            f"{', '.join(incomplete)}. A partial run cannot clear a release: without a "
            "regression the verdict is at best inconclusive."
        )
    by_status: dict[str, list[str]] = {}
    for run in everything:
        if run.verification != "verified":
            by_status.setdefault(run.verification, []).append(run.run_id)
    for status, ids in sorted(by_status.items()):
        notes.append(f"verification {status} in {len(ids)} run(s): {', '.join(ids)}.")
    verdicts = [x.verdict for x in metrics] + [row.verdict for row in error_rows]
    if hard or "regression" in verdicts:
        verdict, code = "regression", EXIT_REGRESSION
    elif (
        descriptive
        or "inconclusive" in verdicts
        or any(r.verification.startswith("incomplete") for r in candidate)
        or interrupted
        or incomplete
    ):
        verdict, code = "inconclusive", EXIT_INCONCLUSIVE
    else:
        verdict, code = "no regression", EXIT_OK
    return Comparison(
        list(baseline),
        list(candidate),
        settings,
        mode,
        metrics,
        error_rows,
        hard,
        notes,
        verdict,
        code,
    )
