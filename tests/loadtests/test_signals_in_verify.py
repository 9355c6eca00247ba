"""Ctrl-C and SIGTERM to ``anp run`` during the read-back after the load.

The reference site is frozen with SIGSTOP once ``measurements.json`` exists (so the read-back
would wait for its bound, a minute here) and continued in a ``finally``. A signal then stops the
read-back within seconds; the record is written, not marked interrupted (the load was whole),
with its verification incomplete, exit 3; ``anp verify`` finishes it once the site answers
(counted against the site's SQLite file). A burst of Ctrl-Cs still leaves ``run.json`` (the
wrapper writes it from ``measurements.json`` without contacting the target when it had to kill
Locust). Before the fix: SIGTERM took 59 s, three Ctrl-Cs exited 130 without ``run.json``."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from lt_support import BIN, REPO, TARGET, Site, SiteFactory
from run_fixtures import make_measurements

from loadtests.runner import ChildEnd, LocustPlan, collect_record

pytestmark = [pytest.mark.integration]

STOPPED_WITHIN_S = 8.0
"""From the first signal to the wrapper's exit (the read-back alone would take 60 s)."""


def rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def anp(site: Site, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "anp"), *map(str, args)],
        env={**os.environ, "ANP_REF_URL": site.url, "PYTHONUNBUFFERED": "1"},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def signalled_in_read_back(
    site: Site, out: Path, run_id: str, signals: list[int], gap_s: float
) -> tuple[int, str, float]:
    """``anp run`` whose site freezes once the load has ended; ``signals`` sent to the wrapper
    ``gap_s`` apart a second later. (exit code, output, seconds from first signal to exit)."""
    run = anp(
        site,
        *("run", "--target", TARGET, "--users", "2", "--run-time", "3s", "--no-progress"),
        *("--max-p95-ms", "3600000", "--verify-timeout", "60s"),
        *("--out", out, "--run-id", run_id),
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / run_id / "measurements.json").exists():
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the load never ended"
            time.sleep(0.02)
        os.kill(site.proc.pid, signal.SIGSTOP)
        try:
            time.sleep(1.0)
            first = time.monotonic()
            for number, sig in enumerate(signals):
                if number:
                    time.sleep(gap_s)
                run.send_signal(sig)
            stdout, stderr = run.communicate(timeout=40)
            took = time.monotonic() - first
        finally:
            os.kill(site.proc.pid, signal.SIGCONT)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    return run.returncode, stdout + stderr, took


def finish_later(site: Site, out: Path, run_id: str) -> dict[str, object]:
    """``anp verify RUN`` on the live site: it completes the verification; the new record."""
    done = anp(site, "verify", run_id, "--dir", out)
    stdout, stderr = done.communicate(timeout=60)
    assert done.returncode == 0, stdout + stderr
    record: dict[str, object] = json.loads((out / run_id / "run.json").read_text())
    return record


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signals", "gap_s"),
    [([signal.SIGTERM], 0.0), ([signal.SIGINT], 0.0)],
    ids=["sigterm", "ctrl-c"],
)
def test_a_signal_during_the_read_back_stops_it_and_anp_verify_finishes_it(
    start_site: SiteFactory, tmp_path: Path, signals: list[int], gap_s: float
) -> None:
    site = start_site()
    out = tmp_path / "runs"
    code, output, took = signalled_in_read_back(site, out, "sig", signals, gap_s)
    assert code == 3, output
    assert took < STOPPED_WITHIN_S, took
    assert "Traceback" not in output
    record = json.loads((out / "sig" / "run.json").read_text())
    assert record["interrupted"] is False  # the load was whole; only the read-back was cut
    assert record["passed"] is None
    v = record["verification"]
    assert "interrupted (Ctrl-C or SIGTERM)" in v["error"], v["error"]
    acknowledged = record["totals"]["posts_acknowledged"]
    assert acknowledged > 0 and v["acknowledged"] == acknowledged

    after = finish_later(site, out, "sig")
    v = after["verification"]
    assert isinstance(v, dict)
    assert v["error"] is None
    assert v["landed"] == v["acknowledged"] == acknowledged == rows(site.db)


@pytest.mark.slow
def test_a_burst_of_ctrl_c_still_leaves_a_record_that_anp_verify_can_finish(
    start_site: SiteFactory, tmp_path: Path
) -> None:
    site = start_site()
    out = tmp_path / "runs"
    code, output, took = signalled_in_read_back(site, out, "burst", [signal.SIGINT] * 3, 0.0)
    assert code == 3, output  # not 130: the wrapper caught them all
    assert took < STOPPED_WITHIN_S, took
    record = json.loads((out / "burst" / "run.json").read_text())
    assert record["interrupted"] is False and record["passed"] is None
    error = record["verification"]["error"]
    # the child wrote it (interrupted read-back), or the wrapper did after killing it
    assert "interrupted (Ctrl-C or SIGTERM)" in error or "Locust process was stopped" in error
    after = finish_later(site, out, "burst")
    v = after["verification"]
    assert isinstance(v, dict)
    assert v["error"] is None and v["landed"] == v["acknowledged"] == rows(site.db) > 0


def _plan(run_dir: Path, target_path: Path) -> LocustPlan:
    return LocustPlan(
        argv=[], run_dir=run_dir, run_time_s=10, grace_s=60, target_path=str(target_path)
    )


@pytest.mark.parametrize(
    ("end", "interrupted", "unread"),
    [
        (ChildEnd(code=-9, signals=2, signalled_after_load=True), False, "repeated Ctrl-C"),
        (ChildEnd(code=-9, signals=2, signalled_after_load=False), True, "repeated Ctrl-C"),
        (ChildEnd(code=-9, overran=True, overran_after_load=True), False, "its time bound"),
    ],
    ids=["in-read-back", "in-load", "overran"],
)
def test_the_wrapper_writes_the_record_of_a_killed_child_without_reading_back(
    tmp_path: Path, end: ChildEnd, interrupted: bool, unread: str
) -> None:
    """Only ``measurements.json`` was left: the record is built from it at once, nothing is
    read back (the definition's site would answer: its port is a live listener that never
    answers, so any contact would hang the test), and ``anp verify`` is named."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        definition = tmp_path / "target.toml"
        definition.write_text(f'name = "t"\nkind = "reference"\nbase_url = "{url}"\n')
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        m = make_measurements(url=url, definition=str(definition))
        (run_dir / "measurements.json").write_text(m.model_dump_json())
        started = time.monotonic()
        record, code = collect_record(_plan(run_dir, definition), end)
        took = time.monotonic() - started
    finally:
        listener.close()
    assert took < 5, took
    assert code == 3
    assert (run_dir / "run.json").is_file()
    assert record.interrupted is interrupted
    v = record.verification
    assert not v.performed and v.acknowledged == 100
    assert v.error is not None and unread in v.error
    assert f"run `anp verify {run_dir.name}`" in v.error
