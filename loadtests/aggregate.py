"""Run-wide figures computed from the per-endpoint statistics: totals, errors, percentiles.

The measured period (``first_measured_second``) starts at second ``ceil(warmup_s)``; when the
warm-up covers the whole run it is the whole run instead, so no figure divides by zero.
Throughput counts the per-second rows of the measured period, divided by the seconds left after
the warm-up; ``checked_load`` gives the load checks the same period: the requests and failures
of those rows and the latency of the post-warm-up histograms (``histogram_after_warmup``), every
endpoint merged, with how many of those requests failed without an HTTP answer. The totals'
counts and error ratio cover the whole run, and ``posts_per_s`` is the acknowledged posts over
the whole load.

Overall latency percentiles merge every endpoint's HDR histogram (microseconds) into one and read
the percentiles from it, so they are exact to the histogram's significant figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hdrh.histogram import HdrHistogram as _Hdr

from results import (
    NO_ANSWER_KINDS,
    EndpointStats,
    HdrHistogram,
    Percentiles,
    SeedSummary,
    Totals,
)
from synth import count_seeds


def decode_histogram(histogram: HdrHistogram) -> _Hdr:
    """The ``hdrh`` histogram behind a record's encoded one."""
    return _Hdr.decode(histogram.data.encode("ascii"))


def merge_histograms(histograms: Iterable[HdrHistogram]) -> _Hdr | None:
    """Add histograms together; None when there is none."""
    merged: _Hdr | None = None
    for encoded in histograms:
        decoded = decode_histogram(encoded)
        if merged is None:
            merged = _Hdr(encoded.lowest, encoded.highest, encoded.significant_figures)
        merged.add(decoded)
    return merged


def percentiles_of(histogram: _Hdr) -> Percentiles:
    """Percentiles in milliseconds from a histogram of microseconds."""

    def ms(value: float) -> float:
        return round(value / 1000.0, 3)

    return Percentiles(
        count=int(histogram.get_total_count()),
        min_ms=ms(histogram.get_min_value()),
        mean_ms=ms(histogram.get_mean_value()),
        p50_ms=ms(histogram.get_value_at_percentile(50.0)),
        p90_ms=ms(histogram.get_value_at_percentile(90.0)),
        p95_ms=ms(histogram.get_value_at_percentile(95.0)),
        p99_ms=ms(histogram.get_value_at_percentile(99.0)),
        p999_ms=ms(histogram.get_value_at_percentile(99.9)),
        max_ms=ms(histogram.get_max_value()),
    )


def overall_percentiles(endpoints: Sequence[EndpointStats]) -> Percentiles | None:
    """Percentiles of every request of the run, all endpoints merged (a failure without an HTTP
    answer is in with the time until it failed)."""
    merged = merge_histograms(e.histogram for e in endpoints if e.histogram is not None)
    if merged is None or merged.get_total_count() == 0:
        return None
    return percentiles_of(merged)


def first_measured_second(duration_s: float, warmup_s: float) -> int:
    """The first second the throughput and the load checks count: ``ceil(warmup_s)``, or 0 when
    there is no warm-up or it leaves no time of the run."""
    start = math.ceil(warmup_s) if warmup_s > 0 else 0
    return start if duration_s - start > 0 else 0


@dataclass(frozen=True)
class CheckedLoad:
    """The requests the load checks judge: every endpoint's, started from ``from_second`` on."""

    from_second: int
    """0: the whole run; otherwise the first second after the warm-up."""
    requests: int
    failures: int
    latency: Percentiles | None
    """Percentiles of the requests of the period, every endpoint merged (None: none); a failure
    without an HTTP answer is in with the time until it failed."""
    scenarios: tuple[str, ...]
    """The scenarios whose requests ``latency`` holds, in the endpoints' order."""
    no_answer: int = 0
    """Requests of the period that failed without an HTTP answer (``results.NO_ANSWER_KINDS``);
    the fewest there can be when ``no_answer_most`` is larger."""
    no_answer_most: int | None = None
    """None when ``no_answer`` is exact. Otherwise the most there can be: the record counts
    error kinds over the whole run, so with a warm-up, an endpoint that had failures both with
    and without an answer only bounds how many of its post-warm-up failures had none."""

    @property
    def no_answer_bounds(self) -> tuple[int, int]:
        """(fewest, most) requests of the period without an HTTP answer; equal when exact."""
        most = self.no_answer if self.no_answer_most is None else self.no_answer_most
        return self.no_answer, most


def no_answer_bounds(endpoint: EndpointStats, start: int) -> tuple[int, int]:
    """(fewest, most) of ``endpoint``'s requests from second ``start`` on that failed without an
    HTTP answer. Exact for the whole run (``start`` 0), and after a warm-up when the endpoint's
    failures were all of one sort (all with an answer, or all without one)."""
    total = sum(n for kind, n in endpoint.errors.items() if kind in NO_ANSWER_KINDS)
    if start == 0:
        return total, total
    failed = sum(f for second, _ok, f in endpoint.per_second if second >= start)
    answered_failures = endpoint.failures - total  # over the whole run
    return max(0, failed - answered_failures), min(failed, total)


def checked_load(
    endpoints: Sequence[EndpointStats], *, duration_s: float, warmup_s: float
) -> CheckedLoad:
    """The measured period's counts (per-second rows) and latency (post-warm-up histograms).

    An endpoint without ``histogram_after_warmup`` had no request after the warm-up (the
    recorder keeps one for every endpoint that had), so it adds nothing to the latency."""
    start = first_measured_second(duration_s, warmup_s)
    if start == 0:
        requests = sum(e.requests for e in endpoints)
        failures = sum(e.failures for e in endpoints)
        chosen = [(e.scenario, e.histogram) for e in endpoints]
    else:
        rows = [row for e in endpoints for row in e.per_second if row[0] >= start]
        requests = sum(ok + failed for _second, ok, failed in rows)
        failures = sum(failed for _second, _ok, failed in rows)
        chosen = [(e.scenario, e.histogram_after_warmup) for e in endpoints]
    scenarios: list[str] = []
    merged: _Hdr | None = None
    for scenario, encoded in chosen:
        if encoded is None:
            continue
        decoded = decode_histogram(encoded)
        if decoded.get_total_count() == 0:
            continue
        if merged is None:
            merged = _Hdr(encoded.lowest, encoded.highest, encoded.significant_figures)
        merged.add(decoded)
        if scenario not in scenarios:
            scenarios.append(scenario)
    latency = percentiles_of(merged) if merged is not None else None
    bounds = [no_answer_bounds(e, start) for e in endpoints]
    fewest = sum(low for low, _high in bounds)
    most = sum(high for _low, high in bounds)
    return CheckedLoad(
        start,
        requests,
        failures,
        latency,
        tuple(scenarios),
        no_answer=fewest,
        no_answer_most=None if most == fewest else most,
    )


def sum_errors(endpoints: Sequence[EndpointStats]) -> dict[str, int]:
    """Every endpoint's error counts summed by kind, keys sorted."""
    total: dict[str, int] = {}
    for endpoint in endpoints:
        for kind, count in endpoint.errors.items():
            total[kind] = total.get(kind, 0) + count
    return dict(sorted(total.items()))


def compute_totals(
    endpoints: Sequence[EndpointStats],
    seeds: SeedSummary,
    *,
    duration_s: float,
    warmup_s: float,
) -> Totals:
    """Counts over the whole run; throughput over the post-warm-up period."""
    requests = sum(e.requests for e in endpoints)
    successes = sum(e.successes for e in endpoints)
    failures = sum(e.failures for e in endpoints)
    acknowledged = count_seeds(tuple(seeds.acknowledged))
    start = first_measured_second(duration_s, warmup_s)
    rows = [row for e in endpoints for row in e.per_second]
    measured_period = duration_s - start
    if rows and measured_period > 0:
        measured = sum(ok for second, ok, _failed in rows if second >= start)
        throughput = measured / measured_period
    else:
        throughput = successes / duration_s if duration_s > 0 else 0.0
    return Totals(
        requests=requests,
        successes=successes,
        failures=failures,
        posts_acknowledged=acknowledged,
        throughput_rps=round(throughput, 3),
        posts_per_s=round(acknowledged / duration_s, 3) if duration_s > 0 else 0.0,
        error_ratio=failures / requests if requests else 0.0,
    )
