"""An ordered, bounded parallel map over worker threads and processes (used by corpus writing and
verifying).

Results come back in task order. At most ``2 * workers`` results are held, so memory stays flat
however many tasks there are. Of the ``workers``, ``threads`` run in the calling process: the
calling thread itself (it runs the next task whenever the oldest result is not ready, see
``ordered_map``) and ``threads - 1`` helper threads; the rest are worker processes. Threads suit
tasks that spend most of their time outside the GIL (zlib compression): they cost nothing to
start and their results are not pickled. Worker processes start from a fork server (spawn where
there is none) that has the synthesizer already imported; they ignore Ctrl-C and SIGTERM, which
the parent handles by cancelling the pending tasks, and exit by themselves when the parent dies
(SIGKILL). ``workers=1`` runs everything in the calling thread.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _init_worker(parent: int) -> None:
    """Worker processes ignore Ctrl-C and SIGTERM (the parent handles both by cancelling the
    pending tasks, then the workers exit), exit when ``parent`` (the process that started the
    pool) dies, and keep their freed heap.

    Both reach the workers when the whole process group is signalled (Ctrl-C in a terminal,
    ``timeout``, a service manager). A worker killed by SIGTERM while sending a result left the
    pool's manager thread waiting for the rest of it forever, so the parent hung in the pool's
    shutdown with its temp files in place. The fork server ignores SIGTERM too, else the pool
    takes its death for the workers' and leaves them running (see :mod:`synth._forkserver_init`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _exit_with(parent)
    _keep_freed_heap()


def _exit_with(parent: int) -> None:
    """Exit this worker as soon as process ``parent`` is gone.

    A parent killed with SIGKILL cannot shut its pool down. Its workers then waited for tasks
    forever, and they kept the fork server alive, because each holds the fork server's "alive"
    pipe. A daemon thread waits on a pidfd of the parent (Linux 5.3+; it refers to that process,
    so a reused PID cannot fool it), else polls the PID every 0.5 s."""
    try:
        fd: int | None = os.pidfd_open(parent)
    except (AttributeError, OSError):  # not Linux, an old kernel, or already gone
        fd = None
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])  # readable once the process has exited
        else:
            while True:
                time.sleep(0.5)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    continue
        os._exit(1)

    threading.Thread(target=watch, name="anp-exit-with-parent", daemon=True).start()


def _keep_freed_heap() -> None:
    """Stop glibc from handing a worker's freed heap back to the kernel after every task.

    A worker frees all of a task's memory before it takes the next one (its result has been
    pickled and sent), so glibc trimmed the top of the heap each time and the next task
    page-faulted the same megabytes in again: measured with 256-post jsonl.gz chunks, about 650-800
    minor faults and 1.5-1.8 ms of system time per 16 ms chunk in the worker, against 13-30 in the
    calling process. Fixed thresholds (trim above 64 MiB, mmap above 32 MiB) keep the memory for
    the next task; the worker's heap still only grows to its largest task. No-op off glibc.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    mallopt(m_trim_threshold, 64 << 20)
    mallopt(m_mmap_threshold, 32 << 20)


def pool_context() -> multiprocessing.context.BaseContext:
    """A fork server context preloaded with the synthesizer (spawn where there is no fork server):
    never plain fork, which would copy the parent's threads and locks. The fork server ignores
    SIGTERM, as its workers do (see :mod:`synth._forkserver_init`)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["synth._forkserver_init", "synth.corpus", "synth.generate", "synth.formats"]
    )
    return context


def _start(executor: ProcessPoolExecutor, failed: list[BaseException]) -> None:
    """Start the worker processes (the first submit waits for the fork server to import the
    synthesizer and fork, about 0.15 s) and wait until one has run a task."""
    try:
        executor.submit(int).result()
    except BaseException as exc:  # surfaced by ordered_map in the calling thread
        failed.append(exc)


class _Helpers:
    """One executor (helper threads or worker processes) and how many tasks it may hold."""

    def __init__(
        self, executor: Executor, depth: int, starter: threading.Thread | None = None
    ) -> None:
        self.executor = executor
        self.depth = depth  # two queued per helper, so none waits for the calling thread
        self.starter = starter  # worker processes: the thread that waits for them to start

    def ready(self) -> bool:
        return self.starter is None or not self.starter.is_alive()


def ordered_map(
    func: Callable[[T], R], tasks: Iterable[T], workers: int, *, threads: int = 1
) -> Generator[R, None, None]:
    """``func(task)`` for every task, in order; with worker processes ``func`` and the tasks must
    be picklable.

    With ``workers`` = N and ``threads`` = K (1 <= K <= N), the calling thread is one of the N,
    K - 1 helper threads and N - K worker processes are kept busy with the next tasks (two queued
    per helper), and whenever the oldest result is not ready yet the calling thread runs the
    next task itself instead of waiting. So no core sits idle while the processes start (the
    calling process works alone until they are up) or when one side is slower (it simply takes
    fewer tasks). At most ``2 * N`` results are held, whoever made them. Which thread or process
    runs a task never changes its result, so the output is the same for any N and K.
    """
    if not 1 <= threads <= workers:
        raise ValueError(f"threads must be in 1..workers={workers}, got {threads}")
    if workers == 1:
        for task in tasks:
            yield func(task)
        return
    window = 2 * workers
    helpers: list[_Helpers] = []
    if threads > 1:
        helpers.append(_Helpers(ThreadPoolExecutor(threads - 1), 2 * (threads - 1)))
    failed: list[BaseException] = []
    if workers > threads:
        executor = ProcessPoolExecutor(
            max_workers=workers - threads,
            mp_context=pool_context(),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        starter = threading.Thread(target=_start, args=(executor, failed), daemon=True)
        starter.start()
        helpers.append(_Helpers(executor, 2 * (workers - threads), starter))
    remaining = iter(tasks)
    exhausted = False
    # Results in task order: (a helper's future, the helper, None) or (None, None, the result of a
    # task run here).
    pending: deque[tuple[Future[R] | None, _Helpers | None, R | None]] = deque()

    def next_task() -> list[T]:
        """``[the next task]``, or ``[]`` when there is none left."""
        nonlocal exhausted
        for task in remaining:
            return [task]
        exhausted = True
        return []

    try:
        while True:
            for helper in helpers:  # keep the helpers fed
                if not helper.ready():
                    continue
                if failed:  # the worker processes could not start
                    raise failed[0]
                running = sum(
                    1 for f, h, _ in pending if h is helper and f is not None and not f.done()
                )
                while not exhausted and running < helper.depth and len(pending) < window:
                    for task in next_task():
                        pending.append((helper.executor.submit(func, task), helper, None))
                        running += 1
            if pending:
                future, _, result = pending[0]
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
                        pending.append((None, None, result))
                    else:
                        yield result
                continue
            head = pending[0][0]
            assert head is not None  # a result made here would have been yielded above
            wait([head], return_when=FIRST_COMPLETED)
    finally:
        for future, _, _ in pending:
            if future is not None:
                future.cancel()
        for helper in helpers:
            helper.executor.shutdown(wait=True, cancel_futures=True)
            if helper.starter is not None:
                helper.starter.join()
