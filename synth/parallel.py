"""An ordered, bounded parallel map over worker processes (used by corpus writing and verifying).

Results come back in task order. At most ``2 * workers`` tasks are in flight, so memory stays flat
however many tasks there are. The calling process takes every N-th task itself. Workers start from a fork server (spawn where there is none) that
has the synthesizer already imported; they ignore Ctrl-C, which the parent handles by cancelling
the pending tasks. ``workers=1`` runs everything in the calling process.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
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


def ordered_map(
    func: Callable[[T], R], tasks: Iterable[T], workers: int
) -> Generator[R, None, None]:
    """``func(task)`` for every task, in order; ``func`` and the tasks must be picklable.

    With ``workers`` = N, the calling process is one of the N: every N-th task runs here and the
    others go to N-1 worker processes, so no core sits idle waiting and the fork server's start-up
    overlaps with useful work.
    """
    if workers == 1:
        for task in tasks:
            yield func(task)
        return
    window = 2 * workers
    executor = ProcessPoolExecutor(
        max_workers=workers - 1, mp_context=pool_context(), initializer=_ignore_sigint
    )
    pending: deque[tuple[Future[R] | None, T | None]] = deque()

    def take() -> R:
        future, task = pending.popleft()
        if future is None:
            return func(task)  # type: ignore[arg-type]
        return future.result()

    try:
        for index, task in enumerate(tasks):
            if index % workers == 0:
                pending.append((None, task))
            else:
                pending.append((executor.submit(func, task), None))
            if len(pending) >= window:
                yield take()
        while pending:
            yield take()
    finally:
        for future, _ in pending:
            if future is not None:
                future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
