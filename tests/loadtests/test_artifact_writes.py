"""The run-folder files the harness writes (measurements.json, Locust's CSV/HTML when the harness
writes them) go through the one writer: the usual mode (0666 minus the umask, not 0600), and a
symlink, device node or FIFO already at the path is written through, never replaced."""

from __future__ import annotations

import os
import stat
import threading
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


def test_a_symlink_stays_and_its_target_is_written(tmp_path: Path) -> None:
    real = tmp_path / "kept" / "stats.csv"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "locust_stats.csv"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "measurements.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, b'{"a": 1}\n')
    reader.join(timeout=60)
    assert got == [b'{"a": 1}\n']
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["measurements.json"]  # no temp file


def test_a_character_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "locust.html"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    write_atomic(null, b"<html></html>")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["locust.html"]
