"""``anp post``, ``anp corpus`` and ``anp corpus verify`` run as real subprocesses: output bytes,
exit codes, error text on stderr (no tracebacks), determinism across PYTHONHASHSEED values and
worker counts, and interruption by SIGTERM / SIGINT."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synth import (
    INVALID_KINDS,
    canonical_json,
    render_html,
    render_markdown,
    render_text,
    synthesize,
    synthesize_invalid,
)

ROOT = Path(__file__).resolve().parents[2]
RANGE_EXAMPLE = "0-99999, 5 or 1,3,10-20"


def anp(
    *args: str, cwd: Path | None = None, hashseed: str = "0", timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    return subprocess.run(
        [sys.executable, "-m", "anp", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def _error(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    assert result.stdout == b""
    return stderr


# --- anp post ----------------------------------------------------------------------------------


def test_post_prints_the_page_text_byte_for_byte() -> None:
    result = anp("post", "679")
    assert result.returncode == 0
    assert result.stdout == render_text(synthesize(679)).encode()


def test_post_json_is_the_canonical_json() -> None:
    result = anp("post", "679", "--format", "json")
    assert result.stdout == canonical_json(synthesize(679))


@pytest.mark.parametrize(("fmt", "render"), [("html", render_html), ("markdown", render_markdown)])
def test_post_out_writes_the_file(tmp_path: Path, fmt: str, render) -> None:
    out = tmp_path / f"post.{fmt}"
    result = anp("post", "5", "--format", fmt, "--size", "xl", "--out", str(out))
    assert result.returncode == 0 and result.stdout == b""
    assert out.read_bytes() == render(synthesize(5, size="xl")).encode()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("kind", ["html_injection", "not_json", "oversized"])
def test_post_invalid_prints_the_body_bytes(kind: str) -> None:
    assert kind in INVALID_KINDS
    result = anp("post", "5", "--invalid", kind)
    assert result.returncode == 0
    assert result.stdout == synthesize_invalid(5, kind).body


def test_list_invalid_names_every_kind_with_its_answer() -> None:
    result = anp("post", "--list-invalid")
    assert result.returncode == 0
    out = result.stdout.decode()
    for kind in INVALID_KINDS:
        example = synthesize_invalid(0, kind)
        assert f"{kind}\n    {example.description}\n" in out
    assert "a target should answer: 4" in out


@pytest.mark.parametrize("seed", ["abc", "-5", "1.5", str(2**63), "0x10", ""])
def test_bad_seed_exits_2_naming_the_value_and_an_example(seed: str) -> None:
    stderr = _error(anp("post", seed))
    assert stderr.startswith("anp: error: SEED: seed must be")
    assert repr(seed) in stderr or seed in stderr
    assert "(for example: anp post 5)" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["post", "5", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["post", "5", "--size", "xxl"], "argument --size: invalid choice: 'xxl'"),
        (["post", "5", "--invalid", "nope"], "--invalid must be one of changed_content"),
        (
            ["post", "5", "--invalid", "not_json", "--format", "json"],
            "--format and --size do not apply",
        ),
        (["post"], "SEED is required, e.g. 'anp post 679'"),
        (
            ["post", "5", "--out", "no/such/dir/p.txt"],
            "cannot write it (No such file or directory)",
        ),
    ],
)
def test_bad_post_options_exit_2(args: list[str], message: str) -> None:
    assert message in _error(anp(*args))


# --- anp corpus --------------------------------------------------------------------------------


@pytest.mark.parametrize("seeds", ["5-1", "abc", "1,,3", "-3", "1-2-3", ""])
def test_bad_seed_ranges_exit_2_with_a_valid_example(tmp_path: Path, seeds: str) -> None:
    stderr = _error(anp("corpus", "--seeds", seeds, "--out", str(tmp_path / "c.jsonl")))
    assert stderr.startswith("anp: error: --seeds: ")
    assert RANGE_EXAMPLE in stderr
    if seeds:
        assert repr(seeds) in stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--seeds", "0-9"],
            "--out required: e.g. anp corpus --seeds 0-99999 --out corpus.jsonl.gz",
        ),
        (["--out", "c.jsonl"], "--seeds required"),
        (
            ["--seeds", "0-9", "--out", "c.jsonl", "--workers", "0"],
            "argument --workers: expected an integer in 1..64, got '0' (for example --workers 2)",
        ),
        (["--seeds", "0-9", "--out", "c.jsonl", "--workers", "two"], "got 'two'"),
        (
            ["--seeds", "0-9", "--out", "c.jsonl", "--format", "pdf"],
            "argument --format: invalid choice: 'pdf'",
        ),
        (["--seeds", "0-9", "--out", "no/such/dir/c.jsonl"], "does not exist; create it first"),
    ],
)
def test_bad_corpus_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    assert message in _error(anp("corpus", *args, cwd=tmp_path))


@pytest.mark.parametrize("name", ["c.jsonl.gz", "c.txt"])
def test_corpus_bytes_are_identical_across_workers_and_hash_seeds(
    tmp_path: Path, name: str
) -> None:
    seeds = "0-300,1000-1100,5000"
    outputs = []
    for workers, hashseed in [("1", "0"), ("2", "12345"), ("3", "random")]:
        directory = tmp_path / f"w{workers}"
        directory.mkdir()
        result = anp(
            "corpus",
            "--seeds",
            seeds,
            "--out",
            name,
            "--workers",
            workers,
            cwd=directory,
            hashseed=hashseed,
        )
        assert result.returncode == 0, result.stderr
        data = (directory / name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert f"sha256 {digest}" in result.stdout.decode()
        outputs.append((data, (directory / f"{name}.manifest.json").read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    data = gzip.decompress(outputs[0][0]) if name.endswith(".gz") else outputs[0][0]
    assert data.count(b"\n" if name.startswith("c.jsonl") else b"\n\f\n") == 403


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    quiet = anp("corpus", "--seeds", "0-600", "--out", "q.jsonl", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == b""

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "anp", "corpus", "--seeds", "0-600", "--out", "t.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    try:
        while True:
            try:
                block = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not block:
                break
            seen += block
        process.communicate(timeout=60)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert b"posts" in seen and b"/601" in seen
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "q.jsonl").read_bytes()


def test_verify_clean_then_tampered_then_unreadable(tmp_path: Path) -> None:
    assert anp("corpus", "--seeds", "0-40", "--out", "c.jsonl", cwd=tmp_path).returncode == 0
    clean = anp("corpus", "verify", "c.jsonl", cwd=tmp_path)
    assert clean.returncode == 0
    assert clean.stdout.decode().startswith(
        "ok: 41 records in c.jsonl match their seeds (manifest "
    )

    lines = (tmp_path / "c.jsonl").read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"seed":1', b'"seed":2')
    (tmp_path / "c.jsonl").write_bytes(b"\n".join(lines))
    bad = anp("corpus", "verify", "c.jsonl", cwd=tmp_path)
    assert bad.returncode == 1
    out = bad.stdout.decode()
    assert "mismatch: file: sha256 " in out
    assert "mismatch: record 2 (line 2): seed 2: " in out
    assert "mismatch: record 2 (line 2): seed 2: the manifest's seed ranges put seed 1 here" in out
    assert out.splitlines()[-1].startswith("FAILED: ")

    (tmp_path / "junk.jsonl.gz").write_bytes(b"junk")
    unreadable = anp("corpus", "verify", "junk.jsonl.gz", cwd=tmp_path)
    assert "is not a readable gzip file" in _error(unreadable)


@pytest.mark.parametrize("args", [["post"], ["corpus"], ["corpus", "verify"]])
def test_help_has_a_description_and_examples(args: list[str]) -> None:
    result = anp(*args, "--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "examples:\n  anp " in text
    assert text.count("\n\n") >= 3


# --- interruption ------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_corpus_leaves_nothing_behind(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "big.jsonl.gz").write_bytes(b"earlier")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anp",
            "corpus",
            "--seeds",
            "0-5000000",
            "--out",
            "big.jsonl.gz",
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if temps and temps[0].stat().st_size > 0:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the corpus temp file never grew")
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == (143 if sig == signal.SIGTERM else 130)  # 128 + the signal
    assert b"anp: interrupted" in stderr and b"Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl.gz"]
    assert (tmp_path / "big.jsonl.gz").read_bytes() == b"earlier"


def _group_members(pgid: int) -> int:
    """How many live processes are in process group ``pgid`` (from /proc)."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            count += 1
    return count


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    ("out", "extra"),
    [("c.jsonl", []), ("c.txt", ["--format", "text"])],  # both rendered in worker processes
)
def test_sigterm_to_the_whole_process_group_stops_corpus(
    tmp_path: Path, out: str, extra: list[str]
) -> None:
    """``timeout``, a service manager or a shell's job control signal the whole group, so the
    worker processes get SIGTERM too. Before they ignored it, a worker killed while sending a
    result left the pool's manager thread reading the rest of it forever: anp hung in the
    executor's shutdown and left its temp file (about 1 run in 3)."""
    for attempt in range(6):  # the old hang needed a worker mid-send; more tries, more chances
        args = ["corpus", "--seeds", "0-9999999", "--out", out, "--workers", "2", *extra]
        process = subprocess.Popen(
            [sys.executable, "-m", "anp", *args],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group, as under timeout or a service manager
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # until the worker process is up and writing
                temps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
                # anp, the fork server and the worker process
                if temps and temps[0].stat().st_size > 0 and _group_members(process.pid) >= 3:
                    break
                assert process.poll() is None, process.communicate()
                time.sleep(0.02)
            else:
                pytest.fail("the worker process never started")
            time.sleep(0.4 + 0.1 * attempt)  # well into the run, at varying points
            os.killpg(process.pid, signal.SIGTERM)
            try:
                _, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail(f"anp corpus still running 30 s after SIGTERM (attempt {attempt})")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert process.returncode == 143, stderr
        assert b"Traceback" not in stderr, stderr
        assert list(tmp_path.iterdir()) == [], "no corpus, manifest or temp file is left"
        deadline = time.monotonic() + 10  # nor a worker, the fork server or the resource tracker
        while _group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_members(process.pid) == 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_the_worker_processes_exit_when_corpus_is_killed(tmp_path: Path) -> None:
    """SIGKILL to anp alone (the OOM killer, ``kill -9 PID``) leaves it no chance to shut its
    pool down. Its worker processes used to wait for tasks for ever and keep the fork server and
    the resource tracker alive with them; now they exit by themselves, and those two follow."""
    args = ["corpus", "--seeds", "0-9999999", "--out", "c.jsonl", "--workers", "3"]
    process = subprocess.Popen(
        [sys.executable, "-m", "anp", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the test finds what it left by the group id
    )
    try:
        deadline = time.monotonic() + 60
        # anp, the resource tracker, the fork server and two worker processes
        while _group_members(process.pid) < 5 and time.monotonic() < deadline:
            assert process.poll() is None
            time.sleep(0.02)
        assert _group_members(process.pid) >= 5, "the worker processes never started"
        time.sleep(0.3)
        process.kill()  # anp only, not its group
        process.wait()
        deadline = time.monotonic() + 15
        while _group_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_members(process.pid) == 0, "a worker, the fork server or the tracker stayed"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
