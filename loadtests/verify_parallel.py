"""Verification spread over several worker processes, for runs with many posts.

Reading a post back costs the harness far more CPU than the site (synthesizing the expected post,
parsing and comparing the stored one), so a large verification is split into contiguous slices
of seeds, each verified by ``python -P -m loadtests.verify_worker`` in its own process (``-P``:
a ``results/`` or ``synth/`` folder in the current directory must not shadow our packages), and the
results are summed. Counts are identical to a single-process verification, and the reference
lists keep ascending seed order (slices are merged in order, each list capped as usual).

The workers are plain subprocesses, so this also works from inside the Locust master under
gevent. A worker that fails has its slice verified again in this process, within what is left
of the bound. The bound (``deadline_s`` from ``started``) is the workers' too (they get the
start as a wall-clock time); a stop request (``stop()``, a Ctrl-C) or a worker still running
well past the bound ends the workers by their PIDs, and their slices count as not checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loadtests.local_site import child_env, python_module
from loadtests.verify import MAX_LISTED_REFS, VERIFY_DEADLINE_S, subtract_ranges, verify_posts
from results import Verification
from synth import SeedRanges, count_seeds, merge_ranges, seed_at
from targets.base import Target
from targets.transport import Sender

WORKER_GRACE_S = 30.0
"""How long past the bound a worker may take to write its result before it is killed (its own
reads end at the bound; this covers starting, a last request and the write)."""
PARALLEL_MIN_POSTS = 50_000
"""Below this many posts to read, one process is faster than starting workers."""
PARALLEL_MIN_CPUS = 4
"""With fewer CPUs the site and the load generator already compete for them: on a 2-core
machine, 2 workers verified 8,000 posts 0.64x to 1.14x as fast as one process (measured under
other load), so one process is used there."""


def worker_count(posts: int, cpu_count: int | None = None) -> int:
    """How many worker processes to use for ``posts`` posts (1 = verify in this process)."""
    cpus = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    if posts < PARALLEL_MIN_POSTS or cpus < PARALLEL_MIN_CPUS:
        return 1
    return max(1, min(cpus, 4, posts // (PARALLEL_MIN_POSTS // 2)))


def split_ranges(ranges: SeedRanges, parts: int) -> list[SeedRanges]:
    """Cut ``ranges`` into at most ``parts`` contiguous slices of nearly equal seed counts."""
    total = count_seeds(ranges)
    if total == 0:
        return []
    parts = max(1, min(parts, total))
    slices: list[SeedRanges] = []
    start = 0
    for index in range(parts):
        end = total * (index + 1) // parts  # exclusive, in seed positions
        first, last = seed_at(ranges, start), seed_at(ranges, end - 1)
        slices.append(_within(ranges, first, last))
        start = end
    return slices


def _within(ranges: SeedRanges, first: int, last: int) -> SeedRanges:
    return merge_ranges(
        (max(a, first), min(b, last)) for a, b in ranges if b >= first and a <= last
    )


def merge_verifications(parts: list[Verification], duration_s: float) -> Verification:
    """The sum of slice results, as if one process had verified them all in order."""

    def refs(name: str) -> list[str]:
        out: list[str] = []
        for part in parts:
            out.extend(getattr(part, name))
        return out[:MAX_LISTED_REFS]

    errors = [p.error for p in parts if p.error]
    return Verification(
        performed=True,
        acknowledged=sum(p.acknowledged for p in parts),
        landed=sum(p.landed for p in parts),
        missing=sum(p.missing for p in parts),
        duplicates=sum(p.duplicates for p in parts),
        corrupted=sum(p.corrupted for p in parts),
        landed_unacknowledged=sum(p.landed_unacknowledged for p in parts),
        missing_refs=refs("missing_refs"),
        duplicate_refs=refs("duplicate_refs"),
        corrupted_refs=refs("corrupted_refs"),
        unacknowledged_refs=refs("unacknowledged_refs"),
        duration_s=round(duration_s, 3),
        error="; ".join(errors) or None,
    )


def verify_in_processes(
    definition: str,
    target: Target,
    *,
    acknowledged: SeedRanges,
    sent: SeedRanges = (),
    size: str | None = None,
    workers: int,
    deadline_s: float = VERIFY_DEADLINE_S,
    started: float | None = None,
    stop: Callable[[], bool] | None = None,
) -> Verification:
    """Verify in ``workers`` processes, each building its adapter from the ``definition`` file."""
    started = time.monotonic() if started is None else started
    started_wall = time.time() - (time.monotonic() - started)
    acknowledged = merge_ranges(acknowledged)
    unacknowledged = subtract_ranges(merge_ranges(sent), acknowledged)
    ack_slices = _pad(split_ranges(acknowledged, workers), workers)
    unack_slices = _pad(split_ranges(unacknowledged, workers), workers)
    jobs = [(a, u) for a, u in zip(ack_slices, unack_slices, strict=True) if a or u]
    with tempfile.TemporaryDirectory(prefix="anp-verify-") as temp:
        running = []
        for index, (ack, unack) in enumerate(jobs):
            out = Path(temp) / f"part-{index}.json"
            job = {
                "definition": definition,
                "acknowledged": ack,
                "sent": merge_ranges((*ack, *unack)),
                "size": size,
                "deadline_s": deadline_s,
                "started_wall": started_wall,
                "out": str(out),
            }
            job_file = Path(temp) / f"job-{index}.json"
            job_file.write_text(json.dumps(job), encoding="utf-8")
            with open(Path(temp) / f"part-{index}.log", "wb") as log:
                process = subprocess.Popen(
                    [*python_module("loadtests.verify_worker"), str(job_file)],
                    stdin=subprocess.DEVNULL,
                    env=child_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            running.append((process, out, ack, unack))
        stopped = _wait_all([r[0] for r in running], started + deadline_s + WORKER_GRACE_S, stop)
        parts = []
        for _process, out, ack, unack in running:
            try:
                parts.append(Verification.model_validate_json(out.read_bytes()))
                continue
            except (OSError, ValueError):
                pass
            if stopped or time.monotonic() >= started + deadline_s:
                parts.append(_not_checked(ack, unack, deadline_s, stopped))
                continue
            with Sender(target.base_url, getattr(target, "timeouts", None)) as sender:
                # the worker failed: verify its slice here, within what is left of the bound
                parts.append(
                    verify_posts(
                        target,
                        sender,
                        acknowledged=ack,
                        sent=merge_ranges((*ack, *unack)),
                        size=size,
                        deadline_s=deadline_s,
                        started=started,
                        stop=stop,
                    )
                )
    return merge_verifications(parts, time.monotonic() - started)


def _wait_all(
    processes: list[subprocess.Popen[bytes]], kill_at: float, stop: Callable[[], bool] | None
) -> bool:
    """Wait for the workers; kill those left at ``kill_at`` or on a stop request (by PID).
    True when stopped by the request."""
    stopped = False
    while any(p.poll() is None for p in processes):
        if stop is not None and stop():
            stopped = True
            break
        if time.monotonic() >= kill_at:
            break
        time.sleep(0.1)
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    return stopped


def _not_checked(
    ack: SeedRanges, unack: SeedRanges, deadline_s: float, stopped: bool
) -> Verification:
    """A slice whose worker was ended before it wrote its result: nothing of it is counted."""
    seeds = count_seeds(ack) + count_seeds(unack)
    why = (
        "verification was interrupted (Ctrl-C or SIGTERM)"
        if stopped
        else f"verification stopped at its {deadline_s:g} s bound (anp run --verify-timeout, "
        "anp verify --timeout)"
    )
    return Verification(
        performed=True,
        acknowledged=count_seeds(ack),
        error=f"{why} before {seeds} seeds of a worker's slice were checked; `anp verify` "
        "finishes it (retrying is safe)",
    )


def _pad(slices: list[SeedRanges], count: int) -> list[SeedRanges]:
    return slices + [()] * (count - len(slices))
