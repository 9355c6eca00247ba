"""Recording the truth: exact per-second counts, HDR latency histograms, error kinds and seeds.

Every node (the local runner, or each worker) has one ``Recorder``. Users record into a
``Series`` per (scenario, endpoint) that they look up once; recording a request is a few integer
additions and one ``HdrHistogram.record_value`` (microseconds, 3 significant figures).

Workers ship *deltas*: ``Recorder.take()`` returns everything recorded since the previous take
(as plain lists and strings, so Locust's msgpack transport carries it) and starts afresh. The
master (or the local runner) adds every delta into a ``Merged``; percentiles are computed from
the merged histogram, never averaged.

Seconds: a request belongs to the whole second in which it *started*, counted from the run's
start ``t0`` (``time.monotonic()`` on this node; a worker shifts it by the master's start time,
see ``loadtests.coordination``). Only requests that got a result are counted; a request cut off
by the end of the load (the harness drains in-flight requests first, so this only happens when a
drain times out) is not.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

from results import EndpointStats, Percentiles, SeedSummary
from results import HdrHistogram as HdrModel
from synth import merge_ranges, ranges_from_seeds

LOWEST_US = 1
HIGHEST_US = 3_600_000_000
SIGNIFICANT_FIGURES = 3
SECOND_FIGURES = 2
"""Significant figures of the per-second latency histograms (``latency_per_second``: p50/p95 of
each second within 1 %, in a tenth of the memory of ``SIGNIFICANT_FIGURES``)."""
RECENT_ACKS = 8192
"""Acknowledged (seed, reference) pairs kept for the reimport and read scenarios."""


def new_histogram(figures: int = SIGNIFICANT_FIGURES) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, figures)


def hdr_indices(hist: HdrHistogram, values: np.ndarray) -> np.ndarray:
    """``hist``'s counts index of every value (int64, within the histogram's range): hdrh's
    ``_counts_index_for``, vectorized."""
    ored = values | hist.sub_bucket_mask
    # bit length of each value: frexp's exponent, exact for integers below 2**53
    bits = np.frexp(ored.astype(np.float64))[1].astype(np.int64)
    bucket = bits - (hist.unit_magnitude + hist.sub_bucket_half_count_magnitude + 1)
    sub_bucket: np.ndarray = values >> (bucket + hist.unit_magnitude)
    base: np.ndarray = (bucket + 1) << hist.sub_bucket_half_count_magnitude
    out: np.ndarray = base + sub_bucket - hist.sub_bucket_half_count
    return out


def record_many(hist: HdrHistogram, values: np.ndarray) -> None:
    """``hist.record_value(v)`` for every ``v`` of ``values`` (int64 within the histogram's
    range), in bulk: the same counts, total, minimum and maximum."""
    if values.size == 0:
        return
    tally = np.bincount(hdr_indices(hist, values))
    used = np.flatnonzero(tally)
    counts = np.ctypeslib.as_array(hist.counts)
    counts[used] += tally[used].astype(counts.dtype)
    hist.total_count += int(values.size)
    hist.min_value = min(hist.min_value, int(values.min()))
    hist.max_value = max(hist.max_value, int(values.max()))


def split_pairs(pairs: list[float], t0: float) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, latencies in us) of requests recorded as ``started, latency_s`` pairs: the
    whole second since ``t0`` in which each started (0 when it started before ``t0``) and
    ``int(latency_s * 1e6)``, clamped to the histogram's range; the same float operations as
    ``int(started - t0)`` and ``int(latency_s * 1e6)`` one by one, so the same integers."""
    data = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    seconds = np.maximum((data[:, 0] - t0).astype(np.int64), 0)
    micros = np.clip(data[:, 1] * 1e6, 0.0, float(HIGHEST_US)).astype(np.int64)
    return seconds, np.maximum(micros, LOWEST_US)


class Series:
    """What one node recorded for one (scenario, endpoint) since the last take.

    The hot path (a success) is two list appends: ``ok`` holds each successful request as the
    pair ``started, latency_s`` (floats, flat); the per-second counts and the histograms are
    computed from it in bulk at ``take()`` (``split_pairs``). ``posts`` counts the posts beyond
    one per success (``success(posts=n)`` adds ``n - 1``), so the import user, one post per
    success, does nothing for it."""

    __slots__ = (
        "errors",
        "fail_s",
        "failed",
        "failures",
        "hist",
        "hist_w",
        "name",
        "ok",
        "posts",
        "recorder",
        "scenario",
    )

    def __init__(self, recorder: Recorder, scenario: str, name: str) -> None:
        self.recorder = recorder
        self.scenario = scenario
        self.name = name
        self.ok: list[float] = []
        """Successful requests: ``started, latency_s`` of each, flat."""
        self.failed: list[float] = []
        """Failed requests, as ``ok`` (they are in the histogram too)."""
        self.failures = 0
        self.posts = 0
        self.fail_s: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.hist = new_histogram()
        self.hist_w = new_histogram()

    @property
    def successes(self) -> int:
        return len(self.ok) // 2

    def success(
        self, started: float, latency_s: float, *, posts: int = 1, kind: str | None = None
    ) -> None:
        """A request that did its job; ``kind`` counts an expected outcome (``rejected_invalid``)."""
        ok = self.ok
        ok.append(started)
        ok.append(latency_s)
        if posts != 1:
            self.posts += posts - 1
        if kind is not None:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def failure(self, started: float, latency_s: float, kind: str) -> None:
        """A failed request; ``latency_s`` is the time until it failed, in the histogram like a
        success's (as Locust and k6 count them: a timeout weighs in the percentiles with its
        full wait, so a latency check cannot pass while the target hangs)."""
        second = int(started - self.recorder.t0)
        if second < 0:
            second = 0
        self.failures += 1
        self.fail_s[second] = self.fail_s.get(second, 0) + 1
        self.errors[kind] = self.errors.get(kind, 0) + 1
        failed = self.failed
        failed.append(started)
        failed.append(latency_s)

    def take(self, timed: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any] | None:
        """The delta since the last take; appends this series' requests with a latency (seconds,
        latencies; a failure without an answer has the time until it failed) to ``timed``."""
        ok = self.ok
        if not (ok or self.failures):
            return None
        t0 = self.recorder.t0
        ok_seconds, ok_us = split_pairs(ok, t0)
        fail_seconds, fail_us = split_pairs(self.failed, t0)
        seconds = np.concatenate((ok_seconds, fail_seconds))
        latencies = np.concatenate((ok_us, fail_us))
        timed.append((seconds, latencies))
        record_many(self.hist, latencies)
        warmup = self.recorder.warmup
        if warmup > 0:
            record_many(self.hist_w, latencies[seconds >= math.ceil(warmup)])
        per_second: dict[int, list[int]] = {}
        found, counts = np.unique(ok_seconds, return_counts=True)
        for second, count in zip(found.tolist(), counts.tolist(), strict=True):
            per_second[second] = [second, count, 0]
        for second, count in self.fail_s.items():
            per_second.setdefault(second, [second, 0, 0])[2] = count
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "name": self.name,
            "successes": ok_seconds.size,
            "failures": self.failures,
            "posts": ok_seconds.size + self.posts,
            "per_second": [per_second[s] for s in sorted(per_second)],
            "errors": dict(self.errors),
            "hist": _encode(self.hist),
            "hist_w": _encode(self.hist_w) if warmup > 0 else None,
        }
        self.ok = []
        self.failed = []
        self.failures = self.posts = 0
        self.fail_s = {}
        self.errors = {}
        self.hist.reset()
        self.hist_w.reset()
        return out


def _encode(hist: HdrHistogram) -> str | None:
    if hist.get_total_count() == 0:
        return None
    return str(hist.encode().decode("ascii"))


SECOND_TEMPLATE = new_histogram(SECOND_FIGURES)
"""The layout of the per-second histograms (never recorded into)."""


def second_counts(timed: list[tuple[np.ndarray, np.ndarray]]) -> list[int]:
    """Every request of a delta (``Series.take``'s ``timed``) as per-second histogram counts, flattened
    ``[second, index, count, ...]`` (indices of ``SECOND_TEMPLATE``), for ``Merged``."""
    if not timed:
        return []
    seconds = np.concatenate([s for s, _ in timed])
    if seconds.size == 0:
        return []
    latencies = np.concatenate([u for _, u in timed])
    width = SECOND_TEMPLATE.counts_len
    keys, counts = np.unique(
        seconds * width + hdr_indices(SECOND_TEMPLATE, latencies), return_counts=True
    )
    flat = np.empty((keys.size, 3), dtype=np.int64)
    flat[:, 0], flat[:, 1] = np.divmod(keys, width)
    flat[:, 2] = counts
    return [int(x) for x in flat.ravel().tolist()]


class Recorder:
    """One node's recording (see the module docstring)."""

    def __init__(self, *, t0: float | None = None, warmup: float = 0.0) -> None:
        self.t0 = time.monotonic() if t0 is None else t0
        """Monotonic time of the run's second 0 on this node."""
        self.warmup = warmup
        self._series: dict[tuple[str, str], Series] = {}
        self.in_flight = 0
        """Requests sent and not yet recorded."""
        self.sent: list[int] = []
        """Seeds the import/batch scenarios sent since the last take."""
        self.acked: list[int] = []
        self.reimported: list[int] = []
        self.recent: deque[tuple[int, str]] = deque(maxlen=RECENT_ACKS)
        """Recently acknowledged (seed, reference), for reimport, read and invalid."""
        self.keep_recent = True
        """Whether ``recent`` is filled (only a mix with reimport, read or invalid reads it)."""
        self.leftovers: list[tuple[int, int]] = []
        """Unused seeds given back at the end of the load (sent with the final take)."""

    def series(self, scenario: str, name: str) -> Series:
        key = (scenario, name)
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = Series(self, scenario, name)
        return found

    def take(self) -> dict[str, Any]:
        """Everything recorded since the previous take, as msgpack-able data; then start afresh."""
        timed: list[tuple[np.ndarray, np.ndarray]] = []
        series = [d for s in self._series.values() if (d := s.take(timed)) is not None]
        out: dict[str, Any] = {
            "series": series,
            "latency_s": second_counts(timed),
            "sent": [list(r) for r in ranges_from_seeds(self.sent)],
            "acked": [list(r) for r in ranges_from_seeds(self.acked)],
            "reimported": [list(r) for r in ranges_from_seeds(self.reimported)],
            "leftovers": [list(r) for r in merge_ranges(self.leftovers)],
        }
        self.sent = []
        self.acked = []
        self.reimported = []
        self.leftovers = []
        return out


class _MergedSeries:
    def __init__(self, scenario: str, name: str) -> None:
        self.scenario = scenario
        self.name = name
        self.successes = 0
        self.failures = 0
        self.posts = 0
        self.per_second: dict[int, list[int]] = {}
        self.errors: dict[str, int] = {}
        self.hist = new_histogram()
        self.hist_w = new_histogram()
        self.hist_w_used = False


LATENCY_DENSE_S = 60
"""How many seconds behind the newest one keep their per-second histogram as a full count array
(13 KB); older seconds are packed to their non-zero counts (6 bytes each), so a long run's master
grows by about 6 MB per hour instead of 50 (measured with 150 latency buckets used per second).
Data that arrives late for a packed second unpacks it again: nothing is lost."""


class Merged:
    """The sum of every node's deltas (local runner or master)."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _MergedSeries] = {}
        self.sent: list[tuple[int, int]] = []
        self.acked: list[tuple[int, int]] = []
        self.reimported: list[tuple[int, int]] = []
        self.leftovers: list[tuple[int, int]] = []
        self.deltas = 0
        self._latency_dense: dict[int, np.ndarray] = {}
        """Per recent second, the counts of a ``SECOND_TEMPLATE`` histogram of every request
        that started in it (all endpoints; a failure without an answer with the time until it
        failed)."""
        self._latency_packed: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        """Per older second (``LATENCY_DENSE_S``), the same counts as (indices, counts) of the
        non-zero ones."""
        self._newest_second = 0

    def add(self, delta: dict[str, Any]) -> None:
        self.deltas += 1
        for data in delta.get("series", ()):
            key = (str(data["scenario"]), str(data["name"]))
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _MergedSeries(*key)
            series.successes += int(data["successes"])
            series.failures += int(data["failures"])
            series.posts += int(data["posts"])
            for second, ok, fail in data["per_second"]:
                row = series.per_second.setdefault(int(second), [0, 0])
                row[0] += int(ok)
                row[1] += int(fail)
            for kind, count in data["errors"].items():
                series.errors[str(kind)] = series.errors.get(str(kind), 0) + int(count)
            if data.get("hist"):
                series.hist.decode_and_add(data["hist"])
            if data.get("hist_w"):
                series.hist_w.decode_and_add(data["hist_w"])
                series.hist_w_used = True
        flat = delta.get("latency_s") or ()
        if len(flat):
            rows = np.asarray(flat, dtype=np.int64).reshape(-1, 3)
            seconds = rows[:, 0]
            for second in np.unique(seconds).tolist():
                mine = rows[seconds == second]
                np.add.at(self._latency_counts(second), mine[:, 1], mine[:, 2].astype(np.int32))
            self._pack_old_seconds()
        self.sent.extend(_pairs(delta.get("sent", ())))
        self.acked.extend(_pairs(delta.get("acked", ())))
        self.reimported.extend(_pairs(delta.get("reimported", ())))
        self.leftovers.extend(_pairs(delta.get("leftovers", ())))

    def _latency_counts(self, second: int) -> np.ndarray:
        """The full count array of ``second`` (unpacked if it was packed)."""
        tally = self._latency_dense.get(second)
        if tally is None:
            tally = self._latency_dense[second] = np.zeros(SECOND_TEMPLATE.counts_len, np.int32)
            packed = self._latency_packed.pop(second, None)
            if packed is not None:
                tally[packed[0]] = packed[1]
        self._newest_second = max(self._newest_second, second)
        return tally

    def _pack_old_seconds(self) -> None:
        horizon = self._newest_second - LATENCY_DENSE_S
        for second in [s for s in self._latency_dense if s < horizon]:
            tally = self._latency_dense.pop(second)
            indices = np.flatnonzero(tally)
            self._latency_packed[second] = (indices.astype(np.uint16), tally[indices])

    def latency_counts(self, second: int) -> np.ndarray | None:
        """A copy of ``second``'s per-second histogram counts, or None without a request."""
        tally = self._latency_dense.get(second)
        if tally is not None:
            return tally.copy()
        packed = self._latency_packed.get(second)
        if packed is None:
            return None
        out = np.zeros(SECOND_TEMPLATE.counts_len, np.int32)
        out[packed[0]] = packed[1]
        return out

    def latency_per_second(self) -> list[tuple[int, float, float]]:
        """``(second, p50_ms, p95_ms)`` of every second with a request, over all
        endpoints and nodes (``results.RunRecord.latency_per_second``)."""
        out = []
        for second in sorted(self._latency_dense.keys() | self._latency_packed.keys()):
            counts = self.latency_counts(second)
            assert counts is not None
            p50, p95 = second_percentiles(counts, (50.0, 95.0))
            out.append((second, p50, p95))
        return out

    def duplicate_sends(self) -> int:
        """Seeds that appear in more than one sent range (must be 0)."""
        total = sum(b - a + 1 for a, b in self.sent)
        merged = sum(b - a + 1 for a, b in merge_ranges(self.sent))
        return total - merged

    def seed_summary(self) -> SeedSummary:
        sent = merge_ranges(self.sent)
        acked = merge_ranges(self.acked)
        return SeedSummary(
            sent=list(sent), acknowledged=list(acked), failed=subtract_ranges(sent, acked)
        )

    def reimported_ranges(self) -> list[tuple[int, int]]:
        return list(merge_ranges(self.reimported))

    def endpoints(self) -> list[EndpointStats]:
        out = []
        for key in sorted(self._series):
            s = self._series[key]
            out.append(
                EndpointStats(
                    scenario=s.scenario,
                    name=s.name,
                    requests=s.successes + s.failures,
                    successes=s.successes,
                    failures=s.failures,
                    posts=s.posts,
                    per_second=[
                        (sec, ok, fail) for sec, (ok, fail) in sorted(s.per_second.items())
                    ],
                    histogram=_model(s.hist),
                    histogram_after_warmup=_model(s.hist_w) if s.hist_w_used else None,
                    percentiles=percentiles(s.hist),
                    errors=dict(sorted(s.errors.items())),
                )
            )
        return out


def _pairs(items: Iterable[Any]) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in items]


def subtract_ranges(
    ranges: Iterable[tuple[int, int]], remove: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """``ranges`` minus ``remove`` (both merged, ascending), as merged ranges."""
    out: list[tuple[int, int]] = []
    cut = list(merge_ranges(remove))
    j = 0
    for first, last in merge_ranges(ranges):
        start = first
        while j < len(cut) and cut[j][1] < start:
            j += 1
        k = j
        while k < len(cut) and cut[k][0] <= last and start <= last:
            a, b = cut[k]
            if a > start:
                out.append((start, a - 1))
            start = max(start, b + 1)
            k += 1
        if start <= last:
            out.append((start, last))
    return out


def _model(hist: HdrHistogram) -> HdrModel | None:
    data = _encode(hist)
    return None if data is None else HdrModel(data=data)


def percentiles(hist: HdrHistogram) -> Percentiles | None:
    """Percentiles in ms from a histogram in microseconds; None when it is empty."""
    count = hist.get_total_count()
    if count == 0:
        return None

    def at(p: float) -> float:
        return float(hist.get_value_at_percentile(p)) / 1000.0

    return Percentiles(
        count=count,
        min_ms=float(hist.get_min_value()) / 1000.0,
        mean_ms=float(hist.get_mean_value()) / 1000.0,
        p50_ms=at(50),
        p90_ms=at(90),
        p95_ms=at(95),
        p99_ms=at(99),
        p999_ms=at(99.9),
        max_ms=float(hist.get_max_value()) / 1000.0,
    )


def second_percentiles(counts: np.ndarray, wanted: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles in ms of a ``SECOND_TEMPLATE`` histogram given by its counts: the values
    hdrh's ``get_value_at_percentile`` returns for them."""
    cumulative = np.cumsum(counts, dtype=np.int64)
    total = int(cumulative[-1])
    out = []
    for percentile in wanted:
        target = max(int(min(percentile, 100.0) * total / 100 + 0.5), 1)
        index = int(np.searchsorted(cumulative, target))
        value = SECOND_TEMPLATE.get_value_from_index(index)
        out.append(float(SECOND_TEMPLATE.get_highest_equivalent_value(value)) / 1000.0)
    return tuple(out)
