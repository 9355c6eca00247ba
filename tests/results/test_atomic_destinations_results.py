"""results.atomic follows synth.atomic's policy: a special file (FIFO, /dev/null, our stdout) is
written through and never replaced, a symlink keeps pointing at its rewritten target, a directory
is refused, and a missing folder is an error unless the caller asks for it to be created."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from results.atomic import write_text_atomic


def test_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "ff"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_text_atomic(fifo, "report ⚠\n")
    reader.join(timeout=30)
    assert received == ["report ⚠\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ff"]


def test_dev_null_is_never_replaced() -> None:
    before = os.lstat(os.devnull)
    write_text_atomic(Path(os.devnull), "discarded")
    after = os.lstat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_symlink_stays(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to("real.md")
    write_text_atomic(link, "new")
    assert link.is_symlink() and (tmp_path / "real.md").read_text() == "new"


def test_a_directory_and_a_missing_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_text_atomic(tmp_path, "x")
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        write_text_atomic(tmp_path / "typo" / "deeper" / "c.md", "x")
    assert list(tmp_path.iterdir()) == []  # no folder tree was made


def test_dev_stdout_reaches_the_pipe() -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom results.atomic import write_text_atomic\n"
        "print('before', flush=False)\nwrite_text_atomic(Path('/dev/stdout'), 'report\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == "before\nreport\n"  # in order: buffered text is flushed first
