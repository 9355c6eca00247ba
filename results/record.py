"""The run record: one JSON document per run, ``results/runs/<run-id>/run.json``.

This pydantic model is the contract between loadtests (which fills it) and results (which stores,
compares and reports it). Its JSON Schema is generated from it (``results/schema/run.schema.json``).
Bump ``SCHEMA_VERSION`` whenever a change would make an older reader misread a newer record.

Times are seconds. Latencies are milliseconds in percentiles and microseconds inside histograms.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
"""2: ``passed`` is null when the run has no verdict (interrupted or incomplete); new optional
``incomplete`` and ``open_loop`` (``results.store`` migrates version 1)."""

ERROR_KINDS_DOC = """Error kinds, used as keys of every ``errors`` mapping:
``http_<code>`` an unexpected HTTP status (e.g. ``http_503``); ``timeout`` no response in time;
``connection_refused``; ``connection_reset``; ``connection_error`` any other transport failure;
``bad_response`` a 2xx whose body the adapter could not understand; ``rejected_invalid`` an
invalid post correctly refused with a 4xx (expected: NOT a failure); ``unexpected_acceptance`` an
invalid post the target accepted (a failure of the target)."""

NO_ANSWER_KINDS: frozenset[str] = frozenset(
    {
        "timeout",
        "connection_refused",
        "connection_reset",
        "connection_error",
        "protocol_error",  # the adapters' names for a transport failure, should one be recorded
        "transport_error",
    }
)
"""The error kinds of a failed request that got no HTTP answer. Such a request is in the latency
histograms with the time until it failed (as Locust and k6 count it); a latency check needs at
least one request that did get an answer (``loadtests.checks``)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class TargetInfo(_Model):
    """The target as it was during the run. Never holds credentials."""

    name: str
    """The definition's name, e.g. ``local-reference``."""
    kind: str
    """Adapter kind: ``reference``, ``wordpress`` or ``http``."""
    url: str
    """Base URL (no user info, no secrets)."""
    release: str | None = None
    """The release the site reported at the start of the run (``GET /version`` or equivalent)."""
    definition: str | None = None
    """Path of the definition file, when one was used."""


class LoadSettings(_Model):
    """What was asked. Two runs are only comparable when these match (see results.compare)."""

    scenarios: dict[str, int]
    """Scenario name -> weight, e.g. ``{"import": 3, "invalid": 1}``."""
    load_model: Literal["closed", "open"]
    """``closed``: users with wait times. ``open``: a fixed arrival rate of posts/s."""
    shape: str = "steady"
    """Load shape name: steady, ramp, step or spike."""
    users: int
    spawn_rate: float
    arrival_rate: float | None = None
    """Target posts/s for the open model; None for closed."""
    run_time_s: float | None = None
    """The configured bound in seconds, or None when bounded by the seed count only."""
    seeds: str
    """The seed ranges offered to the import scenarios, e.g. ``0-999999``."""
    batch_size: int = 1
    size: str | None = None
    """Payload size option (s, m, l, xl) or None for natural sizes."""
    processes: int = 1
    """Locust worker processes (1 = a local runner)."""
    timeout_s: float
    """Per-request timeout."""


class Timing(_Model):
    started_at: str
    """ISO 8601 UTC start of the load (after the first user spawned)."""
    ended_at: str
    duration_s: float
    warmup_s: float = 0.0
    """Leading seconds excluded from comparisons."""


class HdrHistogram(_Model):
    """A latency histogram that can be merged across workers and runs."""

    encoding: Literal["hdrhistogram-base64"] = "hdrhistogram-base64"
    """The ``hdrh`` package's compressed, base64 encoding (``HdrHistogram.encode()``)."""
    unit: Literal["us"] = "us"
    lowest: int = 1
    highest: int = 3_600_000_000
    significant_figures: int = 3
    data: str


class Percentiles(_Model):
    """Exact (to the histogram's 3 significant figures) latency percentiles in milliseconds."""

    count: int
    min_ms: float
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float


class EndpointStats(_Model):
    """Everything recorded for one (scenario, endpoint) pair."""

    scenario: str
    """``import``, ``batch``, ``reimport``, ``invalid`` or ``read``."""
    name: str
    """The request label, e.g. ``POST /import/posts``."""
    requests: int
    successes: int
    failures: int
    posts: int = 0
    """Posts carried by successful requests (batch requests carry many)."""
    per_second: list[tuple[int, int, int]] = Field(default_factory=list)
    """Exact ``(second, successes, failures)`` rows; second 0 is the run's start."""
    histogram: HdrHistogram | None = None
    """Latency of every request that finished: successes, HTTP failures, and failures without an
    HTTP answer (``NO_ANSWER_KINDS``) with the time until they failed."""
    histogram_after_warmup: HdrHistogram | None = None
    """The same latencies restricted to requests that started after the warm-up. Optional;
    ``results.metrics`` prefers it to ``histogram`` for the compared percentiles."""
    percentiles: Percentiles | None = None
    errors: dict[str, int] = Field(default_factory=dict)
    """Error kind -> count; see ERROR_KINDS_DOC."""


class Totals(_Model):
    requests: int
    successes: int
    failures: int
    posts_acknowledged: int
    throughput_rps: float
    """Successful requests per second over the measured (post-warm-up) period."""
    posts_per_s: float
    error_ratio: float
    """failures / requests (0 when no requests)."""


class SeedSummary(_Model):
    """Which seeds the import scenarios sent, as inclusive ranges ``[first, last]``."""

    sent: list[tuple[int, int]] = Field(default_factory=list)
    acknowledged: list[tuple[int, int]] = Field(default_factory=list)
    failed: list[tuple[int, int]] = Field(default_factory=list)
    """Sent but not acknowledged."""


class Verification(_Model):
    """Read-back of every acknowledged post, compared with ``synthesize(seed)``."""

    performed: bool
    acknowledged: int = 0
    landed: int = 0
    missing: int = 0
    duplicates: int = 0
    """References stored more than once."""
    corrupted: int = 0
    """Landed with content or hash that differs from synthesize(seed)."""
    landed_unacknowledged: int = 0
    """Found on the target although the harness saw no acknowledgement (e.g. after a timeout)."""
    missing_refs: list[str] = Field(default_factory=list)
    duplicate_refs: list[str] = Field(default_factory=list)
    corrupted_refs: list[str] = Field(default_factory=list)
    unacknowledged_refs: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None
    """Why verification could not be completed, when it could not."""


class Incomplete(_Model):
    """Why a run that ran to its end is still partial: the master never got the final report of
    some workers (killed, hung, cut off from the network)."""

    lost_workers: list[str]
    """Locust client ids of the workers whose final report never came."""
    seeds_in_doubt: list[tuple[int, int]] = Field(default_factory=list)
    """Seeds granted to the lost workers that no report lists as sent or unused: each may or may
    not have been sent (and stored). They are in neither ``seeds.sent`` nor ``seeds.failed``;
    verification reads them back like sent-but-unacknowledged seeds, so those that landed count
    in ``verification.landed_unacknowledged``."""
    seeds_in_doubt_count: int = 0
    """How many seeds ``seeds_in_doubt`` holds."""
    detail: str
    """What is missing, in one sentence: the lost workers' requests since their last periodic
    report are in no count, latency or per-second row."""


class OpenLoop(_Model):
    """How well the open model held its arrival rate, over every node that reported."""

    target_rate: float
    """Posts/s asked (``--arrival-rate``), all workers together; the peak under a shape."""
    shape: str = "steady"
    """The load shape that drove the rate (``load.shape``): under steady the rate is flat."""
    slots_due: int = 0
    """Slots the schedule had due by the end of the load, summed over the nodes (each node's
    schedule starts with its first post): what the target should have seen."""
    slots_sent: int
    """Slots of the arrival schedule (one per post) that users took and sent, summed over the
    nodes; reservations still in the future when the load stopped are left out."""
    slots_late: int
    """Requests sent more than ``late_after_s`` after their slot was due: every user was busy,
    so the rate was not held (a batch request counts once). Like k6's ``dropped_iterations``,
    ``> 0`` means the run measured a closed system at times; give it more users."""
    late_after_s: float = 0.1
    """The lateness threshold (``loadtests.open_loop.LATE_S``)."""
    achieved_rate: float
    """``slots_sent / timing.duration_s``: the posts/s the users actually offered. Under a
    shape compare ``slots_sent`` with ``slots_due`` rather than this with ``target_rate``."""


class CheckResult(_Model):
    name: str
    """e.g. ``max_error_ratio``, ``max_p95_ms``, ``min_throughput``, ``max_missing``."""
    threshold: float
    observed: float | None
    passed: bool
    detail: str = ""


class Environment(_Model):
    cpu_count: int
    python: str
    locust: str
    platform: str
    hostname: str


class RunRecord(_Model):
    schema_version: int = SCHEMA_VERSION
    run_id: str
    harness_version: str
    generator_version: str
    git_commit: str | None = None
    target: TargetInfo
    load: LoadSettings
    timing: Timing
    endpoints: list[EndpointStats]
    totals: Totals
    errors: dict[str, int] = Field(default_factory=dict)
    """All endpoints' error kinds summed."""
    seeds: SeedSummary = Field(default_factory=SeedSummary)
    verification: Verification
    checks: list[CheckResult] = Field(default_factory=list)
    passed: bool | None = None
    """The verdict of the checks: True every check passed, False one failed. None means no
    verdict: the run was interrupted or is ``incomplete``, its verification failed, or it sent
    no request (exit code 3; its checks are still listed, evaluated on what was measured), or no
    check was evaluated at all."""
    interrupted: bool = False
    """Ctrl-C/SIGTERM or a harness failure cut the run short; the record is partial."""
    incomplete: Incomplete | None = None
    """Set when some workers' final reports never came: counts, latencies and seeds are partial
    (exit code 3). None when every node reported to the end."""
    open_loop: OpenLoop | None = None
    """The open model's schedule figures (None for the closed model)."""
    environment: Environment
    artifacts: dict[str, str] = Field(default_factory=dict)
    """Other files in the run folder, by role: ``locust_html``, ``locust_csv_stats``, ..."""
    latency_per_second: list[tuple[int, float, float]] = Field(default_factory=list)
    """Optional ``(second, p50_ms, p95_ms)`` rows over all endpoints' requests that started in
    that second (one without an HTTP answer with the time until it failed, as in ``histogram``);
    drawn by the reports' latency-over-time charts."""
