"""The state one Locust process keeps for the current test: its role, the checked options, the
target adapter, the recorder, the seed queue and the pacer; and, on the local runner or the
master, the allocator and the merged measurements.

``NODE`` is the process's single instance; the users read it on every task (one attribute
lookup), the event handlers in ``loadtests.hooks`` fill it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from gevent.event import Event

from loadtests.open_loop import Pacer, open_pacer
from loadtests.options import RunOptions
from loadtests.prebuild import ReadySource
from loadtests.recorder import Merged, Recorder
from loadtests.seeding import SeedAllocator, SeedQueue
from loadtests.worker_ledger import WorkerLedger
from targets.base import (
    SupportsJsonBatch,
    SupportsJsonImport,
    Target,
    json_batch_of,
    json_import_of,
)

Role = Literal["local", "master", "worker"]
RECENT_READERS = frozenset({"reimport", "read", "invalid"})
"""Scenarios that pick acknowledged posts from ``Recorder.recent`` (``Node.reset_for_test``
turns the recorder's ``keep_recent`` on when one of them runs, and only then)."""


class Node:
    """Per-process state (see the module docstring)."""

    def __init__(self) -> None:
        self.role: Role = "local"
        self.options: RunOptions | None = None
        self._target: Target | None = None
        self.import_json: SupportsJsonImport | None = None
        """The target's bytes fast path for single imports, or None (set with ``target``)."""
        self.batch_json: SupportsJsonBatch | None = None
        """The target's bytes fast path for batches, or None (set with ``target``)."""
        self.import_ack_statuses: frozenset[int] = frozenset()
        """``import_json.acknowledged_statuses`` (empty without the fast path): an answer with
        one of them is a success without building its ``Response`` and ``Ack``."""
        self.recorder = Recorder()
        self.queue: SeedQueue | None = None
        self.pipeline: ReadySource | None = None
        """Where the import users take ready requests: helper processes building them ahead
        (``--synth-processes``), or the in-line builder (``loadtests.prebuild``)."""
        self.pacer: Pacer | None = None
        self.draining = False
        """The load is stopping: users start no new request."""
        self.seeded_in_flight = 0
        """import/batch requests sent and not yet recorded."""
        self.done_sent = False
        """This node told the coordinator it used up its seeds."""
        self.final_sent = False
        self.wake = Event()
        """Idle users wait on it until Locust stops them or ``wake_idle`` sets it."""
        self.grant_gen = 0
        """Worker: the generation of the latest pushed grant (``anp_done`` carries it, so the
        master can tell a "done" sent before the push from one sent after)."""
        # Coordinator (local runner or master) only:
        self.allocator: SeedAllocator | None = None
        self.merged = Merged()
        self.started_wall = 0.0
        """Wall-clock start of the run (time.time()), shared with workers."""
        self.started_mono = 0.0
        self.ended_mono: float | None = None
        self.running = False
        """A test is in progress and its measurements are not written yet."""
        self.drained = False
        self.finished = False
        self.interrupted = False
        self.signalled = False
        """SIGINT/SIGTERM arrived."""
        self.granted_nodes: set[str] = set()
        """Nodes that received at least one non-empty seed grant."""
        self.done_nodes: set[str] = set()
        self.final_nodes: set[str] = set()
        self.told_exhausted: set[str] = set()
        """Workers whose last grant said no more seeds would come: they ask no more, so seeds
        given back while the run goes on are pushed to them (``loadtests.ending``)."""
        self.push_gen: dict[str, int] = {}
        """Worker id -> how many grants were pushed to it (its ``anp_done`` must be as new)."""
        self.ledger = WorkerLedger()
        """Grants, reports and pacer counters per node (``loadtests.worker_ledger``)."""
        self.worker_share = 1.0
        """This node's share of the open model's arrival rate."""
        self.hello: dict[str, Any] = {}
        """The master's start message, kept by a worker until its test starts."""
        self.release: str | None = None
        self.stop_requested = False
        self.ended_wall = 0.0
        self.env: Any = None
        """Locust's Environment of this process."""
        self.on_seeds_used_up: Callable[[], None] | None = None
        """Called once when this node's seeds ran out and its last seeded request finished."""
        self.invalid_sent = 0
        """Invalid posts built on this node (their seed and kind follow this counter)."""

    @property
    def target(self) -> Target | None:
        """The target adapter. Setting it also looks up its bytes fast paths once
        (``import_json``, ``batch_json``: an ``isinstance`` against a runtime-checkable Protocol
        costs microseconds, too much per request)."""
        return self._target

    @target.setter
    def target(self, target: Target | None) -> None:
        self._target = target
        self.import_json = None if target is None else json_import_of(target)
        self.batch_json = None if target is None else json_batch_of(target)
        self.import_ack_statuses = (
            frozenset() if self.import_json is None else self.import_json.acknowledged_statuses
        )

    def reset_for_test(self, options: RunOptions, target: Target, *, t0: float) -> None:
        """A fresh recorder, queue and flags for a new test on this node."""
        self.options = options
        self.target = target
        self.recorder = Recorder(t0=t0, warmup=options.warmup)
        self.recorder.keep_recent = bool(RECENT_READERS & self._scenarios(options))
        self.draining = False
        self.seeded_in_flight = 0
        self.done_sent = False
        self.final_sent = False
        self.grant_gen = 0
        self.pacer = None
        self.pipeline = None
        self.invalid_sent = 0
        if options.load_model == "open" and options.arrival_rate:
            parsed = getattr(self.env, "parsed_options", None)
            self.pacer = open_pacer(options.arrival_rate, options.shape, self.worker_share, parsed)

    def _scenarios(self, options: RunOptions) -> set[str]:
        """The scenarios this node's users run: ``--scenario``'s, or, when user classes were
        named on Locust's command line (Locust's choice then stands, see ``hooks``), theirs."""
        names = set(options.scenarios)
        env = self.env
        if env is not None and getattr(env.parsed_options, "user_classes", None):
            names.update(str(getattr(cls, "scenario", "")) for cls in env.user_classes)
        return names

    def wake_idle(self) -> None:
        """Wake every idle user (their tasks run again; those with nothing to do idle again)."""
        event, self.wake = self.wake, Event()
        event.set()

    def seeds_used_up(self) -> bool:
        """No seed is left on this node: the queue ran dry for good and nothing is prebuilt."""
        queue = self.queue
        if queue is None or not queue.exhausted or queue.available:
            return False
        return self.pipeline is None or self.pipeline.finished

    def reset_coordinator(self, options: RunOptions) -> None:
        self.allocator = SeedAllocator(options.seeds, options.seed_budget)
        self.merged = Merged()
        self.started_wall = time.time()
        self.started_mono = time.monotonic()
        self.ended_mono = None
        self.running = True
        self.drained = False
        self.finished = False
        self.interrupted = False
        self.granted_nodes = set()
        self.done_nodes = set()
        self.final_nodes = set()
        self.told_exhausted = set()
        self.push_gen = {}
        self.ledger = WorkerLedger()
        self.stop_requested = False


NODE = Node()
