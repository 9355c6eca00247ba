"""The rows of ``anp runs``: one line per stored run, enough to pick a baseline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from results.errors import RecordError
from results.metrics import latency_percentiles, measured_throughput
from results.store import StoredRun


@dataclass(frozen=True)
class RunRow:
    path: str
    run_id: str
    started_at: str
    target: str
    release: str
    scenarios: str
    users: int
    throughput_rps: float | None
    """The record's ``totals.throughput_rps``: successful requests that started from second
    ``ceil(warmup)`` on, divided by the seconds after it (the whole run without a warm-up); the
    run summary's figure."""
    median_rps: float | None
    """The median of the per-second successful request counts after the warm-up, whole seconds
    only: the figure ``anp compare`` and ``anp history`` use as throughput."""
    p95_ms: float | None
    error_ratio: float | None
    verification: str
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _verification(run: StoredRun) -> str:
    assert run.record is not None
    v = run.record.verification
    if not v.performed:
        return "not verified"
    if v.error:
        return "incomplete"
    if v.missing or v.corrupted:
        return f"LOST {v.missing} missing, {v.corrupted} corrupted"
    return f"ok {v.landed}/{v.acknowledged}"


def run_rows(runs: list[StoredRun]) -> list[RunRow]:
    rows = []
    for run in runs:
        record = run.record
        if record is None:
            rows.append(
                RunRow(str(run.path), "?", "", "", "", "", 0, None, None, None, None, "", run.error)
            )
            continue
        try:
            p95: float | None = latency_percentiles(record)["p95_ms"]
        except RecordError:
            p95 = None
        try:
            median: float | None = measured_throughput(record)
        except RecordError:
            median = None
        mix = ",".join(f"{k}:{v}" for k, v in sorted(record.load.scenarios.items()))
        rows.append(
            RunRow(
                path=str(run.path),
                run_id=record.run_id,
                started_at=record.timing.started_at,
                target=record.target.name,
                release=record.target.release or "unknown",
                scenarios=mix,
                users=record.load.users,
                throughput_rps=record.totals.throughput_rps,
                median_rps=median,
                p95_ms=p95,
                error_ratio=record.totals.error_ratio,
                verification=_verification(run)
                + (" (interrupted)" if record.interrupted else "")
                + (" (worker lost)" if record.incomplete is not None else ""),
            )
        )
    return rows
