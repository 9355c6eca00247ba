"""Helpers for the load-test tests: the reference site on a free loopback port with a fresh
SQLite file (``anp target serve reference --port 0``), and Locust run headless as a subprocess.

The ``start_site`` fixture (conftest.py) stops every site it started, by PID.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtests.runner import loopback_master

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = REPO / "loadtests" / "locustfile.py"
TARGET = REPO / "targets" / "local-reference.toml"


@dataclass
class Site:
    url: str
    proc: subprocess.Popen[str]
    db: Path
    log: Path

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        return dict(self.get("/stats"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class SiteFactory:
    tmp: Path
    started: list[Site] = field(default_factory=list)

    def __call__(self, *args: str, port: int = 0) -> Site:
        n = len(self.started)
        db = self.tmp / f"ref{n}.db"
        log = self.tmp / f"site{n}.log"
        handle = open(log, "w")  # noqa: SIM115 - closed with the process below
        proc = subprocess.Popen(
            [
                str(BIN / "anp"),
                "target",
                "serve",
                "reference",
                "--port",
                str(port),
                "--db",
                str(db),
                *args,
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
        )
        handle.close()
        deadline = time.monotonic() + 30
        url = None
        while time.monotonic() < deadline and url is None:
            if proc.poll() is not None:
                raise RuntimeError(f"reference site exited: {log.read_text()}")
            for word in log.read_text().split():
                if word.startswith("http://127.0.0.1:"):
                    url = word
            time.sleep(0.1)
        if url is None:
            proc.kill()
            raise RuntimeError(f"reference site did not start: {log.read_text()}")
        site = Site(url, proc, db, log)
        self.started.append(site)
        return site


@dataclass
class LocustRun:
    returncode: int
    out: Path
    log: str

    def measurements(self) -> dict[str, Any]:
        return dict(json.loads((self.out / "measurements.json").read_text()))

    def record(self) -> dict[str, Any]:
        return dict(json.loads((self.out / "run.json").read_text()))


def locust_env(url: str) -> dict[str, str]:
    return dict(os.environ, ANP_REF_URL=url, PYTHONUNBUFFERED="1")


RELAXED_LATENCY = ("--max-p95-ms", "3600000")
"""The definition's p95 check (500 ms) would make exit codes depend on the machine's speed."""


def locust_argv(out: Path, *args: str) -> list[str]:
    return [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--target",
        str(TARGET),
        "--anp-out",
        str(out),
        *RELAXED_LATENCY,
        *args,
    ]


def run_locust(url: str, out: Path, *args: str, timeout: float = 120) -> LocustRun:
    """Run Locust headless to its end (bounded by ``timeout``)."""
    proc = subprocess.run(
        locust_argv(out, *args),
        env=locust_env(url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return LocustRun(proc.returncode, out, proc.stdout + proc.stderr)


def endpoint(measurements: dict[str, Any], scenario: str, name: str) -> dict[str, Any]:
    for item in measurements["endpoints"]:
        if item["scenario"] == scenario and item["name"] == name:
            return dict(item)
    raise AssertionError(f"no endpoint {scenario} {name} in {measurements['endpoints']}")


def count(ranges: list[list[int]]) -> int:
    return sum(b - a + 1 for a, b in ranges)


def processes(count: int) -> list[str]:
    """Locust's ``--processes count`` with its master on a free loopback port (as ``anp run``
    does): Locust's default port 5557 on every interface would join concurrent runs' workers."""
    return ["--processes", str(count), *loopback_master(free_port())]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_workers(url: str, port: int, count: int = 2) -> list[subprocess.Popen[bytes]]:
    """``count`` Locust workers on loopback for the master at ``port`` (output discarded)."""
    argv = [
        str(BIN / "locust"),
        *("-f", str(LOCUSTFILE), "--worker"),
        *("--master-host", "127.0.0.1", "--master-port", str(port)),
    ]
    return [
        subprocess.Popen(
            argv,
            env=locust_env(url),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def master_argv(out: Path, port: int, workers: int, *args: str) -> list[str]:
    """A headless master on loopback at ``port`` waiting for ``workers`` workers."""
    return [
        *locust_argv(out, *args),
        *("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)),
        *("--expect-workers", str(workers)),
    ]


def stop_all(procs: list[Any]) -> None:
    """Kill (by PID) those of ``procs`` still running."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop_one_worker_mid_run(
    site: Site, out: Path, *args: str, after_posts: int, sig: int, timeout: float = 150
) -> tuple[int, str]:
    """A headless master and two workers on loopback; once the site holds ``after_posts`` posts,
    worker 0 gets ``sig`` (SIGTERM: it leaves with its final report; SIGKILL: it is lost). The
    master runs to its end; returns its exit code and output."""
    port = free_port()
    workers = start_workers(site.url, port)
    master = subprocess.Popen(
        master_argv(out, port, 2, *args),
        env=locust_env(site.url),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while site.stats()["posts"] < after_posts and time.monotonic() < deadline:
            assert master.poll() is None, master.communicate()[0]
            time.sleep(0.05)
        workers[0].send_signal(sig)
        log, _ = master.communicate(timeout=timeout)
    finally:
        stop_all([*workers, master])
    return master.returncode, log
