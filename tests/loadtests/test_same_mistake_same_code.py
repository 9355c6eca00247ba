"""The same usage mistake exits 2 under plain ``locust`` and under ``anp run``, whether the
target is up or down (usage checks come before the reachability probe in both)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def _down_http_definition(tmp_path: Path) -> Path:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "no-batch.toml"
    path.write_text(
        'kind = "http"\nname = "no-batch"\n'
        f'base_url = "http://127.0.0.1:{port}"\n\n'
        '[http]\nmethod = "POST"\npath = "/import/posts"\nmode = "canonical"\n'
        'acknowledged = [200, 201]\nhealth_path = "/health"\n'
    )
    return path


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _plain(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(
        *("locust", "-f", str(REPO / "loadtests" / "locustfile.py")),
        *("--headless", "-u", "1", "-r", "1", "-t", "60s", "--anp-out", str(tmp_path / "pl")),
        *args,
    )


def _wrapped(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run("anp", "run", "--no-progress", "--out", str(tmp_path / "runs"), *args)


@pytest.mark.parametrize("mistake", ["missing definition", "batch without a batch endpoint"])
def test_both_wrappers_exit_2(tmp_path: Path, mistake: str) -> None:
    if mistake == "missing definition":
        args: tuple[str, ...] = ("--target", str(tmp_path / "nope.toml"))
    else:
        args = ("--target", str(_down_http_definition(tmp_path)), "--scenario", "batch")
    for done in (_plain(tmp_path, *args), _wrapped(tmp_path, *args)):
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert "anp: error: " in done.stderr
