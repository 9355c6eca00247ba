"""An ordered, bounded parallel map over worker processes (used by corpus writing and verifying).

Results come back in task order. At most ``2 * workers`` tasks are in flight, so memory stays flat
however many tasks there are. Workers start from a fork server (spawn where there is none) that
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
    """``func(task)`` for every task, in order; ``func`` and the tasks must be picklable."""
    if workers == 1:
        for task in tasks:
            yield func(task)
        return
    window = 2 * workers
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=pool_context(), initializer=_ignore_sigint
    )
    pending: deque[Future[R]] = deque()
    try:
        for task in tasks:
            pending.append(executor.submit(func, task))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
