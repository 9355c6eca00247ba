"""Fixtures for the results tests: records on disk, and headless Chromium (skipped when absent
unless ANP_REQUIRE_REAL_TARGETS=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from results_factory import make_record

from results import RunRecord, write_record

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def _find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = _find_chromium()
    if path is None:
        if os.environ.get("ANP_REQUIRE_REAL_TARGETS") == "1":
            pytest.fail(
                "chromium is required (ANP_REQUIRE_REAL_TARGETS=1): apt-get install chromium"
            )
        pytest.skip("chromium not installed (apt-get install chromium)")
    return path


@pytest.fixture
def dump_dom(chromium: str, tmp_path: Path) -> Callable[[Path], str]:
    """Load a local file in headless Chromium (no network) and return the DOM after scripts."""

    def run(page: Path) -> str:
        profile = tmp_path / f"profile-{page.stem}"
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    return run


@pytest.fixture
def write_runs(tmp_path: Path) -> Callable[..., list[Path]]:
    """Write ``count`` records made by ``make_record`` under ``tmp_path/<prefix>-<i>/``."""

    def run(prefix: str, count: int, *, seed: int = 0, **kwargs: object) -> list[Path]:
        paths = []
        for i in range(count):
            record: RunRecord = make_record(f"{prefix}-{i}", seed=seed + i, **kwargs)  # type: ignore[arg-type]
            paths.append(write_record(record, tmp_path / "runs" / f"{prefix}-{i}").parent)
        return paths

    return run


@pytest.fixture
def records() -> Iterator[Callable[..., RunRecord]]:
    yield make_record


@pytest.fixture
def reference_site(tmp_path: Path) -> Iterator[str]:
    """The reference site on a free loopback port with a fresh SQLite file; its base URL.
    Stopped by PID in teardown."""
    import re
    import signal
    import sys
    import time

    anp = Path(sys.executable).parent / "anp"
    proc = subprocess.Popen(
        [
            str(anp),
            "target",
            "serve",
            "reference",
            "--port",
            "0",
            "--db",
            str(tmp_path / "ref.db"),
            "--log-file",
            str(tmp_path / "access.log"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            match = re.search(r"http://127\.0\.0\.1:\d+", line)
            url = match.group(0) if match else None
        assert url, "the reference site did not start"
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
