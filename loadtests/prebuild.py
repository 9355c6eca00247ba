"""Synthesis off the request path: helper processes build import requests ahead of use
(``--synth-processes N``, import scenario only).

Why: ``synthesize(seed)`` plus serialization costs tens of microseconds of CPU per post, as much
as Locust's own work per request, so a Locust process that synthesizes in line sends far fewer
requests than one posting a constant body. With N helpers (``loadtests.prebuild_worker``), the
Locust process only reads ready bodies from a pipe.

Seeds still come from the node's ``SeedQueue`` in blocks, so the guarantees of
``loadtests.seeding`` hold: the pumps take seeds from the queue, the helpers build them, users
send them. Seeds taken but not sent when the load stops are reported as leftovers, exactly like
the queue's unused tail. Acks are judged by the post's reference: with the adapter's
``import_ack_ref`` when it has the bytes fast path (``targets.base.SupportsJsonImport``; the
helpers then send ``synthesize_json(seed)`` as it is, without building a ``Post``), else with
``import_ack`` and a ``Post`` that carries only ``meta.reference`` (built without validation):
every adapter's ``import_ack`` reads only that; an adapter whose ack needs more of the post
cannot use ``--synth-processes``.

Each helper answers a block of seeds with one frame (``loadtests.prebuild_frames``), so the
Locust process does one pipe read and one JSON parse per block, not per post; ready requests wait
in a plain deque (a user takes one with a ``popleft``; gevent's ``Queue`` cost microseconds per
item).

Without helpers, ``InlineBuilder`` builds in the Locust process, but a small block of seeds back
to back (``INLINE_BLOCK``) instead of one post between two of Locust's requests: the
synthesizer's tables and code stay in the CPU's caches for the block (in this process, between
Locust's requests, a post cost about 14 us of CPU, against 8 us built back to back; see
``bench/bench_loadtests.py``). Same seeds, same bytes, same bookkeeping as the helpers: seeds taken
and not sent when the load stops are leftovers.

With the C builder, ``ThreadBuilder`` (what ``ImportUser`` uses without helpers) moves that work
off the gevent thread: one real OS thread of the Locust process builds ``THREAD_BLOCK`` seeds at
a time with ``synth.native.build_block``, which builds and hashes them with the GIL released,
while the loop keeps sending. Its bookkeeping is ``Pipeline``'s: one pump greenlet takes seeds
from the queue in order and files them as unsent until a user takes their request, so ``close``
reports every seed taken and not sent, built or not. Without ``build_block`` (the pure-Python
builder, or no libcrypto for the hash) ``InlineBuilder`` builds in line.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import gevent
from gevent.event import Event
from gevent.os import nb_read
from gevent.threadpool import ThreadPool

from loadtests.prebuild_frames import HEADER_SIZE, Prebuilt, frame_sizes, parse_frame
from loadtests.seeding import SeedQueue
from synth import Meta, Post, ranges_from_seeds
from synth.construct import make
from synth.native import BlockBuilder
from targets.base import SupportsJsonImport

__all__ = [
    "INLINE_BLOCK",
    "THREAD_BLOCK",
    "THREAD_BLOCK_BYTES",
    "InlineBuilder",
    "Pipeline",
    "Prebuilt",
    "ReadyRequests",
    "ReadySource",
    "ThreadBuilder",
    "reference_post",
    "thread_block_for",
]

log = logging.getLogger("loadtests")
ROOT = Path(__file__).resolve().parent.parent
BLOCK = 64
"""Seeds per request to a helper."""
AHEAD = 2
"""Frames (blocks) asked of each helper ahead of use."""
DEPTH = 512
"""Ready requests kept at most (per node)."""
PIPE_BYTES = 1 << 20
"""Pipe capacity asked for each helper's output."""
INLINE_BLOCK = 16
"""Seeds ``InlineBuilder`` builds back to back (about 130 us of CPU: the other users' answers
wait that long at most, once per block)."""

THREAD_BLOCK = 1024
"""Most seeds per block ``ThreadBuilder``'s thread builds (about 10 ms of CPU). Big blocks: the
thread takes the GIL twice per block (to start and to hand the posts over) and the loop stalls
while it does; blocks of 64, 256 and 1024 gave 0.82, 0.89 and 0.91 of the constant body's
requests/s (``bench/bench_loadtests.py``)."""
THREAD_BLOCK_BYTES = 8 << 20
"""About this many bytes of posts per block: big posts (``--size xl``, about 100 KB) get
smaller blocks, so ready requests hold at most about 10 MB."""


def thread_block_for(
    build_block: BlockBuilder, size: str | None, most: int = THREAD_BLOCK, budget: int | None = None
) -> int:
    """Seeds per block for posts of ``size``: ``THREAD_BLOCK_BYTES`` of them by the mean size of
    a sample (the posts of seeds 0-15, built and dropped), between 16 and ``most``; and at most
    a sixteenth of the run's seed ``budget``, so that in a short seed-bound run with a scenario
    mix the builder does not take the seeds the other users (batch, other processes) would
    send."""
    sample = build_block(list(range(16)), size)
    mean = sum(len(body) for body, _ in sample) / len(sample)
    if budget is not None:
        most = max(1, min(most, budget // 16))  # at least one seed: a block of 0 takes none
    return max(min(16, most), min(most, int(THREAD_BLOCK_BYTES // mean)))


def reference_post(reference: str) -> Post:
    """A Post carrying only ``meta.reference`` (for an adapter's ``import_ack``)."""
    return make(Post, {"meta": make(Meta, {"reference": reference})})


class ReadySource(Protocol):
    """Where a node's import users take ready requests: ``Pipeline``, ``ThreadBuilder`` or
    ``InlineBuilder``."""

    @property
    def finished(self) -> bool: ...

    def get(self) -> Prebuilt | None: ...

    def close(self) -> list[tuple[int, int]]: ...

    def revive(self) -> None:
        """The queue got seeds again after it ran out (a pushed grant, ``loadtests.seeding``):
        start taking them again."""


class ReadyRequests:
    """Makes the ready import requests of one adapter: its template with the body put in when it
    has one (``import_request_template``), else its ``import_request_json``."""

    def __init__(self, fast: SupportsJsonImport) -> None:
        self.fast = fast
        template = fast.import_request_template()
        self.parts = (
            None
            if template is None
            else (template.method, template.path, template.name, template.headers)
        )
        """(method, path, name, headers) of every request, or None when they depend on the post."""

    def make(self, seed: int, body: bytes, reference: str) -> Prebuilt:
        parts = self.parts
        if parts is not None:
            return Prebuilt(seed, reference, *parts, body)
        request = self.fast.import_request_json(body, reference, seed)
        return Prebuilt.of(seed, reference, request)


class InlineBuilder:
    """Ready import requests built in this process, ``INLINE_BLOCK`` seeds back to back, on the
    adapter's bytes fast path (see the module docstring)."""

    def __init__(
        self,
        queue: SeedQueue,
        fast: SupportsJsonImport,
        size: str | None,
        make_json_ref: Callable[[int, str | None], tuple[bytes, str]],
        unused: Callable[[list[tuple[int, int]]], None],
        block: int = INLINE_BLOCK,
    ) -> None:
        self.queue = queue
        self.requests = ReadyRequests(fast)
        self.size = size
        self.make_json_ref = make_json_ref
        """``make_json_ref(seed, size)``: the body and the post's reference (the import user's
        seam)."""
        self.unused = unused
        """Called with the seeds of a block that failed to build (they are never sent)."""
        self.block = block
        self.ready: deque[Prebuilt] = deque()
        self.closed = False

    @property
    def finished(self) -> bool:
        """Nothing taken is left to send (the queue says whether more seeds come)."""
        return not self.ready

    def get(self) -> Prebuilt | None:
        """The next ready request, building a block when none is; None when the seeds ran out
        or the builder is closed."""
        ready = self.ready
        if not ready:
            if self.closed:
                return None
            self._build(self.queue.take(self.block))
            if not ready or self.closed:
                return None
        return ready.popleft()

    def _build(self, seeds: list[int]) -> None:
        make_json_ref = self.make_json_ref
        make = self.requests.make
        size = self.size
        ready = self.ready
        done = 0
        try:
            for seed in seeds:
                body, reference = make_json_ref(seed, size)
                ready.append(make(seed, body, reference))
                done += 1
        except BaseException:
            # not built, so not sent: report them as unused, and let Locust log the error
            self.unused(list(ranges_from_seeds(seeds[done:])))
            raise

    def close(self) -> list[tuple[int, int]]:
        """Stop; return the seeds built and never sent (as ranges)."""
        self.closed = True
        left = list(ranges_from_seeds([item.seed for item in self.ready]))
        self.ready.clear()
        return left

    def revive(self) -> None:
        """Nothing to do: ``get`` takes from the queue whenever nothing is ready."""


class _Pumped:
    """What ``ThreadBuilder`` and ``Pipeline`` share: pumps take seeds from the queue in order and
    file them as ``unsent`` until a user takes their ready request, so ``close`` reports every
    seed taken and not sent, built or not."""

    def __init__(self, queue: SeedQueue) -> None:
        self.queue = queue
        self.ready: deque[Prebuilt] = deque()
        """Ready requests; users ``popleft`` (see ``get``)."""
        self.unsent: set[int] = set()
        """Seeds taken from the queue and not yet handed to a user (being built or ready)."""
        self.closed = False
        self._fed = Event()

    def _pumping(self) -> bool:
        """A pump is still taking seeds (more ready requests may come)."""
        raise NotImplementedError

    def _taken(self) -> None:
        """A user took a ready request (a pump may want to build more)."""

    def _stop(self) -> None:
        """Stop the pumps (``close``)."""

    @property
    def finished(self) -> bool:
        """Every pump stopped and every taken seed was handed out."""
        return not self._pumping() and not self.unsent

    def get(self) -> Prebuilt | None:
        """The next ready request (waits for one); None when none will come."""
        ready = self.ready
        while not ready:
            if self.closed or not self._pumping():
                return None
            self._fed.clear()
            self._fed.wait()
        if self.closed:
            return None
        item = ready.popleft()
        self.unsent.discard(item.seed)
        self._taken()
        return item

    def close(self) -> list[tuple[int, int]]:
        """Stop; return the seeds taken and never sent, built or not (as ranges)."""
        self.closed = True
        self._stop()
        left = list(ranges_from_seeds(sorted(self.unsent)))
        self.unsent.clear()
        self.ready.clear()
        self._fed.set()
        return left


class ThreadBuilder(_Pumped):
    """Ready import requests built on a real OS thread of this process, ``block`` seeds at a
    time, while the gevent loop keeps sending (see the module docstring). The next block is
    started when a quarter of one is left ready. Seeds are handed out in the queue's order, each
    once."""

    def __init__(
        self,
        queue: SeedQueue,
        fast: SupportsJsonImport,
        size: str | None,
        build_block: BlockBuilder,
        unused: Callable[[list[tuple[int, int]]], None],
        block: int = THREAD_BLOCK,
    ) -> None:
        super().__init__(queue)
        if block < 1:
            raise ValueError(f"block must be >= 1 seed, got {block}")
        self.requests = ReadyRequests(fast)
        self.size = size
        self.build_block = build_block
        """``synth.native.build_block``: ``[(body, reference)]`` of seeds, built without the GIL."""
        self.unused = unused
        """Called with seeds taken after ``close`` or whose block failed to build."""
        self.block = block
        self.low_water = block // 4
        self._running = False
        self._want = Event()
        self._waiting = False
        """The pump waits for users to take requests (``get`` wakes it)."""
        self.revive()

    def _pumping(self) -> bool:
        return self._running

    def revive(self) -> None:
        """Start the pump (again, after the queue ran out and got seeds again)."""
        if self.closed or self._running:
            return
        self._running = True
        gevent.spawn(self._pump, ThreadPool(1))

    def _pump(self, pool: ThreadPool) -> None:
        """Keep one block ready ahead of the users: take seeds, build them on the thread."""
        seeds: list[int] = []
        try:
            while not self.closed:
                if len(self.ready) > self.low_water:
                    self._waiting = True
                    self._want.clear()
                    self._want.wait()
                    self._waiting = False
                    continue
                seeds = self.queue.take_some(self.block)
                if not seeds:
                    break
                if self.closed:  # closed while waiting for them: never sent
                    self.unused(list(ranges_from_seeds(seeds)))
                    break
                self.unsent.update(seeds)
                built = pool.apply(self.build_block, (seeds, self.size))
                if self.closed:
                    break  # close reported them (they were unsent)
                self._add(seeds, built)
                seeds = []
                self._fed.set()
        except Exception as exc:
            if not self.closed:
                # not built, so never sent: report them as unused (the run goes on without them)
                unsent = self.unsent
                lost = [seed for seed in seeds if seed in unsent]
                unsent.difference_update(lost)
                self.unused(list(ranges_from_seeds(lost)))
                log.error("building import requests failed: %s: %s", type(exc).__name__, exc)
        finally:
            self._running = False
            self._fed.set()
            pool.kill()

    def _add(self, seeds: list[int], built: list[tuple[bytes, str]]) -> None:
        if len(built) != len(seeds):
            raise RuntimeError(f"build_block gave {len(built)} posts for {len(seeds)} seeds")
        make = self.requests.make
        self.ready.extend(
            make(seed, body, reference)
            for seed, (body, reference) in zip(seeds, built, strict=True)
        )

    def _taken(self) -> None:
        if self._waiting and len(self.ready) <= self.low_water:
            self._waiting = False
            self._want.set()

    def _stop(self) -> None:
        """The thread finishes its block; the pump drops it."""
        self._want.set()


class Pipeline(_Pumped):
    """Helper processes feeding ready import requests to the users of one node."""

    def __init__(self, target_path: str, size: str | None, processes: int, queue: SeedQueue):
        super().__init__(queue)
        self.target_path = target_path
        self.size = size
        self.processes = processes
        self._procs: list[subprocess.Popen[bytes]] = []
        self._pumps: set[subprocess.Popen[bytes]] = set()
        """The helpers whose pump runs."""

    def _pumping(self) -> bool:
        return bool(self._pumps)

    def start(self) -> None:
        argv = [
            sys.executable,
            "-m",
            "loadtests.prebuild_worker",
            self.target_path,
            self.size or "-",
        ]
        for _ in range(self.processes):
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
            self._procs.append(proc)
            self._pumps.add(proc)
            gevent.spawn(self._pump, proc)

    def revive(self) -> None:
        """Start the pumps of the helpers still alive again (after the queue ran out and got
        seeds again)."""
        if self.closed:
            return
        for proc in self._procs:
            if proc not in self._pumps and proc.poll() is None:
                self._pumps.add(proc)
                gevent.spawn(self._pump, proc)

    def _pump(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        _widen(fd)
        frames = 0  # frames asked for and not read yet (one per range line written)
        try:
            while not self.closed:
                while frames < AHEAD and not self.closed:
                    if len(self.ready) >= DEPTH:
                        break
                    seeds = self.queue.take(BLOCK)
                    if not seeds:
                        break
                    self.unsent.update(seeds)
                    ranges = ranges_from_seeds(seeds)
                    proc.stdin.write(b"".join(b"%d %d\n" % r for r in ranges))
                    proc.stdin.flush()
                    frames += len(ranges)
                if not frames:
                    if self.queue.exhausted or self.queue.closed:
                        break
                    gevent.sleep(0.002)
                    continue
                frames -= 1
                index_len, bodies_len = frame_sizes(_read_exact(fd, HEADER_SIZE))
                items = parse_frame(_read_exact(fd, index_len), _read_exact(fd, bodies_len))
                self.ready.extend(items)
                self._fed.set()
        except (OSError, ValueError) as exc:
            if not self.closed:
                log.error("synthesis helper failed: %s", exc)
        finally:
            self._pumps.discard(proc)
            self._fed.set()

    def _stop(self) -> None:
        """Stop the helpers."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _widen(fd: int) -> None:
    """Let the pipe hold a few whole frames (Linux; 64 KB by default): fewer reads and wake-ups
    per frame in the Locust process."""
    # another system, or above /proc/sys/fs/pipe-max-size: the default pipe works too
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)


def _read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from the (non-blocking) pipe ``fd``, waiting cooperatively."""
    chunks = []
    left = size
    while left > 0:
        chunk = nb_read(fd, left)
        if not chunk:
            raise OSError("the helper closed its output")
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
