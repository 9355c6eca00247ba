"""A worker killed mid-run (SIGKILL by its PID, so it never sends its final report): the record
names it as lost, lists the seeds it held as in doubt, has no verdict and the exit code is 3;
what the target stored is still accounted for by verification (landed, or landed but not
acknowledged). Master and two workers on loopback against the reference site."""

from __future__ import annotations

import signal

import pytest
from lt_support import LocustRun, count, stop_one_worker_mid_run

from synth import merge_ranges

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _run_and_kill_one_worker(site, out, *args: str, kill_after_posts: int) -> tuple[int, str]:
    # SIGKILL by its PID: no final report, no goodbye
    return stop_one_worker_mid_run(
        site, out, *args, after_posts=kill_after_posts, sig=signal.SIGKILL
    )


def _check_incomplete_record(site, out, code: int, log: str) -> dict:
    assert code == 3, log
    record = LocustRun(code, out, log).record()
    incomplete = record["incomplete"]
    assert incomplete is not None, log
    assert len(incomplete["lost_workers"]) == 1
    assert record["passed"] is None and record["interrupted"] is False
    doubt = incomplete["seeds_in_doubt"]
    assert incomplete["seeds_in_doubt_count"] == count(doubt) > 0
    sent = record["seeds"]["sent"]
    # seeds in doubt and seeds sent never overlap
    assert count(sent) + count(doubt) == count(
        [list(r) for r in merge_ranges([*map(tuple, sent), *map(tuple, doubt)])]
    )
    stats = site.stats()
    v = record["verification"]
    assert v["error"] is None and v["missing"] == 0
    # every post the site stored is accounted for: acknowledged and landed, or found among
    # the seeds sent unacknowledged or in doubt (the lost worker's last requests)
    assert stats["posts"] == v["landed"] + v["landed_unacknowledged"]
    assert v["landed_unacknowledged"] > 0
    lost_requests = stats["requests"]["POST /import/posts"]["total"] - record["totals"]["requests"]
    assert lost_requests > 0  # the lost worker's last seconds are not in the counts...
    assert "INCOMPLETE: no final report from 1 worker" in log  # ...and the log says so
    return record


def test_a_killed_worker_makes_a_time_bound_run_incomplete(start_site, tmp_path):
    site = start_site("--latency-ms", "2")
    out = tmp_path / "run"
    code, log = _run_and_kill_one_worker(
        site, out, "-u", "4", "-r", "4", "-t", "10s", "--seeds", "0-999999", kill_after_posts=300
    )
    record = _check_incomplete_record(site, out, code, log)
    assert record["timing"]["duration_s"] < 15


def test_a_seed_bound_run_ends_without_waiting_for_a_killed_worker(start_site, tmp_path):
    """The seeds-used-up end waits for every worker that got seeds to say it is done; a worker
    Locust marks missing never will, so the run ends when the others are done."""
    site = start_site("--latency-ms", "5")
    out = tmp_path / "run"
    code, log = _run_and_kill_one_worker(
        site, out, "-u", "4", "-r", "4", "-t", "120s", "--seeds", "0-2999", kill_after_posts=200
    )
    record = _check_incomplete_record(site, out, code, log)
    assert record["timing"]["duration_s"] < 60, log  # not the 120 s run time
    sent_or_doubt = merge_ranges(
        [*map(tuple, record["seeds"]["sent"]), *map(tuple, record["incomplete"]["seeds_in_doubt"])]
    )
    assert list(sent_or_doubt) == [(0, 2999)]  # every seed is sent or in doubt, none skipped
