"""Faults during ``anp run``: the target dies mid-run; SIGTERM reaches the wrapper mid-run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_fixtures import Site, start_site

from loadtests.progress import latest_aggregate

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONNECTION_KINDS = {"connection_refused", "connection_reset", "connection_error"}


def start_run(site: Site, out: Path, run_id: str, run_time: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anp",
            "run",
            "--target",
            str(site.definition),
            "--users",
            "2",
            "--spawn-rate",
            "2",
            "--run-time",
            run_time,
            "--no-progress",
            "--request-timeout",
            "5",
            "--out",
            str(out),
            "--run-id",
            run_id,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def wait_for_requests(run_dir: Path, process: subprocess.Popen[str], timeout_s: float = 90):
    """Wait until Locust's history shows answered requests (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = latest_aggregate(run_dir / "locust_stats_history.csv")
        if row is not None and float(row.get("Total Request Count") or 0) > 0:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    pytest.fail("the load never started")


def test_target_killed_mid_run_keeps_running_and_writes_the_record(tmp_path: Path):
    site = start_site(tmp_path)
    out = tmp_path / "runs"
    run = start_run(site, out, "killed", "8s")
    try:
        wait_for_requests(out / "killed", run)
        site.process.kill()  # the site dies abruptly (SIGKILL by its PID)
        stdout, stderr = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
        site.process.stop()
    assert run.returncode == 3, stdout + stderr  # verification cannot reach the target
    record = json.loads((out / "killed" / "run.json").read_text())
    assert record["interrupted"] is False  # the load ran to its end
    assert record["timing"]["duration_s"] >= 7
    kinds = set(record["errors"])
    assert kinds & CONNECTION_KINDS, record["errors"]
    assert record["totals"]["successes"] > 0 and record["totals"]["failures"] > 0
    assert record["verification"]["error"] is not None
    assert "HARNESS OR TARGET FAILURE (exit 3)" in stdout


def test_sigterm_writes_an_interrupted_record_and_keeps_earlier_files(tmp_path: Path):
    site = start_site(tmp_path)
    out = tmp_path / "runs"
    earlier = out / "earlier-run"
    earlier.mkdir(parents=True)
    (earlier / "run.json").write_text('{"earlier": true}')
    run = start_run(site, out, "stopped", "60s")
    try:
        wait_for_requests(out / "stopped", run)
        run.send_signal(signal.SIGTERM)  # to the anp run wrapper's PID only
        stdout, stderr = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
        site.process.stop()
    assert run.returncode == 3, stdout + stderr
    run_dir = out / "stopped"
    record = json.loads((run_dir / "run.json").read_text())
    assert record["interrupted"] is True
    assert record["timing"]["duration_s"] < 60  # the load stopped before its 60 s run time
    v = record["verification"]
    assert v["performed"] and v["landed"] == v["acknowledged"] > 0
    assert (run_dir / "measurements.json").is_file()
    assert (run_dir / "locust_stats.csv").is_file()
    assert (earlier / "run.json").read_text() == '{"earlier": true}'
    assert "interrupted" in stdout
