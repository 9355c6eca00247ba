"""Locust's own outputs (``locust_stats.csv``, ``locust_failures.csv``, ``locust_exceptions.csv``
and the HTML report), written once at the end of the load, from the same requests the record
counts.

Left to itself Locust writes them at moments that miss requests: its CSV writer rewrites the
files every second and never once more at the end (up to a second, or a whole short run,
missing); its HTML report is written after the main greenlet ends, which on Ctrl-C is before the
harness drains the requests in flight, and on a master possibly before the workers' last stats
reports (sent every 3 s, and once more on Locust's ``quit``, after the harness's end) arrive.

Here they are written by the coordinator in ``loadtests.artifacts.write_outputs``, after the
drain, when Locust's counts are the record's:

* local runner: Locust counts a request when it is answered, so after the drain they are final;
* master: every worker that sent its final harness report (``anp_final``) is asked to send its
  Locust stats once more (``anp_send_stats``); it fires Locust's ``report_to_master`` and sends
  the ``stats`` message exactly as Locust's own periodic report does, then ``anp_stats_sent``.
  Messages from one worker arrive in order, so once that arrives its stats are merged. A worker
  that leaves mid-run sends the same pair when it quits, after its drain.

The files go where Locust would put them (``--csv PREFIX``, ``--html FILE``), or into the run
folder when those options were not given. ``--html`` is taken over at ``init`` (Locust's own
write is switched off) so that the report is written once; Locust's ``--csv`` writer may keep
its files open, and the atomic replace leaves its later writes in the replaced file.

Locust is imported inside the functions: importing this module (``loadtests.artifacts`` does)
must not monkey-patch the process with gevent.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent

from loadtests.atomic_files import write_bytes_atomic

log = logging.getLogger("loadtests")

SEND_STATS = "anp_send_stats"
"""master -> worker: send your Locust stats now (the worker has drained)."""
STATS_SENT = "anp_stats_sent"
"""worker -> master, right after a ``stats`` message: everything counted so far was sent."""
WAIT_S = 5.0
"""How long the master waits for the workers' last stats reports."""
CSV_SUFFIXES = ("_stats.csv", "_failures.csv", "_exceptions.csv")


@dataclass
class _State:
    html_file: str | None = None
    """``--html`` as given, taken over from Locust at ``init``."""
    stats_sent: set[str] = field(default_factory=set)
    """Workers whose last Locust stats reached the master in this test."""


STATE = _State()


def install(events: Any) -> None:
    """Attach the handlers. Call it before ``loadtests.hooks`` attaches its own: Locust fires
    ``quitting`` in reverse order, and a quitting worker must send its stats after its drain."""
    events.init.add_listener(_on_init)
    events.test_start.add_listener(_on_test_start)
    events.quitting.add_listener(_on_quitting)


def _on_init(environment: Any, runner: Any = None, **_: Any) -> None:
    from locust.runners import MasterRunner, WorkerRunner

    if isinstance(runner, WorkerRunner):
        runner.register_message(SEND_STATS, _on_send_stats)
        return
    if isinstance(runner, MasterRunner):
        runner.register_message(STATS_SENT, _on_stats_sent)
    parsed = environment.parsed_options
    if parsed is not None and getattr(parsed, "html_file", None):
        STATE.html_file = str(parsed.html_file)
        parsed.html_file = None  # Locust's main writes it only when set


def _on_test_start(environment: Any, **_: Any) -> None:
    from locust.runners import WorkerRunner

    if not isinstance(environment.runner, WorkerRunner):
        STATE.stats_sent = set()


def _on_stats_sent(environment: Any, msg: Any, **_: Any) -> None:
    STATE.stats_sent.add(str(msg.node_id))


def _on_send_stats(environment: Any, msg: Any = None, **_: Any) -> None:
    send_stats(environment)


def _on_quitting(environment: Any, **_: Any) -> None:
    from locust.runners import STATE_RUNNING, STATE_SPAWNING, WorkerRunner

    runner = environment.runner
    if isinstance(runner, WorkerRunner) and runner.state in (STATE_RUNNING, STATE_SPAWNING):
        send_stats(environment)  # leaving mid-run: the master cannot ask later


def send_stats(environment: Any) -> None:
    """Worker: send Locust's stats report now (as its periodic report does), then say so."""
    runner = environment.runner
    data: dict[str, Any] = {}
    environment.events.report_to_master.fire(client_id=runner.client_id, data=data)
    runner.send_message("stats", data)
    runner.send_message(STATS_SENT, {})


def collect_worker_stats(environment: Any, workers: Iterable[str], timeout: float = WAIT_S) -> bool:
    """Master: have every one of ``workers`` (drained) send its last Locust stats and wait until
    they are merged (bounded by ``timeout``). True when every one arrived; always True on other
    runners."""
    from locust.runners import MasterRunner

    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        return True
    asked = set(workers) - STATE.stats_sent
    for worker in sorted(asked):
        runner.send_message(SEND_STATS, {}, client_id=worker)
    if asked and not can_wait_for_messages(runner):
        log.warning("Locust's report files may miss the last stats of workers %s", sorted(asked))
        return False
    deadline = time.monotonic() + timeout
    while not asked <= STATE.stats_sent and time.monotonic() < deadline:
        gevent.sleep(0.01)
    missing = asked - STATE.stats_sent
    if missing:
        log.warning(
            "no last stats report from workers %s within %.0f s; Locust's report files miss "
            "their last seconds",
            sorted(missing),
            timeout,
        )
    return not missing


def can_wait_for_messages(runner: Any) -> bool:
    """Whether the master's current greenlet may wait for workers' messages: not when it is one
    of Locust's own greenlets (``runner.greenlet``: its message loop, when its last worker quit;
    its heartbeat, when its last worker went missing), except the shape's. A shape ends the
    test from its own greenlet (``shape_worker`` calls ``quit`` or ``stop``), in that group too,
    while the message loop runs on: the workers' last stats arrive as after ``--run-time``."""
    current = gevent.getcurrent()
    return current not in runner.greenlet or current is runner.shape_greenlet


def _csv_bytes(write: Callable[[Any], None]) -> bytes:
    buffer = io.StringIO()
    write(csv.writer(buffer))
    return buffer.getvalue().encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)


def csv_paths(environment: Any, folder: Path) -> tuple[Path, Path, Path]:
    """Where the stats, failures and exceptions CSV files go: ``--csv``'s prefix, else the
    run folder's ``locust_*.csv``."""
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    base = str(prefix) if prefix else str(folder / "locust")
    stats, failures, exceptions = (Path(base + suffix) for suffix in CSV_SUFFIXES)
    return stats, failures, exceptions


def html_path(environment: Any, folder: Path) -> Path:
    """Where the HTML report goes: ``--html`` (with Locust's ``{u}``, ``{r}``, ``{t}``
    filled in), else the run folder's ``locust.html``."""
    parsed = environment.parsed_options
    given = STATE.html_file or getattr(parsed, "html_file", None)
    if not given:
        return folder / "locust.html"
    from locust.html import process_html_filename

    names = SimpleNamespace(
        html_file=str(given),
        num_users=getattr(parsed, "num_users", None),
        spawn_rate=getattr(parsed, "spawn_rate", None),
        run_time=getattr(parsed, "run_time", None),
    )
    process_html_filename(names)
    return Path(names.html_file)


def write_reports(environment: Any, folder: Path, workers: Iterable[str] = ()) -> None:
    """Locust's CSV files and HTML report, from its stats once every worker's last report is
    in (``workers``: the workers that drained; see the module docstring)."""
    from locust.html import get_html_report
    from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

    collect_worker_stats(environment, workers)
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    stats, failures, exceptions = csv_paths(environment, folder)
    _write(stats, _csv_bytes(writer.requests_csv))
    _write(failures, _csv_bytes(writer.failures_csv))
    _write(exceptions, _csv_bytes(writer.exceptions_csv))
    html = get_html_report(environment, show_download_link=False)  # type: ignore[no-untyped-call]
    _write(html_path(environment, folder), html.encode("utf-8"))
