"""The live progress display of ``anp run``: elapsed time against the run time, and the latest
aggregate row that Locust writes every second to ``locust_stats_history.csv``. The clock starts
with Locust's first row, so the start-up of the child is not counted as load time.

It only reads that file; a missing or half-written row is skipped until the next refresh. When
standard error is not a terminal (a CI log), nothing is drawn.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as _RichProgress

HISTORY_NAME = "locust_stats_history.csv"


def status_console() -> Console:
    """The console of the one-line status messages on standard error. Off a terminal (a CI log,
    a pipe) a line is never wrapped, so each message stays one greppable line."""
    console = Console(stderr=True)
    if console.is_terminal:
        return console
    return Console(stderr=True, soft_wrap=True, highlight=False)


def latest_aggregate(history: Path) -> dict[str, str] | None:
    """The last complete ``Aggregated`` row of Locust's stats history, or None."""
    try:
        data = history.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace")
    if not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    last: dict[str, str] | None = None
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("Name") == "Aggregated":
            last = row
    return last


def describe(row: dict[str, str] | None) -> str:
    """One line: users, requests, failures, current requests/s."""
    if row is None:
        return "starting Locust..."

    def num(key: str) -> float:
        try:
            return float(row.get(key) or 0)
        except ValueError:
            return 0.0

    return (
        f"{num('User Count'):.0f} users  {num('Total Request Count'):.0f} requests  "
        f"{num('Total Failure Count'):.0f} failures  {num('Requests/s'):.1f} req/s"
    )


class Progress:
    """A context manager; call ``update()`` now and then while the child runs."""

    def __init__(self, run_dir: Path, run_time_s: float, *, enabled: bool = True) -> None:
        self.history = run_dir / HISTORY_NAME
        self.run_time_s = max(run_time_s, 1.0)
        console = Console(stderr=True)
        self.enabled = enabled and console.is_terminal  # a log file gets no half-drawn bar
        self.started = time.monotonic()
        self._bar = _RichProgress(
            TextColumn("[bold]load[/bold]"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[stats]}"),
            console=console,
            transient=False,
            disable=not self.enabled,
        )
        self._task = self._bar.add_task("load", total=self.run_time_s, stats="starting Locust...")

    def update(self) -> None:
        row = latest_aggregate(self.history)
        if row is None:  # Locust is still starting: the load's clock has not started
            self.started = time.monotonic()
        elapsed = min(time.monotonic() - self.started, self.run_time_s)
        stats = describe(row)
        if elapsed >= self.run_time_s:
            stats += "  (verifying and writing the record...)"
        self._bar.update(self._task, completed=elapsed, stats=stats)

    def __enter__(self) -> Progress:
        self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.update()
        self._bar.stop()
