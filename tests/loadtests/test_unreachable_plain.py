"""Plain ``locust --headless`` against a target that is not there fails at once with exit 3."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_plain_locust_refuses_an_unreachable_target_before_the_load(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there once the socket is closed
    definition = tmp_path / "gone.toml"
    definition.write_text(
        f'kind = "reference"\nname = "gone"\nbase_url = "http://127.0.0.1:{port}"\n'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(REPO / "loadtests" / "locustfile.py"),
            "--headless",
            "-u",
            "1",
            "-r",
            "1",
            "-t",
            "120s",
            "--target",
            str(definition),
            "--anp-out",
            str(tmp_path / "run"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,  # far below the 120 s run time: it must not run the load at all
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert f"127.0.0.1:{port} is unreachable (connection_refused)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "run" / "run.json").exists()
