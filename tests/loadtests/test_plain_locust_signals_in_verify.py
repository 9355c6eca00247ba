"""Ctrl-C and SIGTERM to plain ``locust --headless`` during the read-back after the load.

``anp run``'s own child handles these (``test_signals_in_verify.py``); plain Locust goes through
the locustfile's handlers (``loadtests.hooks``, ``loadtests.ending.on_quitting``). The site is
frozen with SIGSTOP once ``measurements.json`` exists, so the read-back would wait for its
bound (60 s); a signal must stop it within seconds and still leave ``run.json`` with the
verification marked interrupted (exit 3, no verdict). Before: Locust quit under the read-back
and no record was written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from lt_support import REPO, locust_argv, locust_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_the_read_back_still_writes_the_record(start_site, tmp_path, sig):
    site = start_site()
    out = tmp_path / "run"
    argv = locust_argv(out, "-u", "2", "-r", "2", "-t", "3s", "--verify-timeout", "60s")
    run = subprocess.Popen(
        argv,
        env=locust_env(site.url),
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "measurements.json").exists():
            assert run.poll() is None, run.communicate()[0]
            assert time.monotonic() < deadline, "the load never ended"
            time.sleep(0.02)
        os.kill(site.proc.pid, signal.SIGSTOP)
        try:
            time.sleep(1.0)
            first = time.monotonic()
            run.send_signal(sig)
            log = run.communicate(timeout=40)[0]
            took = time.monotonic() - first
        finally:
            os.kill(site.proc.pid, signal.SIGCONT)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert took < 10, (took, log)
    assert run.returncode == 3, log
    record = json.loads((out / "run.json").read_text())
    assert record["passed"] is None
    assert "interrupted (Ctrl-C or SIGTERM)" in record["verification"]["error"], record
    assert record["totals"]["posts_acknowledged"] > 0
