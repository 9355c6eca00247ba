"""Ctrl-C (SIGINT to the ``anp run`` wrapper) mid-run: a partial record marked interrupted, with
Locust's CSV files and HTML report kept beside it. With one Locust process and with a master and
two workers (``--processes 2``)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_fixtures import start_site

from loadtests.progress import latest_aggregate

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANP = str(Path(sys.executable).with_name("anp"))


@pytest.mark.parametrize("processes", ["1", "2"])
def test_sigint_mid_run_writes_an_interrupted_record_and_keeps_locust_outputs(
    tmp_path: Path, processes: str
) -> None:
    site = start_site(tmp_path)
    out = tmp_path / "runs"
    run_dir = out / "ctrl-c"
    run = subprocess.Popen(
        [
            ANP,
            "run",
            "--target",
            str(site.definition),
            "--users",
            "2",
            "--run-time",
            "60s",
            "--processes",
            processes,
            "--no-progress",
            "--out",
            str(out),
            "--run-id",
            "ctrl-c",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            row = latest_aggregate(run_dir / "locust_stats_history.csv")
            if row is not None and float(row.get("Total Request Count") or 0) > 0:
                break
            assert run.poll() is None, run.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("the load never started")
        run.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends the foreground process
        stdout, stderr = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        site.process.stop()
    assert run.returncode == 3, stdout + stderr  # interrupted = a harness failure, not a pass
    assert "Traceback" not in stderr
    record = json.loads((run_dir / "run.json").read_text())
    assert record["interrupted"] is True
    assert record["passed"] is None  # no verdict on a partial run
    assert record["totals"]["successes"] > 0
    v = record["verification"]
    assert v["performed"] and v["landed"] == v["acknowledged"] > 0
    # Locust's own outputs are kept, and the record lists them
    for name, role in [
        ("locust_stats.csv", "locust_csv_stats"),
        ("locust_stats_history.csv", "locust_csv_history"),
        ("locust_failures.csv", "locust_csv_failures"),
        ("locust.html", "locust_html"),
        ("measurements.json", "measurements"),
    ]:
        assert (run_dir / name).is_file(), name
        assert record["artifacts"].get(role) == name, (role, record["artifacts"])
    stats = (run_dir / "locust_stats.csv").read_text()
    assert "Aggregated" in stats
    assert "<html" in (run_dir / "locust.html").read_text().lower()
    assert "interrupted" in stdout
