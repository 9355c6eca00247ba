"""The error rate by kind, compared across runs (part of ``anp compare``'s decision).

Each run's value for a kind is its error ratio: errors of that kind / requests (0 when the run had
none). For every kind present in any run on either side, except the expected ones
(:data:`results.metrics.EXPECTED_ERROR_KINDS`, e.g. ``rejected_invalid``):

- the same **exact one-sided Mann-Whitney** test as the primary metrics, but with ties handled
  exactly (:func:`results.stats.one_sided_p_ties`: most runs of a healthy site have a ratio of 0);
- the p-values are adjusted with the same correction (Holm by default) over the error kinds
  tested (those the baseline already had; a new kind is a regression by rule and stays out of
  the family), as a **family of their own**, separate from the primary metrics, so that the
  calibrated primary decision keeps its power whatever the number of error kinds;
- the effect is the **absolute** difference of the median ratios, in percentage points, with a
  Hodges-Lehmann interval of the shift; the minimum effect is
  :data:`DEFAULT_ERROR_MIN_EFFECT` (+0.5 points), so a rise from 0.10% to 0.12% is never a
  regression, and a rise from 0.1% to 20% is one when the test is significant.

Verdicts follow the primary metrics': ``regression`` (adjusted p <= alpha and a rise beyond the
minimum effect), ``no change``/``improved`` (the interval's upper end stays within the minimum
effect), otherwise ``inconclusive``. A kind absent from every baseline run and present in a
candidate run stays a regression whatever the statistics say (``new``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from results.metrics import EXPECTED_ERROR_KINDS, RunMetrics
from results.stats import Correction, adjust, hodges_lehmann_shift, one_sided_p_ties

DEFAULT_ERROR_MIN_EFFECT = 0.005
"""Smallest absolute rise of an error kind's ratio called a regression: 0.005 = +0.5 percentage
points (docs/results.md)."""


@dataclass(frozen=True)
class ErrorKindRow:
    """One error kind on both sides, with its test and verdict."""

    kind: str
    baseline_rate: float
    """Median over baseline runs of that kind's ratio (errors of the kind / requests)."""
    candidate_rate: float
    new: bool
    """Absent from every baseline run and present in a candidate run (a regression)."""
    expected: bool
    """The target behaving correctly (``rejected_invalid``): shown, never tested."""
    baseline_values: list[float]
    """Each baseline run's ratio (0 for a run without that kind)."""
    candidate_values: list[float]
    difference: float
    """``candidate_rate - baseline_rate`` (ratio units: 0.01 = one percentage point)."""
    ci_low: float | None
    """Hodges-Lehmann interval of the shift candidate - baseline (None when not computed)."""
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    """Adjusted over the error kinds tested (a separate family from the primary metrics); None
    for a new kind (a regression by rule, outside the family) and in descriptive mode."""
    min_effect: float
    verdict: str
    """``regression``, ``no change``, ``improved``, ``inconclusive``, ``descriptive`` or
    ``expected``."""
    reason: str


def _points(value: float) -> str:
    return f"{value * 100:+.2f} points"


def _verdict(
    row_new: bool,
    diff: float,
    low: float | None,
    high: float | None,
    p: float | None,
    p_adj: float | None,
    alpha: float,
    delta: float,
    descriptive: bool,
) -> tuple[str, str]:
    if row_new:
        return "regression", "new error kind: absent from every baseline run"
    if descriptive:
        return "descriptive", f"{_points(diff)} (1 run on a side: no statistical verdict)"
    if p_adj is not None and p_adj <= alpha and diff > delta:
        return "regression", (
            f"{_points(diff)}, beyond the +{delta * 100:.2g}-point minimum effect, "
            f"p_adj={p_adj:.4f}"
        )
    if low is None or high is None:
        return "inconclusive", "too few runs for a confidence interval"
    if high <= delta:
        improved = high < 0 and p is not None
        return ("improved" if improved else "no change"), (
            f"interval's upper end {_points(high)} is within the "
            f"+{delta * 100:.2g}-point minimum effect"
        )
    return "inconclusive", (
        f"interval reaches {_points(high)}, beyond the +{delta * 100:.2g}-point minimum effect, "
        "without a significant test"
    )


def error_kind_rows(
    baseline: Sequence[RunMetrics],
    candidate: Sequence[RunMetrics],
    *,
    alpha: float,
    correction: Correction,
    min_effect: float,
    ci_level: float,
    descriptive: bool,
) -> list[ErrorKindRow]:
    """One row per error kind seen in any run, sorted by kind (see the module docstring)."""
    kinds = sorted({k for r in [*baseline, *candidate] for k, c in r.error_counts.items() if c})
    new_kinds = {
        k
        for k in kinds
        if k not in EXPECTED_ERROR_KINDS
        and any(r.error_counts.get(k, 0) > 0 for r in candidate)
        and not any(r.error_counts.get(k, 0) > 0 for r in baseline)
    }
    # new kinds are regressions by rule, so they stay out of the corrected family (their raw p is
    # still shown); only kinds the baseline already had are tested
    tested = [k for k in kinds if k not in EXPECTED_ERROR_KINDS and k not in new_kinds]
    values = {
        k: (
            [r.error_rates.get(k, 0.0) for r in baseline],
            [r.error_rates.get(k, 0.0) for r in candidate],
        )
        for k in kinds
    }
    p_values: dict[str, float] = {}
    p_adjusted: dict[str, float] = {}
    if not descriptive:
        p_values = {
            k: one_sided_p_ties(values[k][1], values[k][0], worse="higher")
            for k in kinds
            if k not in EXPECTED_ERROR_KINDS
        }
        if tested:
            raw = [p_values[k] for k in tested]
            p_adjusted = dict(zip(tested, adjust(raw, correction), strict=True))
    rows = []
    for kind in kinds:
        base, cand = values[kind]
        b_med, c_med = float(statistics.median(base)), float(statistics.median(cand))
        expected = kind in EXPECTED_ERROR_KINDS
        new = kind in new_kinds
        low = high = None
        if not expected and not descriptive:
            _, low, high = hodges_lehmann_shift(cand, base, ci_level)
        p, p_adj = p_values.get(kind), p_adjusted.get(kind)
        if expected:
            verdict, reason = "expected", "the target correctly refused invalid posts"
        else:
            verdict, reason = _verdict(
                new, c_med - b_med, low, high, p, p_adj, alpha, min_effect, descriptive
            )
        rows.append(
            ErrorKindRow(
                kind=kind,
                baseline_rate=b_med,
                candidate_rate=c_med,
                new=new,
                expected=expected,
                baseline_values=base,
                candidate_values=cand,
                difference=c_med - b_med,
                ci_low=low,
                ci_high=high,
                p_value=p,
                p_adjusted=p_adj,
                min_effect=min_effect,
                verdict=verdict,
                reason=reason,
            )
        )
    return rows
