"""Where ``anp post`` and ``anp corpus`` write: ``--out -`` and ``--out /dev/stdout`` reach stdout,
a full stdout is a one-line error (exit 2), summaries count in English with thousands separators,
merged seeds are announced, errors say whether a retry helps, and ``anp corpus verify``'s usage
line is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, cwd: Path | None = None, stdout: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "anp", *args],
        cwd=cwd or ROOT,
        env=dict(os.environ, PYTHONHASHSEED="0"),
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("out", ["-", "/dev/stdout"])
def test_post_out_stdout_writes_the_same_bytes(out: str) -> None:
    plain = run("post", "5", "--format", "json")
    through = run("post", "5", "--format", "json", "--out", out)
    assert through.returncode == 0, through.stderr
    assert through.stdout == plain.stdout and through.stdout.startswith(b"{")


def test_corpus_to_stdout_has_no_manifest_and_summarises_on_stderr(tmp_path: Path) -> None:
    result = run("corpus", "--seeds", "0-5,3-8", "--out", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [json.loads(line)["meta"]["payload"]["seed"] for line in lines] == list(range(9))
    stderr = result.stderr.decode()
    assert "names some seeds more than once; each is written once" in stderr
    assert "wrote 9 posts (jsonl, none, " in stderr and " to stdout" in stderr
    assert "no manifest" in stderr
    assert list(tmp_path.iterdir()) == []  # no file named '-' and no manifest


def test_corpus_summary_counts_in_english(tmp_path: Path) -> None:
    one = run("corpus", "--seeds", "1", "--out", "one.jsonl", cwd=tmp_path)
    assert one.returncode == 0 and b"wrote 1 post (" in one.stdout
    many = run("corpus", "--seeds", "0-1199", "--out", "many.jsonl", cwd=tmp_path)
    size = (tmp_path / "many.jsonl").stat().st_size
    assert many.returncode == 0 and b"wrote 1,200 posts (" in many.stdout
    assert f"{size:,} bytes".encode() in many.stdout
    verify = run("corpus", "verify", "many.jsonl", cwd=tmp_path)
    assert verify.stdout.startswith(b"ok: 1,200 records in many.jsonl")


@pytest.mark.parametrize(
    "args",
    [
        ["post", "5", "--size", "xl", "--format", "json"],
        ["post", "5"],
        ["post", "--list-invalid"],
    ],
)
def test_a_full_stdout_is_a_one_line_error(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = run(*args, stdout=full.fileno())
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert "anp: error: cannot write to stdout (No space left on device)" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_verify_to_a_full_stdout_is_a_one_line_error(tmp_path: Path) -> None:
    assert run("corpus", "--seeds", "0-20", "--out", "c.jsonl", cwd=tmp_path).returncode == 0
    with open("/dev/full", "wb") as full:
        result = run("corpus", "verify", "c.jsonl", cwd=tmp_path, stdout=full.fileno())
    assert result.returncode == 2, result.stderr
    assert b"cannot write to stdout (No space left on device)" in result.stderr
    assert b"Traceback" not in result.stderr


def test_out_as_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("post", "5", "--out", str(tmp_path))
    assert result.returncode == 2
    assert b"is a directory" in result.stderr and b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["corpus", "--seeds", "5-1", "--out", "x.jsonl"],
        ["corpus", "--seeds", "0-1", "--out", "/nonexistent/c.jsonl"],
        ["corpus", "verify", "missing.jsonl"],
        ["post", "abc"],
        ["post", "5", "--invalid", "nope"],
    ],
)
def test_errors_say_whether_retrying_helps(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert b"retry" in result.stderr, result.stderr


def test_list_invalid_uses_the_seed_it_is_given() -> None:
    result = run("post", "5", "--list-invalid")
    assert result.returncode == 0
    assert b"as made for seed 5 " in result.stdout
    assert run("post", "x", "--list-invalid").returncode == 2


def test_verify_usage_is_its_own() -> None:
    missing = run("corpus", "verify")
    stderr = missing.stderr.decode()
    assert missing.returncode == 2
    assert stderr.startswith("usage: anp corpus verify [-h]")
    assert "anp corpus verify: error: the following arguments are required: FILE" in stderr
    assert "--seeds RANGES" not in stderr
    helptext = run("corpus", "verify", "--help").stdout.decode()
    assert helptext.startswith("usage: anp corpus verify [-h]")


def test_corpus_help_says_duplicates_are_merged() -> None:
    text = run("corpus", "--help").stdout.decode()
    assert "duplicates and overlaps are merged" in text
    assert "143 SIGTERM" in text


def test_corpus_to_devices_never_replaces_them_nor_adds_manifests() -> None:
    before = {name: os.lstat(name) for name in ("/dev/null", "/dev/full")}
    null = run("corpus", "--seeds", "0-9", "--out", "/dev/null")
    assert null.returncode == 0 and b"no manifest: /dev/null is not a regular file" in null.stdout
    full = run("corpus", "--seeds", "0-9", "--out", "/dev/full")
    assert full.returncode == 2 and b"No space left on device" in full.stderr
    for name, info in before.items():
        assert os.lstat(name).st_ino == info.st_ino and os.lstat(name).st_rdev == info.st_rdev
        assert not Path(name + ".manifest.json").exists()


@pytest.mark.parametrize(
    ("advised", "expected"),
    [
        (False, "bad retry count; retrying with the same input will fail again"),
        (True, "bad retry count"),  # the message says itself whether retrying helps
    ],
)
def test_the_retry_note_follows_the_errors_marker_not_its_words(
    advised: bool, expected: str
) -> None:
    from synth.cli import _retry_note
    from synth.corpus_errors import CorpusError

    def handler(args: object) -> int:
        error = CorpusError("bad retry count")  # "retry" in the words, not advice
        error.retry_advice = advised
        raise error

    with pytest.raises(CorpusError) as caught:
        _retry_note(handler)(None)  # type: ignore[arg-type]
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    "fail",
    [
        lambda: __import__("synth.seeds").seeds.check_seed("5"),
        lambda: __import__("synth.canonical").canonical.post_from_json(b"{}"),
    ],
    ids=["check_seed", "post_from_json"],
)
def test_errors_whose_message_advises_get_no_second_retry_note(fail: object) -> None:
    from synth.cli import _retry_note
    from synth.errors import SynthError

    def handler(args: object) -> int:
        fail()  # type: ignore[operator]
        return 0

    with pytest.raises(SynthError) as caught:
        _retry_note(handler)(None)  # type: ignore[arg-type]
    assert str(caught.value).count("retrying") == 1, str(caught.value)
