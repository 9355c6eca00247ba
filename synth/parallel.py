"""An ordered, bounded parallel map over worker processes (used by corpus writing and verifying).

Results come back in task order. At most ``4 * workers`` results are held, so memory stays flat
however many tasks there are. The calling process works too: it runs the next task itself
whenever the oldest result is not ready (see ``ordered_map``). Workers start from a fork server
(spawn where there is none) that has the synthesizer already imported; they ignore Ctrl-C, which
the parent handles by cancelling the pending tasks. ``workers=1`` runs everything in the calling
process.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def pool_context() -> multiprocessing.context.BaseContext:
    """A fork server context preloaded with the synthesizer (spawn where there is no fork server):
    never plain fork, which would copy the parent's threads and locks."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["synth.corpus", "synth.generate", "synth.formats"])
    return context


def _start(executor: ProcessPoolExecutor, failed: list[BaseException]) -> None:
    """Start the worker processes (the first submit waits for the fork server to import the
    synthesizer and fork, about 0.15 s) and wait until one has run a task."""
    try:
        executor.submit(int).result()
    except BaseException as exc:  # surfaced by ordered_map in the calling thread
        failed.append(exc)


def ordered_map(
    func: Callable[[T], R], tasks: Iterable[T], workers: int
) -> Generator[R, None, None]:
    """``func(task)`` for every task, in order; ``func`` and the tasks must be picklable.

    With ``workers`` = N, the calling process is one of the N: N-1 worker processes are kept busy
    with the next tasks (two queued per worker), and whenever the oldest result is not ready yet
    the calling process runs the next task itself instead of waiting. So no core sits idle while
    the workers start (the calling process works alone until they are up) or when one side is
    slower (it simply takes fewer tasks). At most ``4 * N`` results are held, whoever made them.
    Which process runs a task never changes its result, so the output is the same for any N.
    """
    if workers == 1:
        for task in tasks:
            yield func(task)
        return
    window = 2 * workers
    depth = 2 * (workers - 1)
    executor = ProcessPoolExecutor(
        max_workers=workers - 1, mp_context=pool_context(), initializer=_ignore_sigint
    )
    failed: list[BaseException] = []
    starter = threading.Thread(target=_start, args=(executor, failed), daemon=True)
    starter.start()
    started = False
    remaining = iter(tasks)
    exhausted = False
    # Results in task order: a future of a worker, or (None, result) of a task run here.
    pending: deque[tuple[Future[R] | None, R | None]] = deque()

    def next_task() -> list[T]:
        """``[the next task]``, or ``[]`` when there is none left."""
        nonlocal exhausted
        for task in remaining:
            return [task]
        exhausted = True
        return []

    try:
        while True:
            if not started and not starter.is_alive():
                started = True
                if failed:
                    raise failed[0]
            if started:  # keep the workers fed
                running = sum(1 for f, _ in pending if f is not None and not f.done())
                while not exhausted and running < depth and len(pending) < window:
                    for task in next_task():
                        pending.append((executor.submit(func, task), None))
                        running += 1
            if pending:
                future, result = pending[0]
                if future is None or future.done():
                    pending.popleft()
                    yield result if future is None else future.result()  # type: ignore[misc]
                    continue
            elif exhausted:
                return
            if not exhausted and len(pending) < window:  # rather than wait: work here
                for task in next_task():
                    result = func(task)
                    if pending:
                        pending.append((None, result))
                    else:
                        yield result
                continue
            head = pending[0][0]
            assert head is not None  # a result made here would have been yielded above
            wait([head], return_when=FIRST_COMPLETED)
    finally:
        for future, _ in pending:
            if future is not None:
                future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
        starter.join()
