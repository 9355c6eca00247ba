"""Runs stop when their bound is reached: idle users do not hold Locust for --stop-timeout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from run_fixtures import Site, reference_site

__all__ = ["reference_site"]

STUCK = "Not all users finished their tasks"


def anp_run(site: Site, out: Path, run_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "anp",
            "run",
            "--target",
            str(site.definition),
            "--scenario",
            "import",
            "--users",
            "4",
            "--spawn-rate",
            "4",
            "--no-progress",
            "--out",
            str(out),
            "--run-id",
            run_id,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(
    ("run_id", "args"),
    [
        ("time-bound", ("--run-time", "3s")),
        # 40 seeds for 4 users: the queue runs dry long before the run time, users go idle
        ("seed-bound", ("--run-time", "6s", "--seeds", "0-39")),
    ],
)
def test_idle_users_are_stopped_at_once(
    reference_site: Site, tmp_path: Path, run_id: str, args: tuple[str, ...]
) -> None:
    out = tmp_path / "runs"
    done = anp_run(reference_site, out, run_id, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = out / run_id
    log = (run_dir / "locust.log").read_text()
    assert STUCK not in log, log[-2000:]
    record = json.loads((run_dir / "run.json").read_text())
    assert record["interrupted"] is False
    verification = record["verification"]
    assert verification["landed"] == verification["acknowledged"] > 0
    if run_id == "seed-bound":
        assert verification["acknowledged"] == 40
