"""The statistics behind ``anp compare``: an exact one-sided Mann-Whitney test across runs, a
one-sided Welch t-test on log values (throughput), a weighted Holm (or Bonferroni) correction
across the primary metrics, and a Hodges-Lehmann confidence interval for the ratio
candidate/baseline (computed on log values, so it is a ratio).

Everything here is deterministic: no resampling, no random numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy.stats import mannwhitneyu, rankdata
from scipy.stats import t as student_t

Correction = Literal["holm", "bonferroni"]


def one_sided_p(candidate: Sequence[float], baseline: Sequence[float], *, worse: str) -> float:
    """Exact one-sided Mann-Whitney p-value that the candidate is worse than the baseline.

    ``worse`` is ``"lower"`` (throughput: worse means smaller) or ``"higher"`` (latency)."""
    alternative = "less" if worse == "lower" else "greater"
    result = mannwhitneyu(candidate, baseline, alternative=alternative, method="exact")
    return float(result.pvalue)


def smallest_p(n: int, m: int) -> float:
    """The smallest p-value an exact one-sided test can give with ``n`` vs ``m`` runs:
    ``1 / C(n + m, n)`` (for 2 vs 2: 1/6; for 5 vs 5: 1/252)."""
    return 1.0 / math.comb(n + m, n)


def adjust(p_values: Sequence[float], method: Correction) -> list[float]:
    """Family-wise adjusted p-values (compare each with alpha directly)."""
    k = len(p_values)
    if method == "bonferroni":
        return [min(1.0, p * k) for p in p_values]
    order = sorted(range(k), key=lambda i: (p_values[i], i))
    adjusted = [0.0] * k
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (k - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def adjust_weighted(
    p_values: Sequence[float], weights: Sequence[float], method: Correction
) -> list[float]:
    """Family-wise adjusted p-values of the weighted Bonferroni or weighted Holm procedure
    (Holm 1979, section 4): hypothesis ``i`` gets the share ``w_i / sum(w)`` of alpha.

    Weighted Holm orders the hypotheses by ``p_i / w_i``; at each step the hypothesis with the
    smallest ratio is rejected when ``p_i <= alpha * w_i / W``, ``W`` being the total weight of
    the hypotheses not yet rejected, so a rejected hypothesis passes its share on. Both control
    the family-wise error rate at alpha under any dependence between the tests. Equal weights
    give :func:`adjust`."""
    if len(weights) != len(p_values) or any(not w > 0 for w in weights):
        raise ValueError(f"weights must be positive, one per p-value, got {list(weights)}")
    total = float(sum(weights))
    w = [x / total for x in weights]
    k = len(p_values)
    if method == "bonferroni":
        return [min(1.0, p / wi) for p, wi in zip(p_values, w, strict=True)]
    order = sorted(range(k), key=lambda i: (p_values[i] / w[i], i))
    adjusted = [0.0] * k
    running = 0.0
    remaining = 1.0
    for index in order:
        running = max(running, min(1.0, p_values[index] * remaining / w[index]))
        adjusted[index] = running
        remaining -= w[index]
    return adjusted


def welch_one_sided_p(
    candidate: Sequence[float], baseline: Sequence[float], *, worse: str
) -> float | None:
    """One-sided Welch t-test p-value on log values that the candidate is worse.

    ``worse`` is ``"lower"`` or ``"higher"``; values must be positive. Returns None when the
    test is undefined (fewer than 2 runs on a side, or no spread on either side)."""
    x = np.log(np.asarray(candidate, dtype=float))
    y = np.log(np.asarray(baseline, dtype=float))
    if len(x) < 2 or len(y) < 2:
        return None
    vx, vy = float(x.var(ddof=1)) / len(x), float(y.var(ddof=1)) / len(y)
    se2 = vx + vy
    if not se2 > 1e-24:
        return None
    t = (float(x.mean()) - float(y.mean())) / math.sqrt(se2)
    df = se2**2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))  # Welch-Satterthwaite
    p = float(student_t.cdf(t, df) if worse == "lower" else student_t.sf(t, df))
    return p if math.isfinite(p) else None


def log_spread_outlier(values: Sequence[float], limit: float) -> bool:
    """True when a value lies further than ``limit`` (on the log scale) from the median of the
    others on its side: a run in another host state (e.g. twice as fast), which a t-test would
    take at face value."""
    logs = [math.log(v) for v in values]
    for i, v in enumerate(logs):
        rest = sorted(logs[:i] + logs[i + 1 :])
        if rest and abs(v - float(np.median(rest))) > limit:
            return True
    return False


@lru_cache(maxsize=256)
def _u_counts(n: int, m: int) -> tuple[float, ...]:
    """Number of arrangements giving each value of U (0..n*m) under the null, without ties."""
    if n == 0 or m == 0:
        return (1.0,)
    without_last_x = np.array(_u_counts(n - 1, m))  # last ranked item is an x above all y: +m
    without_last_y = np.array(_u_counts(n, m - 1))
    counts = np.zeros(n * m + 1)
    counts[m : m + len(without_last_x)] += without_last_x
    counts[: len(without_last_y)] += without_last_y
    return tuple(float(c) for c in counts)


def _ci_rank(n: int, m: int, level: float) -> int | None:
    """The largest c >= 1 with P(U <= c - 1) <= (1 - level) / 2, or None when even the widest
    interval (min to max of the pairwise differences) does not reach ``level``."""
    counts = np.array(_u_counts(n, m))
    cdf = np.cumsum(counts) / counts.sum()
    tail = (1.0 - level) / 2.0
    c = int(np.searchsorted(cdf, tail + 1e-12, side="right"))  # number of U values with cdf<=tail
    return c if c >= 1 else None


def hodges_lehmann_ratio(
    candidate: Sequence[float], baseline: Sequence[float], level: float
) -> tuple[float, float | None, float | None]:
    """Hodges-Lehmann estimate of candidate/baseline and its exact distribution-free confidence
    interval at ``level`` (two-sided), from all pairwise differences of log values.

    Returns ``(estimate, low, high)``; ``low``/``high`` are None when there are too few runs for
    an interval at that level (e.g. 2 vs 2 at 90%). Values must be positive."""
    x = np.log(np.asarray(candidate, dtype=float))
    y = np.log(np.asarray(baseline, dtype=float))
    diffs = np.sort((x[:, None] - y[None, :]).ravel())
    estimate = math.exp(float(np.median(diffs)))
    c = _ci_rank(len(x), len(y), level)
    if c is None:
        return estimate, None, None
    return estimate, math.exp(float(diffs[c - 1])), math.exp(float(diffs[len(diffs) - c]))


def one_sided_p_ties(candidate: Sequence[float], baseline: Sequence[float], *, worse: str) -> float:
    """Exact one-sided permutation p-value of the Mann-Whitney statistic, ties included.

    The pooled values get mid-ranks; the p-value is the share of the ``C(n + m, m)`` equally
    likely ways to split them whose candidate rank sum is at least as extreme as the observed
    one. Unlike :func:`one_sided_p` (scipy's exact method, which ignores ties), this stays exact
    when many values are equal, e.g. error ratios that are 0 in most runs. ``worse`` is
    ``"higher"`` or ``"lower"``."""
    pooled = np.asarray([*candidate, *baseline], dtype=float)
    m = len(candidate)
    if m == 0 or m == len(pooled):
        return 1.0
    twice = np.rint(2 * rankdata(pooled)).astype(np.int64)  # mid-ranks * 2 are integers
    observed = int(twice[:m].sum())
    top = int(twice.sum())
    ways = np.zeros((m + 1, top + 1))  # ways[j, s]: subsets of j values with doubled rank sum s
    ways[0, 0] = 1.0
    for value in twice:
        shifted = ways[:-1, : top + 1 - value].copy()
        ways[1:, value:] += shifted
    dist = ways[m]
    tail = dist[observed:].sum() if worse == "higher" else dist[: observed + 1].sum()
    return float(min(1.0, tail / dist.sum()))


def hodges_lehmann_shift(
    candidate: Sequence[float], baseline: Sequence[float], level: float
) -> tuple[float, float | None, float | None]:
    """Hodges-Lehmann estimate of the shift candidate - baseline and its exact distribution-free
    confidence interval at ``level`` (two-sided), from all pairwise differences. For values that
    can be 0 (error ratios), where :func:`hodges_lehmann_ratio` cannot take logs.

    Returns ``(estimate, low, high)``; ``low``/``high`` are None with too few runs."""
    x = np.asarray(candidate, dtype=float)
    y = np.asarray(baseline, dtype=float)
    diffs = np.sort((x[:, None] - y[None, :]).ravel())
    estimate = float(np.median(diffs))
    c = _ci_rank(len(x), len(y), level)
    if c is None:
        return estimate, None, None
    return estimate, float(diffs[c - 1]), float(diffs[len(diffs) - c])
