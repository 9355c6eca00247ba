"""The Locust child process that ``anp run`` starts: ``python -m loadtests.locust_child ARGS``.

It is Locust's own ``main`` with the same arguments, with one difference in what ``--csv`` does:
Locust's CSV writer appends to ``locust_stats_history.csv`` every second, flushed each time (the
wrapper's progress display reads it), and does not write the stats, failures and exceptions
files at all (it removes the empty ones it opens). Those are written once, at the end of the
load, by ``loadtests.locust_outputs``: Locust's writer rewrites them every second and never at
the very end, so they missed the last requests. Everything else, including gevent's
monkey-patching on ``import locust``, is Locust's.
"""

from __future__ import annotations

import os
import time
from typing import Any

import locust  # noqa: F401  (first: Locust monkey-patches the process with gevent on import)
from locust import stats
from locust.main import main


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


if __name__ == "__main__":
    stats.StatsCSVFileWriter = HistoryOnlyCSVWriter  # type: ignore[misc]
    main()  # type: ignore[no-untyped-call]
