"""``anp run`` / ``anp demo``: a ``--out`` that cannot hold run folders is a usage error (exit 2,
one line naming the option, no traceback), and every usage check comes before the reachability
probe, so the same mistake exits 2 whether the target is up or down."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.local_site import write_definition
from loadtests.runner import RunError, check_out_root, prepare_run_dir


def anp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anp", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def down_definition(tmp_path: Path, kind: str = "reference") -> Path:
    """A definition whose site is not running (a free port nobody listens on)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if kind == "reference":
        return write_definition(tmp_path / "down.toml", "down", f"http://127.0.0.1:{port}")
    path = tmp_path / "down-http.toml"
    path.write_text(
        'kind = "http"\nname = "down-http"\n'
        f'base_url = "http://127.0.0.1:{port}"\n\n'
        '[http]\nmethod = "POST"\npath = "/import/posts"\nmode = "canonical"\n'
        'acknowledged = [200, 201]\nhealth_path = "/health"\n'
    )
    return path


def assert_usage(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("anp: error: ")]
    assert len(lines) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_out_that_is_a_file_exits_2_before_the_probe(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me\n")
    done = anp("run", "--target", str(down_definition(tmp_path)), "--out", str(existing))
    assert_usage(done, f"--out: got '{existing}'", "expected a folder for run folders", "a file")
    assert existing.read_text() == "keep me\n"


def test_out_below_a_file_exits_2(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me\n")
    done = anp("run", "--target", str(down_definition(tmp_path)), "--out", str(existing / "runs"))
    assert_usage(done, "--out: got", f"'{existing}' is a file")


def test_demo_out_that_is_a_file_exits_2(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me\n")
    done = anp("demo", "--duration", "2s", "--no-progress", "--out", str(existing))
    assert_usage(done, f"--out: got '{existing}'", "expected a folder")
    assert existing.read_text() == "keep me\n"


def test_an_existing_run_id_exits_2_before_the_probe(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    (out / "taken").mkdir(parents=True)
    done = anp(
        "run", "--target", str(down_definition(tmp_path)), "--out", str(out), "--run-id", "taken"
    )
    assert_usage(done, "--run-id", "already exists")


def test_batch_on_a_target_without_batch_exits_2_even_when_it_is_down(tmp_path: Path) -> None:
    done = anp(
        "run",
        "--target",
        str(down_definition(tmp_path, kind="http")),
        "--scenario",
        "batch",
        "--out",
        str(tmp_path / "runs"),
    )
    assert_usage(done, "--scenario: got 'batch'", "no batch endpoint")
    assert not (tmp_path / "runs").exists()


def test_the_probe_still_comes_before_any_folder_is_made(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = anp("run", "--target", str(down_definition(tmp_path)), "--out", str(out))
    assert done.returncode == 3, done.stderr
    assert "unreachable" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_prepare_run_dir_turns_os_errors_into_usage_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out_root in (blocker, blocker / "below"):
        with pytest.raises(RunError) as caught:
            prepare_run_dir(out_root, "r1")
        assert caught.value.exit_code == 2
        assert str(caught.value).startswith(f"--out: got '{out_root}'")
    made = prepare_run_dir(tmp_path / "new" / "runs", "r1")
    assert made.is_dir() and made.name == "r1"
    with pytest.raises(RunError, match="--run-id"):
        check_out_root(tmp_path / "new" / "runs", "r1")
