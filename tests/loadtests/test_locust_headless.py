"""Plain ``locust -f loadtests/locustfile.py --headless`` against the real reference site."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from lt_support import (
    REPO,
    count,
    endpoint,
    locust_argv,
    locust_env,
    run_locust,
)
from lt_support import processes as lt_processes

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_import_ends_by_itself_when_the_seeds_run_out(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url, tmp_path / "run", "-u", "5", "-r", "5", "-t", "90s", "--seeds", "0-299"
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["seeds"]["sent"] == [[0, 299]]
    assert m["seeds"]["acknowledged"] == [[0, 299]]
    assert m["seeds"]["failed"] == []
    assert m["interrupted"] is False
    imp = endpoint(m, "import", "POST /import/posts")
    assert imp["requests"] == imp["successes"] == 300
    assert sum(ok for _, ok, _ in imp["per_second"]) == 300
    record = run.record()
    assert record["verification"]["landed"] == 300 and record["verification"]["missing"] == 0
    assert record["passed"] is True
    for name in ("locust.html", "locust_stats.csv", "locust_failures.csv"):
        assert (run.out / name).is_file(), name
    assert site.stats()["posts"] == 300
    # the verdict is in Locust's own output, not only in run.json
    assert "verification: acknowledged 300, landed 300, missing 0" in run.log


@pytest.mark.parametrize("seeds", ["7", "100-109", "0-14"])
def test_a_handful_of_seeds_are_all_sent(start_site, tmp_path, seeds):
    """Fewer seeds than a builder block's floor (16): the build thread's block shrank to 0 and
    took none, the node said "done", and the run ended with nothing sent."""
    site = start_site()
    run = run_locust(
        site.url, tmp_path / "run", "-u", "2", "-r", "2", "-t", "60s", "--seeds", seeds
    )
    assert run.returncode == 0, run.log
    first, _, last = seeds.partition("-")
    expected = [[int(first), int(last or first)]]
    assert run.measurements()["seeds"]["sent"] == expected, run.log
    assert site.stats()["posts"] == count(expected)


def test_mixed_scenarios_count_rejections_as_successes(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "8",
        "-r",
        "8",
        "-t",
        "4s",
        "--seeds",
        "0-99999",
        "--scenario",
        "import:2,batch:1,invalid:2,reimport:1,read:1",
        "--batch-size",
        "5",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    invalid = endpoint(m, "invalid", "POST /import/posts [invalid]")
    assert invalid["failures"] == 0
    assert invalid["errors"].get("rejected_invalid", 0) == invalid["successes"] > 0
    assert "unexpected_acceptance" not in invalid["errors"]
    batch = endpoint(m, "batch", "POST /import/batch")
    assert batch["posts"] == 5 * batch["successes"]
    reimport = endpoint(m, "reimport", "POST /import/posts")
    assert reimport["successes"] > 0 and m["reimported"]
    assert endpoint(m, "read", "GET /posts/{reference}")["successes"] > 0
    record = run.record()
    assert record["verification"]["duplicates"] == 0
    assert record["verification"]["missing"] == 0
    # every post the site holds was sent once by import or batch
    assert site.stats()["posts"] == count(m["seeds"]["acknowledged"])


def test_a_shape_bounds_the_run(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "4",
        "-r",
        "4",
        "-t",
        "3s",
        "--shape",
        "step",
        "--seeds",
        "0-999999",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["load"]["shape"] == "step"
    assert count(m["seeds"]["sent"]) > 0


@pytest.mark.parametrize("processes", [1, 2])
def test_open_model_never_exceeds_the_offered_rate(start_site, tmp_path, processes):
    """The schedule is a ceiling across all workers (each holds rate / workers)."""
    site = start_site()
    rate = 40
    extra = lt_processes(processes) if processes > 1 else []
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "10",
        "-r",
        "10",
        "-t",
        "3s",
        "--load-model",
        "open",
        "--arrival-rate",
        str(rate),
        *extra,
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    sent = count(m["seeds"]["sent"])
    assert 0 < sent <= rate * m["duration_s"] + rate
    assert m["load"]["load_model"] == "open" and m["load"]["arrival_rate"] == rate
    assert m["load"]["processes"] == processes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "imprt"], "--scenario: got 'imprt'"),
        (["--seeds", "5-1"], "--seeds"),
        (
            ["--batch-size", "5000", "--scenario", "batch"],
            "--batch-size: got 5000; expected 1..100",
        ),
        (["--target", "targets/nope.toml"], "--target targets/nope.toml"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(tmp_path, args, message):
    proc = subprocess.run(
        locust_argv(tmp_path / "run", "-t", "2s", *args),
        env=locust_env("http://127.0.0.1:9"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "run" / "measurements.json").exists()


def test_a_folder_holding_a_run_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text("{}")
    proc = subprocess.run(
        locust_argv(out, "-t", "2s"),
        env=locust_env("http://127.0.0.1:9"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "already holds a run" in proc.stderr
    assert (out / "run.json").read_text() == "{}"


def _wait_for_posts(site, minimum, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if site.stats()["posts"] >= minimum:
            return
        time.sleep(0.2)
    raise AssertionError("the load never reached the site")


def test_the_target_dies_mid_run(start_site, tmp_path):
    site = start_site()
    out = tmp_path / "run"
    proc = subprocess.Popen(
        # bounded by the seeds, not the clock: after the death the rest fail fast and the run
        # ends by itself whatever the machine's speed
        locust_argv(
            out, "-u", "4", "-r", "4", "-t", "120s", "--request-timeout", "2", "--max-seeds", "3000"
        ),
        env=locust_env(site.url),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_posts(site, 20)
        site.stop()
        log, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    m = json.loads((out / "measurements.json").read_text())
    imp = endpoint(m, "import", "POST /import/posts")
    kinds = set(imp["errors"])
    assert kinds & {"connection_refused", "connection_reset", "connection_error"}, kinds
    assert imp["successes"] >= 20
    assert imp["requests"] == 3000  # the run went on to the end of its seeds
    assert m["interrupted"] is False
    # the run went on after the death: failures were recorded in later seconds too
    assert sum(fail for _, _, fail in imp["per_second"]) == imp["failures"] > 0
    record = json.loads((out / "run.json").read_text())
    v = record["verification"]
    # nothing could be read back: "not performed", with the true acknowledged count (not a
    # row of zeros that reads as "nothing missing")
    assert v["performed"] is False and v["error"], v
    assert v["acknowledged"] == imp["successes"] == record["totals"]["posts_acknowledged"]
    assert "verification: not performed" in log
    assert proc.returncode == 3, log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_writes_a_partial_record_marked_interrupted(start_site, tmp_path, signum):
    site = start_site()
    out = tmp_path / "run"
    proc = subprocess.Popen(
        locust_argv(out, "-u", "4", "-r", "4", "-t", "60s"),
        env=locust_env(site.url),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_posts(site, 20)
        proc.send_signal(signum)
        log, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    m = json.loads((out / "measurements.json").read_text())
    assert m["interrupted"] is True, log
    record = json.loads((out / "run.json").read_text())
    assert record["interrupted"] is True
    assert (record["passed"], proc.returncode) == (None, 3), log  # no verdict on a partial run
    imp = endpoint(m, "import", "POST /import/posts")
    # drained: every request that reached the site was counted
    assert site.stats()["requests"]["POST /import/posts"]["total"] == imp["requests"]
    assert record["verification"]["missing"] == 0


def test_max_seeds_bounds_the_run(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "4",
        "-r",
        "4",
        "-t",
        "90s",
        "--seeds",
        "1000-999999",
        "--max-seeds",
        "150",
    )
    assert run.returncode == 0, run.log
    assert run.measurements()["seeds"]["sent"] == [[1000, 1149]]
    assert site.stats()["posts"] == 150


def test_synthesis_helpers_send_every_seed_once_and_verify(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "6",
        "-r",
        "6",
        "-t",
        "90s",
        "--seeds",
        "0-99,200-209,211-299,1000-1200",
        "--synth-processes",
        "2",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["seeds"]["sent"] == [[0, 99], [200, 209], [211, 299], [1000, 1200]]
    assert site.stats()["requests"]["POST /import/posts"]["by_status"] == {"201": 400}
    verification = run.record()["verification"]
    assert (verification["landed"], verification["corrupted"]) == (400, 0)


def test_synthesis_helpers_cut_by_the_run_time_count_exactly(start_site, tmp_path):
    site = start_site("--latency-ms", "5")
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "6",
        "-r",
        "6",
        "-t",
        "3s",
        "--seeds",
        "0-999999",
        "--synth-processes",
        "1",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    imp = endpoint(m, "import", "POST /import/posts")
    stats = site.stats()
    assert stats["requests"]["POST /import/posts"]["total"] == imp["requests"]
    assert stats["posts"] == count(m["seeds"]["acknowledged"]) == count(m["seeds"]["sent"])
    assert m["seeds"]["sent"][0][0] == 0


def test_timeouts_are_classified_and_late_landings_found(start_site, tmp_path):
    site = start_site("--latency-ms", "1500")
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "2",
        "-r",
        "2",
        "-t",
        "3s",
        "--request-timeout",
        "0.5",
        "--seeds",
        "0-999999",
    )
    m = run.measurements()
    imp = endpoint(m, "import", "POST /import/posts")
    assert imp["successes"] == 0 and imp["failures"] > 0
    assert imp["errors"] == {"timeout": imp["failures"]}
    assert m["load"]["timeout_s"] == 0.5
    assert m["seeds"]["acknowledged"] == [] and m["seeds"]["failed"] == m["seeds"]["sent"]
    # the site stored some after the harness gave up: verification finds them (requests still
    # held by the site when verification ran may land later)
    record = run.record()
    assert 0 < record["verification"]["landed_unacknowledged"] <= site.stats()["posts"]
    assert run.returncode == 1, run.log  # every request failed: the error-ratio check fails
    # the failing check is named in Locust's output, with what was observed
    assert "check max_error_ratio: FAIL, observed 1, limit" in run.log, run.log[-3000:]
