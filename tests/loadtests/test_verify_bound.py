"""The read-back's bound (``--verify-timeout``) holds against a site that hangs: the reference
site is frozen with SIGSTOP (the kernel still accepts connections, nothing answers), so every
read waits for its whole read timeout (30 s) unless the bound caps it. The site is always
continued (SIGCONT) and stopped in a ``finally``.

Directly through ``verify_posts`` (both read paths, and a stop request), and end to end: ``anp
run --verify-timeout 3s`` whose site freezes once the load has ended."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from lt_support import BIN, REPO, TARGET, Site, SiteFactory
from run_fixtures import start_site

from loadtests.verify import verify_posts
from results import Verification
from targets.transport import Sender

pytestmark = [pytest.mark.integration]


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def verify_in_thread(limit_s: float, **kwargs: Any) -> tuple[Verification | None, float]:
    """``verify_posts(**kwargs)`` in a daemon thread, waited for at most ``limit_s`` (so that a
    verification that ignores its bound fails the test instead of hanging it)."""
    result: list[Verification] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.append(verify_posts(**kwargs)), daemon=True)
    thread.start()
    thread.join(limit_s)
    return (result[0] if result else None), time.monotonic() - started


@pytest.mark.parametrize("raw_reads", [True, False], ids=["fast-path", "classic-path"])
def test_a_hung_site_holds_the_verification_no_longer_than_its_bound(
    tmp_path: Path, raw_reads: bool
) -> None:
    site = start_site(tmp_path)
    try:
        site.import_seeds(range(3000))
        with Sender(site.url, site.target.timeouts) as sender, frozen(site.process.process.pid):
            v, took = verify_in_thread(
                12,
                target=site.target,
                sender=sender,
                acknowledged=((0, 2999),),
                deadline_s=2.0,
                raw_reads=raw_reads,
            )
        assert v is not None, f"verification still running after {took:.1f} s (bound 2 s)"
        assert took < 3.5, took  # the bound, plus scheduling; not a 30 s read timeout
        assert v.error is not None
        assert v.error.startswith("verification stopped at its 2 s bound (anp run --verify-timeout")
        assert "after checking 0 of 3000 seeds" in v.error
        # reads cut short are neither missing nor failures of the site; the count is the run's
        assert v.acknowledged == 3000 and v.landed == v.missing == v.corrupted == 0
        assert "could not be read back" not in v.error
    finally:
        site.process.stop()


def test_a_stop_request_ends_the_verification_at_once(tmp_path: Path) -> None:
    site = start_site(tmp_path)
    stop = threading.Event()
    try:
        site.import_seeds(range(3000))
        with Sender(site.url, site.target.timeouts) as sender, frozen(site.process.process.pid):
            threading.Timer(1.0, stop.set).start()
            v, took = verify_in_thread(
                12,
                target=site.target,
                sender=sender,
                acknowledged=((0, 2999),),
                deadline_s=600.0,
                stop=stop.is_set,
            )
        assert v is not None, f"verification still running {took:.1f} s after the stop request"
        assert took < 2.5, took
        assert v.error is not None
        assert v.error.startswith("verification was interrupted (Ctrl-C or SIGTERM) after checking")
        assert "`anp verify` finishes it" in v.error
    finally:
        site.process.stop()


def test_a_bounded_verification_of_a_live_site_still_counts_everything(tmp_path: Path) -> None:
    """The bounded sender changes nothing for a site that answers."""
    site = start_site(tmp_path)
    try:
        site.import_seeds(range(1200))
        with Sender(site.url, site.target.timeouts) as sender:
            v = verify_posts(site.target, sender, acknowledged=((0, 1299),), deadline_s=60)
        assert v.error is None
        assert (v.acknowledged, v.landed, v.missing) == (1300, 1200, 100)
    finally:
        site.process.stop()


@pytest.mark.slow
def test_anp_run_against_a_site_that_hangs_after_the_load_ends_at_its_verify_timeout(
    start_site: SiteFactory, tmp_path: Path
) -> None:
    """The audit's case: the site freezes once ``measurements.json`` exists. The run ends about
    the bound after the load (was 116 s with a 5 s bound), its record is not marked interrupted
    (nobody signalled it), the verification says it stopped at its bound, exit 3 with no
    verdict; the wrapper did not read the posts back a second time."""
    site: Site = start_site()
    out = tmp_path / "runs"
    run_dir = out / "hang"
    run = subprocess.Popen(
        [
            str(BIN / "anp"),
            *("run", "--target", str(TARGET), "--users", "2", "--run-time", "3s"),
            *("--verify-timeout", "3s", "--no-progress", "--out", str(out), "--run-id", "hang"),
        ],
        env={**os.environ, "ANP_REF_URL": site.url, "PYTHONUNBUFFERED": "1"},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (run_dir / "measurements.json").exists():
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the load never ended"
            time.sleep(0.02)
        with frozen(site.proc.pid):
            load_ended = time.monotonic()
            stdout, stderr = run.communicate(timeout=40)
            after_load = time.monotonic() - load_ended
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 3, stdout + stderr
    assert after_load < 3 + 5, after_load  # the bound, the record and Locust's reports
    record = json.loads((run_dir / "run.json").read_text())
    assert record["interrupted"] is False
    assert record["passed"] is None
    error = record["verification"]["error"]
    # frozen before or after the health check: either way it is the bound that stopped it
    assert "3 s bound" in error and "--verify-timeout" in error, error
    assert "Locust process was stopped" not in error  # not the wrapper's own record
    assert "Traceback" not in stderr
