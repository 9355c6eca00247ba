"""The Locust child process that ``anp run`` starts: ``python -m loadtests.locust_child ARGS``.

It is Locust's own ``main`` with the same arguments, with one difference: Locust's CSV files are
flushed every second instead of every few seconds, so that the wrapper's progress display (which
reads ``locust_stats_history.csv``) is live. Everything else, including gevent's monkey-patching
on ``import locust``, is Locust's.
"""

from __future__ import annotations

import locust  # noqa: F401  (first: Locust monkey-patches the process with gevent on import)
from locust import stats
from locust.main import main

FLUSH_INTERVAL_S = 1


if __name__ == "__main__":
    stats.CSV_STATS_FLUSH_INTERVAL_SEC = FLUSH_INTERVAL_S
    main()  # type: ignore[no-untyped-call]
