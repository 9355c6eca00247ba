"""Locust's web UI (no ``--headless``): the harness's options are in the UI's start form with the
values given, they reach the users, the posts land on a real reference site, and the process
stops by itself (``--autostart`` with ``-t`` and ``--autoquit``)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from lt_support import BIN, LOCUSTFILE, RELAXED_LATENCY, REPO, TARGET, count, locust_env

from loadtests.option_table import HARNESS_OPTIONS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OPTIONS = {
    "target": str(TARGET),
    "seeds": "5000-5999",
    "batch_size": "3",
    "size": "s",
    "scenario": "import:2,batch:1",
}


def locust_ui_argv(port: int, out: Path, *args: str) -> list[str]:
    """Locust with its web UI on loopback ``port``, the run folder ``out``, then ``args``."""
    return [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--web-host",
        "127.0.0.1",
        "--web-port",
        str(port),
        "--anp-out",
        str(out),
        *RELAXED_LATENCY,
        *args,
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def template_args(url: str, proc: subprocess.Popen[bytes], deadline: float) -> dict[str, object]:
    """The ``window.templateArgs`` the UI's page is rendered with (waits for the UI)."""
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"locust exited with {proc.returncode} before its UI answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                page = answer.read().decode()
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    found = re.search(r"window\.templateArgs = (.*)", page)
    assert found, page[:500]
    return dict(json.loads(found.group(1)))


def test_web_ui_lists_the_options_and_runs_them_to_the_end(start_site, tmp_path: Path) -> None:
    site = start_site()
    port = free_port()
    out = tmp_path / "run"
    given = [
        arg for name, value in OPTIONS.items() for arg in (f"--{name.replace('_', '-')}", value)
    ]
    argv = locust_ui_argv(
        port, out, "--autostart", "--autoquit", "1", "-u", "3", "-r", "3", "-t", "5s", *given
    )
    log = tmp_path / "locust.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv, env=locust_env(site.url), cwd=REPO, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            args = template_args(f"http://127.0.0.1:{port}/", proc, time.monotonic() + 60)
            code = proc.wait(timeout=120)  # stops by itself: -t, then --autoquit
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text(errors="replace")
    # the start form lists every harness option with its help (examples, defaults), and the
    # values given on the command line
    extra = args["extra_options"]
    assert isinstance(extra, dict)
    for row in HARNESS_OPTIONS:
        assert row.dest in extra, sorted(extra)
        help_text = row.help_text()
        assert extra[row.dest]["help_text"] == f"{help_text[0].upper()}{help_text[1:]}."
    for name, value in OPTIONS.items():
        assert str(extra[name]["default_value"]) == value
    assert code == 0, text
    # the options reached the users: the settings of the run, the seeds sent, the batches
    m = json.loads((out / "measurements.json").read_text())
    assert m["load"]["seeds"] == "5000-5999"
    assert (m["load"]["batch_size"], m["load"]["size"]) == (3, "s")
    assert m["load"]["scenarios"] == {"import": 2, "batch": 1}
    sent = m["seeds"]["sent"]
    assert sent and sent[0][0] == 5000 and sent[-1][1] <= 5999
    scenarios = {e["scenario"] for e in m["endpoints"]}
    assert scenarios == {"import", "batch"}
    batch = next(e for e in m["endpoints"] if e["scenario"] == "batch")
    # batches of 3 (only the last one may be short, when the 1000 seeds run out)
    assert 3 * (batch["successes"] - 1) < batch["posts"] <= 3 * batch["successes"]
    # what landed on the site is what was acknowledged, and reads back as size-s posts
    acknowledged = count(m["seeds"]["acknowledged"])
    assert site.stats()["posts"] == acknowledged > 0
    record = json.loads((out / "run.json").read_text())
    verification = record["verification"]
    assert (verification["landed"], verification["missing"], verification["corrupted"]) == (
        acknowledged,
        0,
        0,
    )


def test_options_posted_by_the_start_form_reach_the_users(start_site, tmp_path: Path) -> None:
    """What the UI's start form sends (``POST /swarm`` with the harness options edited) is
    what the run uses. The process keeps serving the UI after the run; the test stops it."""
    site = start_site()
    port = free_port()
    out = tmp_path / "run"
    argv = locust_ui_argv(port, out, "--target", str(TARGET))
    form = {
        "user_count": "3",
        "spawn_rate": "3",
        "run_time": "20s",
        "seeds": "7000-7199",
        "scenario": "import",
        "size": "m",
    }
    log = tmp_path / "locust.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            argv, env=locust_env(site.url), cwd=REPO, stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            template_args(f"http://127.0.0.1:{port}/", proc, deadline)
            data = urllib.parse.urlencode(form).encode()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/swarm", data, timeout=10) as r:
                assert json.loads(r.read())["success"] is True
            record = out / "run.json"
            deadline = time.monotonic() + 90  # the 200 seeds run out long before -t
            while not record.exists():
                assert proc.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    m = json.loads((out / "measurements.json").read_text())
    assert (m["load"]["seeds"], m["load"]["size"], m["load"]["scenarios"]) == (
        "7000-7199",
        "m",
        {"import": 1},
    )
    assert m["seeds"]["sent"] == [[7000, 7199]]
    assert site.stats()["posts"] == 200
    verification = json.loads(record.read_text())["verification"]
    assert (verification["landed"], verification["corrupted"]) == (200, 0)
