"""History: grouping by release, trends, and change points on synthetic series."""

from __future__ import annotations

import random

import pytest

from results import ResultsError, RunMetrics, build_history
from results.history import group_by_release


def _runs(
    levels: list[float],
    *,
    seed: int = 1,
    noise: float = 0.01,
    per: int = 3,
    latency: list[float] | None = None,
) -> list[RunMetrics]:
    rng = random.Random(seed)
    out = []
    for i, level in enumerate(levels):
        for k in range(per):
            f = rng.lognormvariate(0.0, noise)
            lat = (latency[i] if latency else 1.0) * rng.lognormvariate(0.0, noise)
            out.append(
                RunMetrics(
                    run_id=f"r{i}-{k}",
                    release=f"1.{i}",
                    target="t",
                    started_at=f"2026-01-{i + 1:02d}T00:00:0{k}Z",
                    values={
                        "throughput_rps": 100 * level * f,
                        "p50_ms": 10 * lat,
                        "p95_ms": 20 * lat,
                        "p99_ms": 30 * lat,
                    },
                    requests=1,
                    error_counts={},
                    error_rates={},
                    verification="verified",
                    posts_missing=0,
                    posts_corrupted=0,
                    interrupted=False,
                )
            )
    return out


@pytest.mark.parametrize("seed", range(5))
def test_slow_drift_in_recent_releases_is_flagged(seed: int) -> None:
    # every single step is 3%, under the 5% minimum effect a pairwise compare would use
    levels = [1.0] * 7 + [0.97, 0.94, 0.91]
    h = build_history(_runs(levels, seed=seed))
    assert h.exit_code == 1
    tput = h.trends[0]
    assert tput.spec.key == "throughput_rps"
    flagged = [c for c in tput.changes if c.flagged]
    assert flagged and all(c.index >= 7 for c in flagged)
    assert "REGRESSION in the last 3 releases: throughput" in h.summary


@pytest.mark.parametrize("seed", range(5))
def test_flat_noisy_series_is_not_flagged(seed: int) -> None:
    h = build_history(_runs([1.0] * 10, seed=seed, noise=0.02))
    assert h.exit_code == 0
    assert "no bad change point" in h.summary


def test_old_drop_is_reported_but_not_flagged() -> None:
    h = build_history(_runs([1.0] * 3 + [0.85] * 7))
    change = h.trends[0].changes[0]
    assert change.index == 3 and change.worsening == pytest.approx(0.15, abs=0.02)
    assert not change.flagged and h.exit_code == 0


def test_latency_rise_is_bad_and_throughput_rise_is_good() -> None:
    worse = build_history(_runs([1.0] * 10, latency=[1.0] * 8 + [1.2, 1.2]))
    assert worse.exit_code == 1
    assert {t.spec.key for t in worse.trends if any(c.flagged for c in t.changes)} >= {"p50_ms"}
    better = build_history(_runs([1.0] * 8 + [1.2, 1.2]))
    assert better.exit_code == 0
    assert better.trends[0].changes and not better.trends[0].changes[0].flagged


def test_recent_window_is_configurable() -> None:
    runs = _runs([1.0] * 5 + [0.85] * 5)
    assert build_history(runs, recent=3).exit_code == 0
    assert build_history(runs, recent=5).exit_code == 1
    with pytest.raises(ResultsError, match="--recent must be at least 1, got 0"):
        build_history(runs, recent=0)


def test_trend_values_are_per_release_median_min_max() -> None:
    h = build_history(_runs([1.0, 0.5, 1.0, 1.0], noise=0.0))
    assert h.releases == ["1.0", "1.1", "1.2", "1.3"] and h.runs_per_release == [3, 3, 3, 3]
    assert h.trends[0].medians == pytest.approx([100, 50, 100, 100])
    assert h.trends[0].normalised == pytest.approx([1.0, 0.5, 1.0, 1.0])


def test_grouping_order() -> None:
    runs = _runs([1.0, 1.0, 1.0])
    assert [r for r, _ in group_by_release(runs)] == ["1.0", "1.1", "1.2"]
    assert [r for r, _ in group_by_release(runs, ["1.2", "1.0", "1.1"])] == ["1.2", "1.0", "1.1"]
    with pytest.raises(ResultsError, match=r"--order does not list release\(s\) '1.2'"):
        group_by_release(runs, ["1.0", "1.1"])


def test_too_few_releases_say_so() -> None:
    h = build_history(_runs([1.0, 0.5, 0.5]))
    assert h.exit_code == 0 and "too few for change points" in h.summary
