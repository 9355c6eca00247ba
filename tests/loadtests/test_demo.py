"""``anp demo`` as the README runs it, with a short duration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.demo import DURATION_EXPECTED, demo_seconds

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demo_runs_verifies_and_summarises(tmp_path: Path):
    out = tmp_path / "runs"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "anp",
            "demo",
            "--duration",
            "5s",
            "--users",
            "4",
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    record = json.loads((run_dir / "run.json").read_text())
    assert set(record["load"]["scenarios"]) == {"import", "invalid"}
    assert record["target"]["release"]
    v = record["verification"]
    assert v["performed"] and v["error"] is None
    assert v["acknowledged"] > 0 and v["landed"] == v["acknowledged"]
    assert (v["missing"], v["corrupted"], v["duplicates"]) == (0, 0, 0)
    assert record["errors"].get("rejected_invalid", 0) > 0  # invalid posts were refused
    assert "unexpected_acceptance" not in record["errors"]
    assert {c["name"] for c in record["checks"]} == {
        "max_error_ratio",
        "max_missing",
        "max_corrupted",
    }
    assert record["passed"] is True
    for role in ("target_definition", "target_log", "locust_html", "measurements"):
        assert role in record["artifacts"]
    # the summary: throughput, errors by kind, percentiles, verification, verdict
    for text in (
        "throughput",
        "errors by kind",
        "rejected_invalid",
        "p99",
        "verification",
        "PASS (exit 0)",
    ):
        assert text in done.stdout, text
    # the site was stopped cleanly by the demo (SIGTERM to its PID): it logged its own stop
    assert "anp-reference: stopped" in (run_dir / "target.log").read_text()
    # no database left in the run folder (it lived in a temporary folder)
    assert not list(run_dir.glob("*.db"))


def test_ctrl_c_during_the_demo_stops_the_site_and_keeps_a_partial_record(tmp_path: Path):
    import signal
    import time

    from loadtests.progress import latest_aggregate

    out = tmp_path / "runs"
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anp",
            "demo",
            "--duration",
            "60s",
            "--users",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        run_dir = None
        while time.monotonic() < deadline:
            dirs = [p for p in out.iterdir() if p.is_dir()] if out.exists() else []
            if dirs:
                run_dir = dirs[0]
                row = latest_aggregate(run_dir / "locust_stats_history.csv")
                if row is not None and float(row.get("Total Request Count") or 0) > 0:
                    break
            assert demo.poll() is None, demo.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("the demo's load never started")
        demo.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        stdout, stderr = demo.communicate(timeout=120)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 3, stdout + stderr
    assert run_dir is not None
    record = json.loads((run_dir / "run.json").read_text())
    assert record["interrupted"] is True
    assert record["verification"]["landed"] == record["verification"]["acknowledged"] > 0
    assert "anp-reference: stopped" in (run_dir / "target.log").read_text()


def anp_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anp", "demo", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("value", ["abc", "2.5", "0", "0.5", "", "-3"])
def test_a_bad_duration_is_a_usage_error_naming_what_the_demo_accepts(value: str, tmp_path: Path):
    refused = anp_demo("--duration", value, "--out", str(tmp_path / "runs"))
    assert refused.returncode == 2, refused.stderr
    assert f"--duration: got {value!r}; expected {DURATION_EXPECTED} (a usage error" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "runs").exists()


def test_every_example_the_duration_error_gives_is_accepted(tmp_path: Path):
    import re

    refused = anp_demo("--duration", "abc", "--out", str(tmp_path / "runs"))
    found = re.search(r"such as (.+?) \(a usage error", refused.stderr)
    assert refused.returncode == 2 and found, refused.stderr
    examples = re.split(r", | or ", found.group(1))
    assert len(examples) >= 3, examples
    for example in examples:
        # --users 0 stops the demo right after --duration was accepted, before anything starts
        accepted = anp_demo("--duration", example, "--users", "0", "--out", str(tmp_path / "x"))
        assert accepted.returncode == 2, accepted.stderr
        assert "--duration" not in accepted.stderr and "--users: got '0'" in accepted.stderr
    assert not (tmp_path / "runs").exists() and not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("value", "seconds"), [("30", 30), ("45s", 45), ("1m30s", 90), ("90.0", 90)]
)
def test_demo_seconds_takes_whole_seconds(value: str, seconds: int):
    assert demo_seconds(value) == seconds
