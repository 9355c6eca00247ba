"""Distributed runs: ``--processes 2`` and an explicit master with two worker processes on
loopback. No seed is sent twice, none is skipped, histograms and counts merge."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from lt_support import (
    BIN,
    RELAXED_LATENCY,
    REPO,
    TARGET,
    LocustRun,
    count,
    endpoint,
    free_port,
    locust_env,
    master_argv,
    processes,
    run_locust,
    start_workers,
    stop_all,
    stop_one_worker_mid_run,
)

from synth import merge_ranges

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BLOCK, LOW_WATER = 100, 50  # loadtests.seeding defaults: what one worker may hold unused


def _histogram_count(entry) -> int:
    from hdrh.histogram import HdrHistogram

    hist = HdrHistogram(1, 3_600_000_000, 3)
    hist.decode_and_add(entry["histogram"]["data"])
    return int(hist.get_total_count())


def test_processes_send_every_seed_exactly_once(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "8",
        "-r",
        "8",
        "-t",
        "120s",
        *processes(2),
        "--seeds",
        "0-1499",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["seeds"]["sent"] == [[0, 1499]]
    assert m["load"]["processes"] == 2
    # the site saw each reference once: 1500 creations, no "unchanged" re-sends
    assert site.stats()["requests"]["POST /import/posts"]["by_status"] == {"201": 1500}
    imp = endpoint(m, "import", "POST /import/posts")
    assert imp["requests"] == 1500 == _histogram_count(imp)
    assert imp["percentiles"]["count"] == 1500
    assert run.record()["verification"]["landed"] == 1500


def _master_and_workers(site, out, *args, workers=2, timeout=120):
    port = free_port()
    worker_procs = start_workers(site.url, port, workers)
    try:
        master = subprocess.run(
            master_argv(out, port, workers, *args),
            env=locust_env(site.url),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        for proc in worker_procs:
            proc.wait(timeout=30)
    finally:
        stop_all(worker_procs)
    return master


def test_master_and_two_workers_until_the_seeds_run_out(start_site, tmp_path):
    site = start_site()
    out = tmp_path / "run"
    master = _master_and_workers(
        site, out, "-u", "6", "-r", "6", "-t", "120s", "--seeds", "100-599,1000-1199"
    )
    assert master.returncode == 0, master.stdout + master.stderr
    m = LocustRun(master.returncode, out, "").measurements()
    assert m["seeds"]["sent"] == [[100, 599], [1000, 1199]]
    assert m["load"]["processes"] == 2
    assert site.stats()["requests"]["POST /import/posts"]["by_status"] == {"201": 700}


def test_master_and_two_workers_bounded_by_time(start_site, tmp_path):
    """Cut by the run time: sent is the granted prefix minus the workers' unused tails."""
    site = start_site("--latency-ms", "5")
    out = tmp_path / "run"
    master = _master_and_workers(
        site, out, "-u", "6", "-r", "6", "-t", "4s", "--seeds", "0-999999", "--no-verify"
    )
    assert master.returncode in (0, 1), master.stdout + master.stderr
    m = LocustRun(master.returncode, out, "").measurements()
    sent = [tuple(r) for r in m["seeds"]["sent"]]
    assert sent[0][0] == 0
    top = sent[-1][1]
    holes = (top + 1) - count([list(r) for r in sent])
    assert 0 <= holes <= 2 * (BLOCK + LOW_WATER)  # only the unused tails of the last blocks
    assert len(sent) <= 1 + 2 * 2
    assert list(merge_ranges(sent)) == sent
    stats = site.stats()
    assert stats["requests"]["POST /import/posts"]["by_status"] == {
        "201": count(m["seeds"]["sent"])
    }
    imp = endpoint(m, "import", "POST /import/posts")
    assert imp["requests"] == stats["requests"]["POST /import/posts"]["total"]
    assert sum(ok for _, ok, _ in imp["per_second"]) == imp["successes"]


def test_a_worker_that_leaves_gives_its_seeds_back(start_site, tmp_path):
    """One of two workers is stopped mid-run: its unused seeds are granted to the other, so the
    run still sends every seed exactly once."""
    site = start_site("--latency-ms", "10")
    out = tmp_path / "run"
    code, log = stop_one_worker_mid_run(
        site,
        out,
        *("-u", "4", "-r", "4", "-t", "120s", "--seeds", "0-1199"),
        after_posts=100,
        sig=signal.SIGTERM,
    )
    assert code == 0, log
    m = LocustRun(0, out, "").measurements()
    assert m["seeds"]["sent"] == [[0, 1199]]
    assert site.stats()["requests"]["POST /import/posts"]["by_status"] == {"201": 1200}


@pytest.mark.parametrize("builders", [(), ("--synth-processes", "1")], ids=["thread", "helpers"])
def test_seeds_a_late_leaver_gave_back_are_sent_by_the_other_worker(start_site, tmp_path, builders):
    """A worker that leaves after every seed of a seed-bound run was granted gives its unsent
    seeds back; the other worker had been told no more would come, so the master pushes them to
    it (its builder, a thread or a helper process, starts again). Every seed is sent exactly
    once, the site holds them all, and the run ends by itself when they are answered (not at
    its time bound), without the "not sent" warning."""
    site = start_site("--latency-ms", "10")
    out = tmp_path / "run"
    started = time.monotonic()
    code, log = stop_one_worker_mid_run(
        site,
        out,
        *("-u", "4", "-r", "4", "-t", "90s", "--seeds", "0-599", *builders),
        after_posts=450,
        sig=signal.SIGTERM,
    )
    elapsed = time.monotonic() - started
    m = LocustRun(code, out, log).measurements()
    assert code == 0, log
    assert m["seeds"]["sent"] == [[0, 599]], log
    assert m["seeds"]["acknowledged"] == [[0, 599]], log
    assert site.stats()["requests"]["POST /import/posts"]["by_status"] == {"201": 600}
    assert site.stats()["posts"] == 600
    assert "were not sent" not in log, log
    assert "all 600 seeds were sent and answered" in log, log
    assert elapsed < 60, f"the run lasted {elapsed:.0f} s: it waited for its time bound\n{log}"


def test_two_anp_runs_with_processes_on_one_machine_keep_their_own_workers(start_site, tmp_path):
    """Each ``anp run --processes 2`` puts its master on its own free loopback port. With
    Locust's default (port 5557 on every interface) the second run's workers joined the first
    run, which came out incomplete with 4 workers, and the second failed to start."""
    sites = [start_site(), start_site()]
    runs = []
    for index, site in enumerate(sites):
        argv = [
            str(BIN / "anp"),
            *("run", "--target", str(TARGET), "--users", "2", "--run-time", "6s"),
            *("--processes", "2", "--no-progress", *RELAXED_LATENCY),
            *("--out", str(tmp_path / "runs"), "--run-id", f"run{index}"),
        ]
        runs.append(
            subprocess.Popen(
                argv,
                env=locust_env(site.url),
                cwd=REPO,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        )
        time.sleep(1.5)  # the second starts while the first runs
    try:
        logs = [run.communicate(timeout=120)[0] for run in runs]
    finally:
        stop_all(runs)
    for index, (run, site, log) in enumerate(zip(runs, sites, logs, strict=True)):
        assert run.returncode == 0, log
        record = json.loads((tmp_path / "runs" / f"run{index}" / "run.json").read_text())
        assert record["load"]["processes"] == 2 and record["incomplete"] is None
        stats = site.stats()["requests"]["POST /import/posts"]
        assert record["totals"]["requests"] == stats["total"] > 0
