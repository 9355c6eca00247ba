"""synth.atomic writes a regular file atomically and a special file straight through: a FIFO or
a device is never replaced by a regular file, a symlink keeps pointing at its (rewritten) target,
and a directory is refused before anything is written."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from synth.atomic import AtomicWriter, destination, write_atomic


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "ff"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"post bytes")
    reader.join(timeout=30)
    assert received == [b"post bytes"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ff"]  # no temp file left


def test_dev_null_is_never_replaced() -> None:
    before = os.lstat(os.devnull)
    write_atomic(os.devnull, b"discarded")
    after = os.lstat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_symlink_stays_and_its_target_is_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "existing.txt"
    target.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to("existing.txt")
    write_atomic(link, b"new")
    assert link.is_symlink() and os.readlink(link) == "existing.txt"
    assert target.read_bytes() == b"new"


def test_a_dangling_symlink_gets_its_target_created(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    write_atomic(link, b"x")
    assert link.is_symlink() and (tmp_path / "made.txt").read_bytes() == b"x"


def test_a_directory_is_refused_before_writing(tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(folder, b"x")
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


def test_regular_files_keep_the_usual_mode_and_atomicity(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        path = tmp_path / "out.bin"
        path.write_bytes(b"earlier")
        writer = AtomicWriter(path)
        assert not writer.direct and destination(path).path == path
        writer.write(b"later")
        writer.finish()
        assert path.read_bytes() == b"earlier"  # nothing visible before the commit
        writer.commit()
        assert path.read_bytes() == b"later"
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)
