"""Reducing one run to per-run values, warm-up excluded."""

from __future__ import annotations

import pytest
from hdrh.histogram import HdrHistogram as Hdr
from results_factory import make_record

from results import HdrHistogram, RecordError, reduce_run
from results.metrics import measured_throughput, merged_histogram


def _hist(values_us: list[int]) -> HdrHistogram:
    h = Hdr(1, 3_600_000_000, 3)
    for v in values_us:
        h.record_value(v)
    return HdrHistogram(data=h.encode().decode("ascii"))


def test_throughput_is_the_median_of_measured_seconds_summed_over_endpoints() -> None:
    record = make_record("t", seed=1, seconds=6, warmup_s=1.5)
    second = record.endpoints[0].model_copy(
        update={"name": "POST /import/batch", "per_second": [(s, 1, 0) for s in range(6)]}
    )
    rows = [(0, 1000, 0), (1, 900, 0), (2, 10, 0), (3, 20, 0), (5, 40, 0)]  # second 4 missing
    record = record.model_copy(
        update={
            "endpoints": [record.endpoints[0].model_copy(update={"per_second": rows}), second],
            "timing": record.timing.model_copy(update={"duration_s": 6.4}),
        }
    )
    # measured seconds: 2, 3, 4, 5 (warm-up 1.5 s -> from 2; the partial 7th second is left out)
    # totals: 11, 21, 1 (no row in the first endpoint), 41 -> median 16
    assert measured_throughput(record) == 16.0


def test_no_measured_second_is_an_error() -> None:
    record = make_record("short", seed=1, seconds=3, warmup_s=3.0)
    with pytest.raises(
        RecordError, match=r"no whole second after its warm-up \(duration_s=3.0, warmup_s=3.0\)"
    ):
        reduce_run(record)


def test_percentiles_come_from_histograms_merged_across_endpoints() -> None:
    a = [1000 * i for i in range(1, 101)]  # 1..100 ms
    b = [1000 * i for i in range(101, 201)]  # 101..200 ms
    record = make_record("h", seed=1)
    e0 = record.endpoints[0].model_copy(update={"histogram": _hist(a)})
    e1 = e0.model_copy(update={"name": "GET /posts", "histogram": _hist(b)})
    record = record.model_copy(update={"endpoints": [e0, e1]})
    values = reduce_run(record).values
    together = Hdr.decode(_hist(a + b).data.encode())
    assert values["p50_ms"] == together.get_value_at_percentile(50) / 1000
    assert values["p99_ms"] == together.get_value_at_percentile(99) / 1000
    assert 99 <= values["p50_ms"] <= 101 and 197 <= values["p99_ms"] <= 199


def test_post_warmup_histograms_are_preferred_when_every_endpoint_has_one() -> None:
    record = make_record("w", seed=1)
    e0 = record.endpoints[0].model_copy(
        update={
            "histogram": _hist([500_000] * 10 + [1000] * 90),
            "histogram_after_warmup": _hist([1000] * 90),
        }
    )
    record = record.model_copy(update={"endpoints": [e0]})
    merged = merged_histogram(record)
    assert merged is not None and merged.get_total_count() == 90
    assert reduce_run(record).values["p99_ms"] == pytest.approx(1.0, rel=0.001)


def test_corrupt_histogram_is_named() -> None:
    record = make_record("c", seed=1)
    bad = record.endpoints[0].model_copy(update={"histogram": HdrHistogram(data="bm90IGhkcg==")})
    with pytest.raises(
        RecordError, match="endpoint 'POST /import/posts': histogram data cannot be decoded"
    ):
        reduce_run(record.model_copy(update={"endpoints": [bad]}))


def test_errors_lost_posts_and_verification_status() -> None:
    record = make_record(
        "e", seed=1, errors={"http_503": 4, "rejected_invalid": 2}, missing=2, corrupted=1
    )
    run = reduce_run(record)
    assert run.error_counts == {"http_503": 4, "rejected_invalid": 2}
    assert run.error_rates["http_503"] == pytest.approx(4 / run.requests)
    assert run.posts_lost == 3 and run.verification == "verified"
    unverified = record.model_copy(
        update={"verification": record.verification.model_copy(update={"performed": False})}
    )
    assert reduce_run(unverified).verification == "not performed"


def test_latency_series_falls_back_on_locust_history(tmp_path) -> None:
    record = make_record("l", seed=1, latency_timeline=False, started_at="2026-12-04T20:00:00Z")
    record = record.model_copy(update={"artifacts": {"locust_csv_history": "hist.csv"}})
    start = 1796414400  # 2026-12-04T20:00:00Z
    (tmp_path / "hist.csv").write_text(
        "Timestamp,User Count,Type,Name,Requests/s,50%,95%\n"
        f"{start},0,,Aggregated,0,N/A,N/A\n"
        f"{start + 1},10,POST,/import/posts,5,7,9\n"
        f"{start + 1},10,,Aggregated,5,8,18\n"
        f"{start + 2},10,,Aggregated,5,9,20\n"
    )
    assert reduce_run(record, tmp_path).latency_series == [(1, 8.0, 18.0), (2, 9.0, 20.0)]
    assert reduce_run(record).latency_series == []  # no folder given
    (tmp_path / "hist.csv").write_text("garbage")
    assert reduce_run(record, tmp_path).latency_series == []


def test_charted_series_stop_at_the_run_end() -> None:
    record = make_record("c", seed=2, seconds=6, warmup_s=1.0)
    rows = [(s, 100, 0) for s in range(6)] + [(6, 1, 0)]  # second 6: a partial second, 1 request
    latency = [(s, 5.0, 9.0) for s in range(9)]  # rows after the end (Locust's shutdown)
    record = record.model_copy(
        update={
            "endpoints": [record.endpoints[0].model_copy(update={"per_second": rows})],
            "timing": record.timing.model_copy(update={"duration_s": 6.3}),
            "latency_per_second": latency,
        }
    )
    reduced = reduce_run(record)
    # the partial last second is not drawn as a collapse of throughput
    assert [s for s, _ in reduced.throughput_series] == [0, 1, 2, 3, 4, 5]
    # latency is drawn up to the end of the run (second 6 holds real requests), not beyond
    assert [row[0] for row in reduced.latency_series] == [0, 1, 2, 3, 4, 5, 6]
