"""Trends across releases and change points (``anp history``).

Runs are grouped by the release the target reported, in order of each release's first run start
(or a given order). Per primary metric, each release gets the median, min and max of its runs'
values. The series of medians is divided by the median of the first ``reference`` releases'
medians, and change points are searched in it with ruptures' PELT (``model="l2"``,
``min_size=2``) and the penalty

    pen = 2 * ln(n) * max(sigma, sigma_floor) ** 2

where ``n`` is the number of releases and ``sigma`` a robust noise estimate
(1.4826 * MAD of the first differences / sqrt 2). A change point is *bad* when the mean level
after it is worse than the level before it and worse by more than the metric's minimum effect
than either that level or the reference level (1.0); a bad change point among the last ``recent``
releases exits 1. A slow drift of small steps becomes a sequence of level shifts under PELT whose
latest one sits far below the reference level, so it is caught even when no single step passes
the threshold.

ruptures was chosen because the suggested alternatives (signal-processing-algorithms, Apache
Otava) pin numpy/gevent versions that conflict with Locust's.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import ruptures

from results.compare import DEFAULT_MIN_EFFECT
from results.errors import ResultsError
from results.metrics import PRIMARY_METRICS, MetricSpec, RunMetrics

SIGMA_FLOOR = 0.01
"""Smallest noise level assumed for normalised medians (1%)."""


@dataclass(frozen=True)
class ChangePoint:
    index: int
    """Index in ``History.releases`` of the first release after the change."""
    before: float
    """Mean normalised level of the segment before."""
    after: float
    worsening: float
    """Relative worsening after vs before (negative = better)."""
    flagged: bool
    """Worse than before, by more than the minimum effect either against the level before or
    against the reference releases' level (slow drift), and within the recent releases."""


@dataclass(frozen=True)
class Trend:
    spec: MetricSpec
    medians: list[float]
    mins: list[float]
    maxs: list[float]
    normalised: list[float]
    penalty: float
    changes: list[ChangePoint]


@dataclass(frozen=True)
class History:
    releases: list[str]
    runs_per_release: list[int]
    trends: list[Trend]
    recent: int
    exit_code: int
    summary: str
    method: str


def group_by_release(
    runs: Sequence[RunMetrics], order: Sequence[str] | None = None
) -> list[tuple[str, list[RunMetrics]]]:
    """Runs per release: by ``order`` when given (every release must be listed), otherwise by
    each release's earliest run start (ties broken by name)."""
    groups: dict[str, list[RunMetrics]] = {}
    for run in runs:
        groups.setdefault(run.release, []).append(run)
    if order:
        unknown = sorted(set(groups) - set(order))
        if unknown:
            raise ResultsError(
                f"--order does not list release(s) {', '.join(map(repr, unknown))} found in the "
                f"runs; expected every release among {sorted(groups)}"
            )
        names = [r for r in order if r in groups]
    else:
        names = sorted(groups, key=lambda r: (min(x.started_at for x in groups[r]), r))
    return [(name, sorted(groups[name], key=lambda x: (x.started_at, x.run_id))) for name in names]


def _robust_sigma(series: np.ndarray) -> float:
    if len(series) < 3:
        return 0.0
    diffs = np.diff(series)
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    return 1.4826 * mad / math.sqrt(2.0)


def _worsening(before: float, after: float, spec: MetricSpec) -> float:
    ratio = after / before if before > 0 else float("inf")
    return 1.0 - ratio if spec.higher_is_better else ratio - 1.0


def detect_changes(
    normalised: Sequence[float], spec: MetricSpec, min_effect: float, recent: int
) -> tuple[float, list[ChangePoint]]:
    """PELT change points of ``normalised`` with the documented penalty."""
    series = np.asarray(normalised, dtype=float)
    n = len(series)
    sigma = max(_robust_sigma(series), SIGMA_FLOOR)
    penalty = 2.0 * math.log(max(n, 2)) * sigma**2
    if n < 4:  # PELT with min_size=2 needs two segments of two
        return penalty, []
    algo = ruptures.Pelt(model="l2", min_size=2, jump=1).fit(series.reshape(-1, 1))
    bounds = [0, *algo.predict(pen=penalty)]
    changes = []
    for i in range(1, len(bounds) - 1):
        before = float(series[bounds[i - 1] : bounds[i]].mean())
        after = float(series[bounds[i] : bounds[i + 1]].mean())
        worse = _worsening(before, after, spec)
        drift = _worsening(1.0, after, spec)  # against the reference releases' level
        bad = worse > 0 and (worse > min_effect or drift > min_effect)
        flagged = bad and bounds[i] >= n - recent
        changes.append(ChangePoint(bounds[i], before, after, worse, flagged))
    return penalty, changes


def build_history(
    runs: Sequence[RunMetrics],
    *,
    order: Sequence[str] | None = None,
    recent: int = 3,
    reference: int = 3,
    min_effect: Mapping[str, float] | None = None,
) -> History:
    """Trends and change points across releases (see the module docstring)."""
    if recent < 1:
        raise ResultsError(f"--recent must be at least 1, got {recent}")
    effects = dict(DEFAULT_MIN_EFFECT, **(min_effect or {}))
    groups = group_by_release(runs, order)
    releases = [name for name, _ in groups]
    trends = []
    for spec in PRIMARY_METRICS:
        values = [[r.values[spec.key] for r in group] for _, group in groups]
        medians = [float(statistics.median(v)) for v in values]
        ref = float(statistics.median(medians[: max(1, min(reference, len(medians)))]))
        normalised = [m / ref if ref > 0 else float("nan") for m in medians]
        penalty, changes = detect_changes(normalised, spec, effects[spec.key], recent)
        trends.append(
            Trend(
                spec,
                medians,
                [min(v) for v in values],
                [max(v) for v in values],
                normalised,
                penalty,
                changes,
            )
        )
    flagged = [
        f"{t.spec.label} from release {releases[c.index]} ({c.worsening * 100:+.1f}%)"
        for t in trends
        for c in t.changes
        if c.flagged
    ]
    if flagged:
        summary = f"REGRESSION in the last {recent} releases: " + "; ".join(flagged)
    elif len(releases) < 4:
        summary = f"{len(releases)} release(s): too few for change points (need 4)"
    else:
        summary = f"no bad change point in the last {recent} of {len(releases)} releases"
    method = (
        "Per-release median of per-run values (min-max across runs shown), normalised by the "
        f"median of the first {reference} releases; ruptures PELT (l2, min_size 2), penalty "
        f"2 ln(n) max(sigma, {SIGMA_FLOOR})^2; flagged when worse than before and, by more "
        "than the metric's minimum effect, worse than before or than the reference level, "
        f"within the last {recent} releases."
    )
    return History(
        releases, [len(g) for _, g in groups], trends, recent, 1 if flagged else 0, summary, method
    )
