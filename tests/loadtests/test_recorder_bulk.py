"""The recorder's bulk fold: the same histograms as one ``record_value`` per request, and the
per-second latency rows (``latency_per_second``) merged exactly across nodes."""

from __future__ import annotations

import random

import msgpack
import numpy as np

from loadtests.recorder import (
    HIGHEST_US,
    SECOND_FIGURES,
    SECOND_TEMPLATE,
    Merged,
    Recorder,
    hdr_indices,
    new_histogram,
    record_many,
    second_percentiles,
)


def ship(delta):
    return msgpack.unpackb(msgpack.packb(delta), raw=False)


def test_bulk_indices_equal_hdrh_for_every_magnitude():
    hist = new_histogram()
    values = [1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 123_456, 10**9, HIGHEST_US]
    values += [2**k + d for k in range(1, 31) for d in (-1, 0, 1)]
    got = hdr_indices(hist, np.array(values, dtype=np.int64)).tolist()
    assert got == [hist._counts_index_for(v) for v in values]


def test_record_many_equals_one_record_value_per_value():
    rng = random.Random(7)
    values = [int(rng.lognormvariate(7, 1.5)) + 1 for _ in range(20_000)]
    one_by_one = new_histogram()
    for v in values:
        one_by_one.record_value(v)
    bulk = new_histogram()
    record_many(bulk, np.array(values[:5000], dtype=np.int64))
    record_many(bulk, np.array(values[5000:], dtype=np.int64))
    assert bulk.encode() == one_by_one.encode()
    assert (bulk.get_total_count(), bulk.get_min_value(), bulk.get_max_value()) == (
        one_by_one.get_total_count(),
        one_by_one.get_min_value(),
        one_by_one.get_max_value(),
    )


def test_second_percentiles_equal_hdrh():
    rng = random.Random(3)
    values = [int(rng.expovariate(1 / 3000)) + 1 for _ in range(5000)]
    hist = new_histogram(SECOND_FIGURES)
    for v in values:
        hist.record_value(v)
    counts = np.bincount(
        hdr_indices(SECOND_TEMPLATE, np.array(values, dtype=np.int64)),
        minlength=SECOND_TEMPLATE.counts_len,
    )
    p50, p95 = second_percentiles(counts, (50.0, 95.0))
    assert p50 == hist.get_value_at_percentile(50) / 1000.0
    assert p95 == hist.get_value_at_percentile(95) / 1000.0


def test_latency_per_second_merges_nodes_exactly():
    """Two nodes, several takes each: every second's p50/p95 are those of all requests that
    started in it, whichever node answered them and whichever take carried them."""
    rng = random.Random(11)
    expected = {s: new_histogram(SECOND_FIGURES) for s in range(4)}
    merged = Merged()
    for node in range(2):
        rec = Recorder(t0=10.0)
        imports = rec.series("import", "POST /import/posts")
        reads = rec.series("read", "GET /posts/{reference}")
        for i in range(600):
            started = 10.0 + i / 150.0
            latency = rng.uniform(0.001, 0.2) * (node + 1)
            second = int(started - 10.0)
            if i % 7 == 0:
                reads.failure(started, latency, "http_503")
            elif i % 5 == 0:
                reads.success(started, latency, posts=0)
            else:
                imports.success(started, latency)
            expected[second].record_value(int(latency * 1_000_000))
            if i % 11 == 0:  # a timeout: in the rows with its whole wait
                imports.failure(started, 1.0, "timeout")
                expected[second].record_value(1_000_000)
            if i in (100, 350):
                merged.add(ship(rec.take()))
        merged.add(ship(rec.take()))
    rows = merged.latency_per_second()
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    for second, p50, p95 in rows:
        hist = expected[second]
        assert p50 == hist.get_value_at_percentile(50) / 1000.0
        assert p95 == hist.get_value_at_percentile(95) / 1000.0
    (imports_stats, reads_stats) = sorted(merged.endpoints(), key=lambda e: e.scenario)
    # per node: 86 failed reads (i % 7), 102 reads (i % 5), 412 imports, 55 timeouts (i % 11)
    assert (imports_stats.successes, imports_stats.posts, imports_stats.failures) == (824, 824, 110)
    assert (reads_stats.successes, reads_stats.failures, reads_stats.posts) == (204, 172, 0)


def test_warmup_histogram_uses_whole_seconds_like_throughput():
    rec = Recorder(t0=0.0, warmup=1.5)
    s = rec.series("import", "POST /import/posts")
    s.success(1.9, 0.5)  # second 1: inside ceil(1.5) = 2 leading seconds
    s.success(2.1, 0.010)
    merged = Merged()
    merged.add(ship(rec.take()))
    (stats,) = merged.endpoints()
    after = new_histogram()
    assert stats.histogram_after_warmup is not None
    after.decode_and_add(stats.histogram_after_warmup.data)
    assert after.get_total_count() == 1
