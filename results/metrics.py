"""Reduce one run to one value per metric, leaving out the warm-up.

Per-second samples inside one run are not independent of each other and most of the noise on a
shared machine lies between runs, so comparisons work on these per-run values:

- ``throughput_rps``: the median over the measured seconds of successful requests per second,
  summed over all endpoints (seconds ``ceil(warmup_s)`` to ``floor(duration_s) - 1``; a second
  with no row counts as 0);
- ``p50_ms``, ``p95_ms``, ``p99_ms``: from the run's HDR histogram merged across endpoints with
  ``HdrHistogram.add`` (the post-warm-up histogram when every endpoint has one);
- error rate by kind (errors of that kind / requests) and posts lost (verification's missing +
  corrupted).
"""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hdrh.histogram import HdrHistogram as _Hdr

from results.errors import RecordError, UnmeasuredRunError
from results.record import EndpointStats, HdrHistogram, RunRecord

EXPECTED_ERROR_KINDS = frozenset({"rejected_invalid"})
"""Error kinds that are the target behaving correctly; never counted as a new failure."""


@dataclass(frozen=True)
class MetricSpec:
    """A primary metric: its key in :attr:`RunMetrics.values`, label, unit and direction."""

    key: str
    label: str
    unit: str
    higher_is_better: bool


PRIMARY_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("throughput_rps", "throughput", "req/s", True),
    MetricSpec("p50_ms", "p50 latency", "ms", False),
    MetricSpec("p95_ms", "p95 latency", "ms", False),
    MetricSpec("p99_ms", "p99 latency", "ms", False),
)
"""The metrics tested statistically, in report order."""


@dataclass(frozen=True)
class RunMetrics:
    """One run reduced for comparison, plus the series the reports draw."""

    run_id: str
    release: str
    target: str
    started_at: str
    values: dict[str, float]
    """Primary metric key -> the run's value."""
    requests: int
    error_counts: dict[str, int]
    error_rates: dict[str, float]
    """Error kind -> errors of that kind / requests (0 when there were no requests)."""
    verification: str
    """``verified``, ``not performed`` or ``incomplete: <why>``."""
    posts_missing: int
    posts_corrupted: int
    interrupted: bool
    throughput_series: list[tuple[int, int]] = field(default_factory=list)
    """``(second, successes)`` for every second of the run, warm-up included."""
    latency_series: list[tuple[int, float, float]] = field(default_factory=list)
    """``(second, p50_ms, p95_ms)`` when the record has them."""
    warmup_s: float = 0.0
    environment: str = ""
    """``<cpus> CPUs, Python <v>, Locust <v>``: compared sides should share it."""
    incomplete: bool = False
    """A worker's final report never came (``RunRecord.incomplete``): the record is partial."""

    @property
    def posts_lost(self) -> int:
        return self.posts_missing + self.posts_corrupted


def per_second_successes(record: RunRecord) -> dict[int, int]:
    """Successful requests per second summed over endpoints."""
    totals: dict[int, int] = {}
    for endpoint in record.endpoints:
        for second, successes, _failures in endpoint.per_second:
            totals[second] = totals.get(second, 0) + successes
    return totals


def measured_throughput(record: RunRecord) -> float:
    """Median successful requests per second over the measured (post-warm-up) whole seconds."""
    first = math.ceil(record.timing.warmup_s)
    last = math.floor(record.timing.duration_s)  # exclusive: the last partial second is left out
    if last <= first:
        raise UnmeasuredRunError(
            f"run '{record.run_id}' has no whole second after its warm-up "
            f"(duration_s={record.timing.duration_s}, warmup_s={record.timing.warmup_s}); "
            "expected a run longer than its warm-up by at least one second"
        )
    totals = per_second_successes(record)
    return float(statistics.median(totals.get(s, 0) for s in range(first, last)))


def _decode(hist: HdrHistogram) -> _Hdr:
    decoded = _Hdr.decode(hist.data.encode("ascii"))
    return decoded


def merged_histogram(record: RunRecord) -> _Hdr | None:
    """All endpoints' histograms added together (post-warm-up ones when all endpoints have
    them), or None when the record holds no histogram."""
    with_hist = [e for e in record.endpoints if e.histogram is not None]
    if not with_hist:
        return None
    use_after = all(e.histogram_after_warmup is not None for e in with_hist)
    merged: _Hdr | None = None
    for endpoint in with_hist:
        source = endpoint.histogram_after_warmup if use_after else endpoint.histogram
        assert source is not None
        try:
            part = _decode(source)
        except Exception as exc:  # hdrh raises assorted errors on corrupt payloads
            raise RecordError(
                f"run '{record.run_id}', endpoint '{endpoint.name}': histogram data cannot be "
                f"decoded ({type(exc).__name__}: {exc}); expected HdrHistogram.encode() base64"
            ) from None
        if merged is None:
            merged = _Hdr(source.lowest, source.highest, source.significant_figures)
        merged.add(part)
    return merged


def _percentiles_from_stats(record: RunRecord) -> dict[str, float] | None:
    answered: list[EndpointStats] = [e for e in record.endpoints if e.percentiles is not None]
    if len(answered) == 1 and answered[0].percentiles is not None:
        p = answered[0].percentiles
        return {"p50_ms": p.p50_ms, "p95_ms": p.p95_ms, "p99_ms": p.p99_ms}
    return None


def latency_percentiles(record: RunRecord) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds for the whole run (all endpoints)."""
    merged = merged_histogram(record)
    if merged is not None and merged.get_total_count() > 0:
        return {f"p{q}_ms": merged.get_value_at_percentile(q) / 1000.0 for q in (50, 95, 99)}
    fallback = _percentiles_from_stats(record)
    if fallback is not None:
        return fallback
    raise UnmeasuredRunError(
        f"run '{record.run_id}' has no latency histogram with any request in it; "
        "expected endpoints[].histogram from `anp run`"
    )


def _verification_status(record: RunRecord) -> str:
    v = record.verification
    if not v.performed:
        return "not performed"
    if v.error:
        return f"incomplete: {v.error}"
    return "verified"


def locust_latency_series(record: RunRecord, run_dir: Path) -> list[tuple[int, float, float]]:
    """``(second, p50_ms, p95_ms)`` from Locust's stats-history CSV in the run folder (its
    rolling-window percentiles, one row per second), or [] when the file is absent or unusable.
    Only used for the over-time chart when the record has no ``latency_per_second``."""
    name = record.artifacts.get("locust_csv_history")
    if not name:
        return []
    path = run_dir / name
    try:
        start = datetime.fromisoformat(record.timing.started_at).timestamp()
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("Name") == "Aggregated"]
        series = {}
        for row in rows:
            if row.get("50%", "N/A") == "N/A" or row.get("95%", "N/A") == "N/A":
                continue
            second = int(float(row["Timestamp"]) - start)
            if second >= 0:
                series[second] = (float(row["50%"]), float(row["95%"]))
    except (OSError, ValueError, KeyError):
        return []
    return [(sec, p50, p95) for sec, (p50, p95) in sorted(series.items())]


def reduce_run(record: RunRecord, run_dir: Path | None = None) -> RunMetrics:
    """Reduce ``record`` to its per-run values (see the module docstring). ``run_dir``, the
    record's folder, lets the over-time chart fall back on Locust's stats history."""
    values = {"throughput_rps": measured_throughput(record), **latency_percentiles(record)}
    requests = sum(e.requests for e in record.endpoints)
    counts: dict[str, int] = {}
    for endpoint in record.endpoints:
        for kind, count in endpoint.errors.items():
            counts[kind] = counts.get(kind, 0) + count
    if not counts:
        counts = dict(record.errors)
    rates = {k: (c / requests if requests else 0.0) for k, c in sorted(counts.items())}
    # whole seconds only, as in measured_throughput: a partial last second is not a rate
    whole = math.floor(record.timing.duration_s)
    series = sorted((s, n) for s, n in per_second_successes(record).items() if s < whole)
    latency = sorted(record.latency_per_second) or (
        locust_latency_series(record, run_dir) if run_dir is not None else []
    )
    # Locust's own history goes on during its shutdown: nothing after the run's end is drawn
    latency = [row for row in latency if row[0] < math.ceil(record.timing.duration_s)]
    return RunMetrics(
        run_id=record.run_id,
        release=record.target.release or "unknown",
        target=record.target.name,
        started_at=record.timing.started_at,
        values=values,
        requests=requests,
        error_counts=dict(sorted(counts.items())),
        error_rates=rates,
        verification=_verification_status(record),
        posts_missing=record.verification.missing,
        posts_corrupted=record.verification.corrupted,
        interrupted=record.interrupted,
        incomplete=record.incomplete is not None,
        throughput_series=series,
        latency_series=latency,
        warmup_s=record.timing.warmup_s,
        environment=(
            f"{record.environment.cpu_count} CPUs, Python {record.environment.python}, "
            f"Locust {record.environment.locust}"
        ),
    )
