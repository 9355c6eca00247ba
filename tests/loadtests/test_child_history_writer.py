"""The Locust child's history CSV writer (``loadtests.locust_child.HistoryOnlyCSVWriter``) and
Locust's shutdown: Locust closes the CSV files in ``shutdown()`` but never stops the writer's
greenlet. When anything after that yields to gevent's hub (``--processes``' ``kill_workers`` at
exit sleeps and waits for the workers; a stop during verification), the writer woke, wrote a row
to the closed file, and ``locust.log`` got ``CRITICAL ... Unhandled exception in greenlet ...
I/O operation on closed file``.

The runs below shorten Locust's write interval (1 s) to 5 ms in the child only, through a
``sitecustomize`` on ``PYTHONPATH``, so that the writer is due at every yield of the shutdown:
the race that hit now and then at 1 s is then hit every time: before the fix, the miniature
test and both ``--processes 2`` runs failed in each of 3 tries. The one-process runs passed
then too (their shutdown did not yield after the close in those tries; the audit saw it once
when a stop came during verification); they guard that path.
``anp run`` forwards SIGTERM to the child as SIGINT, so SIGINT covers both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from run_fixtures import start_site

from loadtests.progress import latest_aggregate

ANP = str(Path(sys.executable).with_name("anp"))
REPO = Path(__file__).resolve().parents[2]

FAST_WRITER = textwrap.dedent(
    """
    import os
    import sys

    if "loadtests.locust_child" in sys.orig_argv:  # the Locust child only, not `anp run`
        import locust  # noqa: F401  (gevent's monkey-patching first, as in the child)
        from locust import stats

        stats.CSV_STATS_INTERVAL_SEC = float(os.environ["ANP_TEST_CSV_INTERVAL_S"])
    """
)

BAD_LINES = ("Unhandled exception", "CRITICAL", "I/O operation on closed file")


def bad_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(bad in line for bad in BAD_LINES)]


def test_writer_stops_without_error_once_locust_closed_its_files(tmp_path: Path) -> None:
    """Locust's ``shutdown()`` in miniature: the writer runs, the files are closed, the hub gets
    the time of several intervals; the writer's greenlet must end without an exception, after
    writing its rows while the file was open."""
    script = textwrap.dedent(
        f"""
        import gevent
        import loadtests.locust_child as child
        from locust import stats
        from locust.env import Environment

        stats.CSV_STATS_INTERVAL_SEC = 0.01
        env = Environment()
        env.create_local_runner()
        writer = child.HistoryOnlyCSVWriter(
            env, stats.PERCENTILES_TO_REPORT, {str(tmp_path / "locust")!r}, False
        )
        greenlet = gevent.spawn(writer.stats_writer)
        gevent.sleep(0.1)
        writer.close_files()  # what Locust's shutdown() does, without killing the greenlet
        gevent.sleep(0.1)
        print("dead", greenlet.dead, "exception", repr(greenlet.exception))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dead True exception None" in proc.stdout, proc.stdout + proc.stderr
    assert "closed file" not in proc.stderr
    rows = (tmp_path / "locust_stats_history.csv").read_text().splitlines()
    assert rows[0].startswith("Timestamp,User Count")
    assert len(rows) >= 3  # the header and a row per interval while the file was open
    # the other three files are removed at once, as before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locust_stats_history.csv"]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(
    ("processes", "stop"),
    [("1", None), ("2", None), ("1", signal.SIGINT), ("2", signal.SIGINT)],
    ids=["1-process", "2-processes", "1-process-sigint", "2-processes-sigint"],
)
def test_locust_log_has_no_unhandled_greenlet_exception(
    tmp_path: Path, processes: str, stop: signal.Signals | None
) -> None:
    site = start_site(tmp_path)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAST_WRITER)
    pythonpath = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=pythonpath, ANP_TEST_CSV_INTERVAL_S="0.005")
    out = tmp_path / "runs"
    run_dir = out / "r"
    run = subprocess.Popen(
        [
            ANP,
            "run",
            *("--target", str(site.definition)),
            *("--users", "2", "--run-time", "5s" if stop is None else "30s"),
            *("--processes", processes),
            *("--max-p95-ms", "3600000"),
            "--no-progress",
            *("--out", str(out), "--run-id", "r"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        if stop is not None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                row = latest_aggregate(run_dir / "locust_stats_history.csv")
                if row is not None and float(row.get("Total Request Count") or 0) > 0:
                    break
                assert run.poll() is None, run.communicate()
                time.sleep(0.2)
            else:
                pytest.fail("the load never started")
            time.sleep(1.0)
            run.send_signal(stop)
        stdout, stderr = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        site.process.stop()
    assert run.returncode == (0 if stop is None else 3), stdout + stderr
    history = (run_dir / "locust_stats_history.csv").read_text().splitlines()
    assert len(history) > 100  # the 5 ms interval was in force: the race was exercised
    log = (run_dir / "locust.log").read_text()
    assert bad_lines(log) == [], log[-4000:]
    assert "Traceback" not in log, log[-4000:]
