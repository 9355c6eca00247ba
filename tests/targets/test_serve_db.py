"""``anp target serve reference --db``: a missing folder or a file that is not SQLite is a user
mistake (exit 2, nothing created); the default ``results/`` folder is created when missing."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from targets.cli import CliError, check_db_path

ANP = str(Path(sys.executable).with_name("anp"))


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANP, "target", "serve", "reference", "--port", "0", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_missing_folders_are_refused_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nonexistent" / "dir" / "x.db"
    done = serve("--db", str(db), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"--db {db}" in done.stderr
    assert f"{tmp_path / 'nonexistent'} does not exist" in done.stderr
    assert "mkdir -p" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "nonexistent").exists()
    assert "serving on" not in done.stdout


def test_nonexistent_root_folder_is_refused() -> None:
    root = Path("/nonexistent-anp-test")
    if root.exists():
        pytest.skip(f"{root} exists on this machine")
    with pytest.raises(CliError, match="does not exist") as caught:
        check_db_path(root / "dir" / "x.db")
    assert caught.value.exit_code == 2
    assert not root.exists()


def test_one_new_folder_inside_an_existing_one_is_allowed_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new folder per run (``--db /tmp/site-1/reference.db``, as the docs show) keeps working."""
    check_db_path(tmp_path / "site-1" / "reference.db")
    assert "creating the folder" in capsys.readouterr().err


def test_a_file_as_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(CliError, match="is not a folder"):
        check_db_path(tmp_path / "plain" / "x.db")


@pytest.mark.parametrize("content", [b"root:x:0:0:root:/root:/bin/bash\n", b"\x00" * 100])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "passwd"
    db.write_bytes(content)
    done = serve("--db", str(db), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is not an SQLite database" in done.stderr
    assert "retrying with the same value will fail again" in done.stderr
    assert "Traceback" not in done.stderr
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passwd"]  # no -wal/-shm files


def test_etc_passwd_is_refused() -> None:
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd on this system")
    with pytest.raises(CliError, match="is not an SQLite database") as caught:
        check_db_path(Path("/etc/passwd"))
    assert caught.value.exit_code == 2


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="not a regular file"):
        check_db_path(tmp_path)


def test_new_file_in_an_existing_folder_and_empty_file_are_accepted(tmp_path: Path) -> None:
    check_db_path(tmp_path / "new.db")
    (tmp_path / "empty.db").touch()
    check_db_path(tmp_path / "empty.db")  # SQLite treats an empty file as a new database
    assert not (tmp_path / "new.db").exists()


def test_default_results_folder_is_created(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [ANP, "target", "serve", "reference", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the first line is 'anp-reference ... serving on URL'
        assert re.search(r"serving on http://127\.0\.0\.1:\d+", line), line
        assert (tmp_path / "results" / "reference.db").is_file()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0


def test_existing_site_database_is_accepted(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "site.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    check_db_path(db)  # raises CliError if refused
