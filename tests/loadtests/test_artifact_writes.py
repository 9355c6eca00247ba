"""The run-folder files the harness writes (measurements.json, Locust's CSV/HTML when the harness
writes them) go through the one writer: the usual mode (0666 minus the umask, not 0600), and a
symlink, device node or FIFO already at the path is written through, never replaced."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests.artifacts import write_atomic


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield int(request.param)
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_usual_mode(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "run" / "measurements.json"
    write_atomic(path, b"{}\n")
    assert path.read_bytes() == b"{}\n"
    assert mode(path) == 0o666 & ~umask
    assert [p.name for p in path.parent.iterdir()] == ["measurements.json"]  # no temp left


def test_replacing_a_0600_file_gives_the_usual_mode(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "locust_stats.csv"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert mode(path) == 0o666 & ~umask
