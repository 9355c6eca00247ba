"""The Locust child process that ``anp run`` starts: ``python -m loadtests.locust_child ARGS``.

It is Locust's own ``main`` with the same arguments, with one difference in what ``--csv`` does:
Locust's CSV writer appends to ``locust_stats_history.csv`` every second, flushed each time (the
wrapper's progress display reads it), and does not write the stats, failures and exceptions
files at all (it removes the empty ones it opens). Those are written once, at the end of the
load, by ``loadtests.locust_outputs``: Locust's writer rewrites them every second and never at
the very end, so they missed the last requests. Everything else, including gevent's
monkey-patching on ``import locust``, is Locust's.

Signals during the read-back after the load (``loadtests.finalize``, which marks that time with
``loadtests.verify_stop.busy``): a Ctrl-C (SIGINT, what ``anp run`` forwards) or a SIGTERM asks
the verification to stop (``verify_stop.request_stop``) instead of quitting Locust under it;
the verification then returns at once, marked incomplete, the record is written, and Locust
ends as after a complete run. Before and after that time a SIGINT does what the locustfile's
handler does (``loadtests.hooks``: Locust's main greenlet gets the KeyboardInterrupt). Should
Locust's main still end while the record is being made (its own SIGTERM handler quits at once),
this process waits for the record (at most ``RECORD_WAIT_S``) before it exits, with the
record's exit code.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType
from typing import Any

import locust  # noqa: F401  (first: Locust monkey-patches the process with gevent on import)
from locust import stats
from locust.main import main

from loadtests import verify_stop

RECORD_WAIT_S = 15.0
"""How long the process waits, once Locust's main has ended, for a record being written."""


class HistoryOnlyCSVWriter(stats.StatsCSVFileWriter):
    """Locust's CSV file writer that keeps the history file only (a row a second, flushed at
    once). Locust opens all four files; the other three are closed and removed at once (``anp
    run``'s run folder is new, so they were just created empty), so that a child that dies
    before the end leaves no empty stats file behind."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for handle in (
            self.requests_csv_filehandle,
            self.failures_csv_filehandle,
            self.exceptions_csv_filehandle,
        ):
            handle.close()
            os.remove(handle.name)

    def stats_writer(self) -> None:
        import gevent

        self.stats_history_csv_writer.writerow(self.stats_history_csv_columns)
        while not self.stats_history_csv_filehandle.closed:  # closed by Locust's shutdown
            self._stats_history_data_rows(self.stats_history_csv_writer, time.time())
            self.stats_history_flush()
            gevent.sleep(stats.CSV_STATS_INTERVAL_SEC)


_MAIN_PID = os.getpid()
"""This process; the workers that ``--processes`` forks from it have other PIDs."""


def on_sigint(signum: int, frame: FrameType | None) -> None:
    """Stop the verification under way; otherwise Ctrl-C as the locustfile handles it (a
    worker forked by ``--processes`` keeps Python's default: a KeyboardInterrupt)."""
    if verify_stop.in_progress():
        verify_stop.request_stop()
        return
    if os.getpid() != _MAIN_PID:
        signal.default_int_handler(signum, frame)
    import gevent

    hub = gevent.get_hub()
    hub.loop.run_callback(hub.parent.throw, KeyboardInterrupt)


def on_sigterm() -> None:
    if verify_stop.in_progress():
        verify_stop.request_stop()


def run() -> int | str | None:
    """Locust's main with the handlers above; the process's exit code."""
    import gevent

    stats.StatsCSVFileWriter = HistoryOnlyCSVWriter  # type: ignore[misc]
    signal.signal(signal.SIGINT, on_sigint)  # the locustfile's SIGINT handler calls this one
    gevent.signal_handler(signal.SIGTERM, on_sigterm)  # beside Locust's own
    try:
        main()  # type: ignore[no-untyped-call]
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if verify_stop.in_progress():  # Locust quit while the record was being made
        verify_stop.request_stop()
        if verify_stop.wait_idle(RECORD_WAIT_S):
            from loadtests.node import NODE

            env = getattr(NODE, "env", None)
            record_code = getattr(env, "process_exit_code", None)
            if record_code is not None:
                code = record_code
    return code


if __name__ == "__main__":
    sys.exit(run())
