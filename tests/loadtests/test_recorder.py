"""The recorder: exact per-second counts, mergeable HDR histograms, error kinds, seed sets."""

from __future__ import annotations

import random

import msgpack
import numpy as np
import pytest

from loadtests.recorder import (
    LATENCY_DENSE_S,
    SECOND_TEMPLATE,
    Merged,
    Recorder,
    new_histogram,
    percentiles,
    second_percentiles,
    subtract_ranges,
)


def ship(delta):
    """What Locust's transport does to a delta (msgpack round trip)."""
    return msgpack.unpackb(msgpack.packb(delta), raw=False)


def test_per_second_rows_and_errors_are_exact():
    rec = Recorder(t0=100.0)
    s = rec.series("import", "POST /import/posts")
    s.success(100.2, 0.010)
    s.success(100.9, 0.020)
    s.failure(101.5, 0.030, "http_503")
    s.failure(103.0, 5.0, "timeout")
    merged = Merged()
    merged.add(ship(rec.take()))
    (stats,) = merged.endpoints()
    assert stats.per_second == [(0, 2, 0), (1, 0, 1), (3, 0, 1)]
    assert (stats.requests, stats.successes, stats.failures, stats.posts) == (4, 2, 2, 2)
    assert stats.errors == {"http_503": 1, "timeout": 1}
    # every request is in the histogram, the timeout with its whole wait (as Locust counts it)
    assert stats.percentiles is not None and stats.percentiles.count == 4
    assert stats.percentiles.max_ms == pytest.approx(5000, rel=1e-3)


def test_deltas_from_several_workers_merge_to_the_sum():
    merged = Merged()
    everything = new_histogram()
    for worker in range(3):
        rec = Recorder(t0=0.0)
        s = rec.series("import", "POST /import/posts")
        for i in range(100):
            latency = (worker * 100 + i + 1) / 1000.0
            s.success(i / 50.0, latency)
            everything.record_value(int(latency * 1_000_000))
            if i == 60:  # a take in the middle, like Locust's periodic report
                merged.add(ship(rec.take()))
        merged.add(ship(rec.take()))
    (stats,) = merged.endpoints()
    assert stats.requests == 300
    assert stats.per_second == [(0, 150, 0), (1, 150, 0)]
    expected = percentiles(everything)
    assert stats.percentiles == expected
    assert stats.percentiles is not None and stats.percentiles.p50_ms == pytest.approx(
        150, rel=1e-3
    )


def test_take_resets_so_nothing_is_counted_twice():
    rec = Recorder(t0=0.0)
    rec.series("read", "GET /posts/{reference}").success(0.1, 0.001, posts=0)
    first = rec.take()
    second = rec.take()
    assert len(first["series"]) == 1
    assert second["series"] == []


def test_warmup_histogram_leaves_out_the_first_seconds():
    rec = Recorder(t0=0.0, warmup=2.0)
    s = rec.series("import", "POST /import/posts")
    s.success(0.5, 1.0)  # during warm-up: 1000 ms
    s.success(2.5, 0.010)
    merged = Merged()
    merged.add(ship(rec.take()))
    (stats,) = merged.endpoints()
    assert stats.histogram is not None and stats.histogram_after_warmup is not None
    after = new_histogram()
    after.decode_and_add(stats.histogram_after_warmup.data)
    assert after.get_total_count() == 1
    assert after.get_max_value() < 11_000


def test_seed_sets_merge_and_failed_is_sent_minus_acknowledged():
    merged = Merged()
    for sent, acked in (([1, 2, 3, 7], [1, 3]), ([4, 5, 6], [4, 5, 6])):
        rec = Recorder(t0=0.0)
        rec.sent.extend(sent)
        rec.acked.extend(acked)
        merged.add(ship(rec.take()))
    summary = merged.seed_summary()
    assert summary.sent == [(1, 7)]
    assert summary.acknowledged == [(1, 1), (3, 6)]
    assert summary.failed == [(2, 2), (7, 7)]
    assert merged.duplicate_sends() == 0


def test_duplicate_sends_are_detected():
    merged = Merged()
    merged.add({"sent": [[0, 9]]})
    merged.add({"sent": [[5, 12]]})
    assert merged.duplicate_sends() == 5


@pytest.mark.parametrize(
    ("ranges", "remove", "expected"),
    [
        ([(0, 9)], [], [(0, 9)]),
        ([(0, 9)], [(0, 9)], []),
        ([(0, 9)], [(3, 4)], [(0, 2), (5, 9)]),
        ([(0, 9), (20, 29)], [(5, 24)], [(0, 4), (25, 29)]),
        ([(10, 19)], [(0, 5), (30, 40)], [(10, 19)]),
    ],
)
def test_subtract_ranges(ranges, remove, expected):
    assert subtract_ranges(ranges, remove) == expected


def test_latency_out_of_range_is_clamped_not_lost():
    rec = Recorder(t0=0.0)
    s = rec.series("import", "POST /import/posts")
    s.success(0.0, 0.0)  # below 1 us
    s.success(0.0, 10_000.0)  # above one hour
    merged = Merged()
    merged.add(rec.take())
    (stats,) = merged.endpoints()
    assert stats.percentiles is not None and stats.percentiles.count == 2


def test_old_seconds_are_packed_and_the_per_second_percentiles_stay_exact() -> None:
    """A long run's master keeps only the last ``LATENCY_DENSE_S`` seconds as full count
    arrays; older ones are packed to their non-zero counts. The percentiles per second equal
    those of plain full arrays, also for data that arrives late for a packed second."""
    rng = random.Random(7)
    merged = Merged()
    plain: dict[int, np.ndarray] = {}

    def add(second: int, pairs: list[tuple[int, int]]) -> None:
        flat = [x for index, count in pairs for x in (second, index, count)]
        merged.add({"latency_s": flat})
        tally = plain.setdefault(second, np.zeros(SECOND_TEMPLATE.counts_len, np.int64))
        for index, count in pairs:
            tally[index] += count

    def some() -> list[tuple[int, int]]:
        return [(rng.randrange(900, 2200), rng.randrange(1, 50)) for _ in range(30)]

    for second in range(200):
        add(second, some())
    add(3, some())  # late, for a second packed long ago
    add(150, some())  # late, for a packed second again
    add(199, some())
    assert len(merged._latency_dense) <= LATENCY_DENSE_S + 2
    assert len(merged._latency_packed) >= 200 - LATENCY_DENSE_S - 2
    expected = [
        (second, *second_percentiles(plain[second], (50.0, 95.0))) for second in sorted(plain)
    ]
    assert merged.latency_per_second() == expected
    for second in (0, 3, 150, 199):
        counts = merged.latency_counts(second)
        assert counts is not None and np.array_equal(counts, plain[second])
    assert merged.latency_counts(500) is None
