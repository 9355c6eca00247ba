"""The exact test, the corrections and the Hodges-Lehmann interval against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results.stats import (
    _u_counts,
    adjust,
    adjust_weighted,
    hodges_lehmann_ratio,
    log_spread_outlier,
    one_sided_p,
    smallest_p,
    welch_one_sided_p,
)


@pytest.mark.parametrize(
    ("n", "m", "p"), [(2, 2, 1 / 6), (3, 3, 1 / 20), (5, 5, 1 / 252), (1, 5, 1 / 6)]
)
def test_smallest_p(n: int, m: int, p: float) -> None:
    assert smallest_p(n, m) == pytest.approx(p)
    worst = one_sided_p([1.0] * 0 + list(range(n)), list(range(100, 100 + m)), worse="lower")
    assert worst == pytest.approx(p)  # complete separation reaches exactly that value


def test_direction_of_the_one_sided_test() -> None:
    low, high = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]
    assert one_sided_p(low, high, worse="lower") == pytest.approx(1 / 252)
    assert one_sided_p(low, high, worse="higher") == pytest.approx(1.0)
    assert one_sided_p(high, low, worse="higher") == pytest.approx(1 / 252)


def test_holm_and_bonferroni() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    assert adjust(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.02])
    # Holm: sorted 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1 -> max(0.06, 0.04)=0.06
    assert adjust(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_weighted_holm_by_hand() -> None:
    p, w = [0.02, 0.004, 0.03, 0.5], [1 / 2, 1 / 6, 1 / 6, 1 / 6]
    # order by p/w: 0.004 (x 1 / (1/6) = 0.024), 0.02 (x (5/6) / (1/2) = 0.0333),
    # 0.03 (x (1/3) / (1/6) = 0.06), 0.5 (x 1)
    assert adjust_weighted(p, w, "holm") == pytest.approx([0.02 * 5 / 3, 0.024, 0.06, 0.5])
    assert adjust_weighted(p, w, "bonferroni") == pytest.approx([0.04, 0.024, 0.18, 1.0])
    assert adjust_weighted([0.01, 0.04, 0.03, 0.005], [1, 1, 1, 1], "holm") == pytest.approx(
        adjust([0.01, 0.04, 0.03, 0.005], "holm")
    )
    with pytest.raises(ValueError, match="weights must be positive"):
        adjust_weighted([0.1, 0.2], [1.0, 0.0], "holm")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0001, 1.0), min_size=4, max_size=4),
    st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4),
)
def test_weighted_holm_is_the_closed_weighted_bonferroni_test(
    p: list[float], w: list[float]
) -> None:
    """Adjusted p of H_i = the largest, over every intersection holding i, of the smallest
    alpha at which that intersection's weighted Bonferroni test rejects (closed testing)."""
    total = sum(w)
    wn = [x / total for x in w]
    expected = []
    for i in range(4):
        worst = 0.0
        for size in range(1, 5):
            for subset in itertools.combinations(range(4), size):
                if i in subset:
                    mass = sum(wn[j] for j in subset)
                    worst = max(worst, min(min(1.0, p[j] * mass / wn[j]) for j in subset))
        expected.append(worst)
    assert adjust_weighted(p, w, "holm") == pytest.approx(expected)


def test_welch_on_log_values() -> None:
    base, cand = [100.0, 102.0, 98.0, 101.0, 99.0], [90.0, 92.0, 89.0, 91.0, 93.0]
    p = welch_one_sided_p(cand, base, worse="lower")
    logs_c, logs_b = np.log(cand), np.log(base)
    se = math.sqrt(logs_c.var(ddof=1) / 5 + logs_b.var(ddof=1) / 5)
    t = (logs_c.mean() - logs_b.mean()) / se
    assert p is not None and 0 < p < 1e-4 and t < -8
    assert welch_one_sided_p(cand, base, worse="higher") == pytest.approx(1 - p)
    assert welch_one_sided_p([5.0, 5.0], [5.0, 5.0], worse="lower") is None  # no spread
    assert welch_one_sided_p([5.0], [4.0, 6.0], worse="lower") is None  # one run


def test_outlier_on_the_log_scale() -> None:
    assert not log_spread_outlier([100, 104, 96, 110, 92], 0.15)
    assert log_spread_outlier([100, 104, 96, 101, 200], 0.15)  # a run twice as fast
    assert log_spread_outlier([100, 104, 96, 101, 80], 0.15)


def _coverage_rank_bruteforce(n: int, m: int, level: float) -> int | None:
    """Largest c with P(U <= c-1) <= (1-level)/2 by enumerating every rank assignment."""
    counts: dict[int, int] = {}
    for xs in itertools.combinations(range(n + m), n):
        u = sum(1 for x in xs for y in set(range(n + m)) - set(xs) if x > y)
        counts[u] = counts.get(u, 0) + 1
    total = math.comb(n + m, n)
    c, cum = 0, 0
    for u in range(n * m + 1):
        cum += counts.get(u, 0)
        if cum / total <= (1 - level) / 2 + 1e-12:
            c = u + 1
        else:
            break
    return c or None


@pytest.mark.parametrize(("n", "m"), [(2, 2), (3, 3), (4, 5), (5, 5)])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_interval_uses_the_exact_rank(n: int, m: int, level: float) -> None:
    rng = np.random.default_rng(n * 10 + m)
    x, y = list(rng.uniform(1, 2, n)), list(rng.uniform(1, 2, m))
    estimate, low, high = hodges_lehmann_ratio(x, y, level)
    diffs = sorted(math.log(a) - math.log(b) for a in x for b in y)
    assert estimate == pytest.approx(math.exp(float(np.median(diffs))))
    c = _coverage_rank_bruteforce(n, m, level)
    if c is None:
        assert low is None and high is None
    else:
        assert low == pytest.approx(math.exp(diffs[c - 1]))
        assert high == pytest.approx(math.exp(diffs[len(diffs) - c]))


def test_interval_of_a_pure_scale_change_contains_it() -> None:
    base = [100.0, 103.0, 98.0, 101.0, 99.5]
    estimate, low, high = hodges_lehmann_ratio([v * 0.9 for v in base], base, 0.9)
    assert estimate == pytest.approx(0.9)
    assert low is not None and high is not None and low <= 0.9 <= high


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
def test_holm_lies_between_raw_and_bonferroni(p: list[float]) -> None:
    holm, bonf = adjust(p, "holm"), adjust(p, "bonferroni")
    for raw, h, b in zip(p, holm, bonf, strict=True):
        assert raw <= h + 1e-12 and h <= b + 1e-12 and h <= 1.0
    order = sorted(range(len(p)), key=lambda i: p[i])
    assert all(holm[a] <= holm[b] + 1e-12 for a, b in itertools.pairwise(order))


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 7), st.integers(1, 7))
def test_null_distribution_counts_every_arrangement(n: int, m: int) -> None:
    counts = _u_counts(n, m)
    assert len(counts) == n * m + 1
    assert sum(counts) == math.comb(n + m, n)
    assert list(counts) == list(reversed(counts))  # U is symmetric under the null


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(min_value=1.0, max_value=1000.0), min_size=5, max_size=5),
    st.floats(min_value=0.5, max_value=2.0),
)
def test_pure_scale_change_is_estimated_exactly(base: list[float], factor: float) -> None:
    estimate, low, high = hodges_lehmann_ratio([v * factor for v in base], base, 0.9)
    assert estimate == pytest.approx(factor, rel=1e-9)  # pairwise log differences mirror log f
    assert low is not None and high is not None and low <= estimate <= high
