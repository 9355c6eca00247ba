"""What the Locust side hands over when the load stops (the contract inside loadtests).

The locustfile (running as the local runner or the master) builds a ``Measurements`` from the
merged worker data at the end of the load, writes it atomically to ``<out_dir>/measurements.json``
and passes it to ``loadtests.finalize.finalize`` which verifies what landed, evaluates the checks
and writes the run record (``results.RunRecord``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from results import EndpointStats, Incomplete, LoadSettings, OpenLoop, SeedSummary, TargetInfo


class CheckSpec(BaseModel):
    """Pass/fail thresholds, from command-line options and the target definition's ``[checks]``
    table (options win). None means "not checked"."""

    model_config = ConfigDict(extra="forbid")

    max_error_ratio: float | None = None
    max_p50_ms: float | None = None
    max_p95_ms: float | None = None
    max_p99_ms: float | None = None
    min_throughput: float | None = None
    """Minimum successful requests per second over the measured period."""
    max_missing: int | None = None
    """Usually 0: every acknowledged post must have landed."""
    max_corrupted: int | None = None
    """Usually 0: every landed post must equal synthesize(seed)."""


class Measurements(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: str
    started_at: str
    """ISO 8601 UTC."""
    ended_at: str
    duration_s: float
    warmup_s: float = 0.0
    interrupted: bool = False
    """The load was cut short by Ctrl-C/SIGTERM or a harness failure."""
    target: TargetInfo
    load: LoadSettings
    checks: CheckSpec = Field(default_factory=CheckSpec)
    endpoints: list[EndpointStats]
    """Merged across all users and workers."""
    seeds: SeedSummary
    """Seeds sent, acknowledged and failed by the import/batch scenarios (merged, as ranges)."""
    reimported: list[tuple[int, int]] = Field(default_factory=list)
    """Seeds the reimport scenario sent again (ranges)."""
    latency_per_second: list[tuple[int, float, float]] = Field(default_factory=list)
    """``(second, p50_ms, p95_ms)`` of the requests (all endpoints, all nodes; a failure
    without an answer with the time until it failed) that started in each second
    (``results.RunRecord.latency_per_second``; 2 significant figures)."""
    verify: bool = True
    """Whether finalize should read back every acknowledged post."""
    verify_timeout_s: float = 600.0
    """How long that read-back may take (``--verify-timeout``)."""
    incomplete: Incomplete | None = None
    """Workers whose final report never came, and the seeds they held (``RunRecord``'s)."""
    open_loop: OpenLoop | None = None
    """The open model's schedule figures, summed over the nodes (``RunRecord``'s)."""
