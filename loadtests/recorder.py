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

import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from hdrh.histogram import HdrHistogram

from results import EndpointStats, Percentiles, SeedSummary
from results import HdrHistogram as HdrModel
from synth import merge_ranges, ranges_from_seeds

LOWEST_US = 1
HIGHEST_US = 3_600_000_000
SIGNIFICANT_FIGURES = 3
RECENT_ACKS = 8192
"""Acknowledged (seed, reference) pairs kept for the reimport and read scenarios."""


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


class Series:
    """What one node recorded for one (scenario, endpoint) since the last take."""

    __slots__ = (
        "errors",
        "fail_s",
        "failures",
        "hist",
        "hist_w",
        "name",
        "ok_s",
        "posts",
        "recorder",
        "scenario",
        "successes",
    )

    def __init__(self, recorder: Recorder, scenario: str, name: str) -> None:
        self.recorder = recorder
        self.scenario = scenario
        self.name = name
        self.successes = 0
        self.failures = 0
        self.posts = 0
        self.ok_s: dict[int, int] = {}
        self.fail_s: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.hist = new_histogram()
        self.hist_w = new_histogram()

    def _latency(self, started: float, latency_s: float) -> None:
        us = int(latency_s * 1_000_000)
        us = LOWEST_US if us < LOWEST_US else HIGHEST_US if us > HIGHEST_US else us
        self.hist.record_value(us)
        warmup = self.recorder.warmup
        if warmup > 0 and started - self.recorder.t0 >= warmup:
            self.hist_w.record_value(us)

    def success(
        self, started: float, latency_s: float, *, posts: int = 1, kind: str | None = None
    ) -> None:
        """A request that did its job; ``kind`` counts an expected outcome (``rejected_invalid``)."""
        second = int(started - self.recorder.t0)
        if second < 0:
            second = 0
        self.successes += 1
        self.posts += posts
        self.ok_s[second] = self.ok_s.get(second, 0) + 1
        if kind is not None:
            self.errors[kind] = self.errors.get(kind, 0) + 1
        self._latency(started, latency_s)

    def failure(self, started: float, latency_s: float | None, kind: str) -> None:
        """A failed request; ``latency_s`` None when no HTTP answer arrived (not in the histogram)."""
        second = int(started - self.recorder.t0)
        if second < 0:
            second = 0
        self.failures += 1
        self.fail_s[second] = self.fail_s.get(second, 0) + 1
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if latency_s is not None:
            self._latency(started, latency_s)

    def take(self) -> dict[str, Any] | None:
        if not (self.successes or self.failures):
            return None
        seconds = sorted(set(self.ok_s) | set(self.fail_s))
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "name": self.name,
            "successes": self.successes,
            "failures": self.failures,
            "posts": self.posts,
            "per_second": [[s, self.ok_s.get(s, 0), self.fail_s.get(s, 0)] for s in seconds],
            "errors": dict(self.errors),
            "hist": _encode(self.hist),
            "hist_w": _encode(self.hist_w) if self.recorder.warmup > 0 else None,
        }
        self.successes = self.failures = self.posts = 0
        self.ok_s = {}
        self.fail_s = {}
        self.errors = {}
        self.hist.reset()
        self.hist_w.reset()
        return out


def _encode(hist: HdrHistogram) -> str | None:
    if hist.get_total_count() == 0:
        return None
    return str(hist.encode().decode("ascii"))


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
        """Recently acknowledged (seed, reference), for reimport and read."""
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
        series = [d for s in self._series.values() if (d := s.take()) is not None]
        out: dict[str, Any] = {
            "series": series,
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


class Merged:
    """The sum of every node's deltas (local runner or master)."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _MergedSeries] = {}
        self.sent: list[tuple[int, int]] = []
        self.acked: list[tuple[int, int]] = []
        self.reimported: list[tuple[int, int]] = []
        self.leftovers: list[tuple[int, int]] = []
        self.deltas = 0

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
        self.sent.extend(_pairs(delta.get("sent", ())))
        self.acked.extend(_pairs(delta.get("acked", ())))
        self.reimported.extend(_pairs(delta.get("reimported", ())))
        self.leftovers.extend(_pairs(delta.get("leftovers", ())))

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
