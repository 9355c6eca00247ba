"""``anp verify RUN`` without a load: finding the run, usage errors, the record left alone when
the target does not answer, and the re-evaluated checks (``loadtests.reverify``).

The end-to-end cases against the reference site are in ``test_reverify_site.py``."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import loadtests.reverify as reverify_module
from loadtests.measurements import Measurements
from loadtests.reverify import (
    EXIT_FAILED,
    ReverifyError,
    _replace,
    find_record,
    recheck,
    verification_exit_code,
)
from results import (
    CheckResult,
    Environment,
    LoadSettings,
    RunRecord,
    SeedSummary,
    TargetInfo,
    Timing,
    Totals,
    Verification,
)
from results.errors import RecordError
from synth import GENERATOR_VERSION

REPO = Path(__file__).resolve().parents[2]
NOT_VERIFIED = "verification was not performed (--no-verify)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_definition(path: Path, url: str, kind: str = "reference") -> Path:
    path.write_text(f'kind = "{kind}"\nname = "gone"\nbase_url = "{url}"\n', encoding="utf-8")
    return path


def make_record(
    run_id: str = "r1", *, definition: str | None = None, generator: str = GENERATOR_VERSION
) -> RunRecord:
    unverified = CheckResult(
        name="max_missing", threshold=0, observed=None, passed=False, detail=NOT_VERIFIED
    )
    return RunRecord(
        run_id=run_id,
        harness_version="test",
        generator_version=generator,
        target=TargetInfo(
            name="gone", kind="reference", url="http://127.0.0.1:9", definition=definition
        ),
        load=LoadSettings(
            scenarios={"import": 1},
            load_model="closed",
            users=1,
            spawn_rate=1.0,
            seeds="0-999",
            timeout_s=5.0,
        ),
        timing=Timing(
            started_at="2026-12-05T00:00:00Z", ended_at="2026-12-05T00:00:05Z", duration_s=5
        ),
        endpoints=[],
        totals=Totals(
            requests=10,
            successes=10,
            failures=0,
            posts_acknowledged=10,
            throughput_rps=2.0,
            posts_per_s=2.0,
            error_ratio=0.0,
        ),
        seeds=SeedSummary(sent=[(0, 9)], acknowledged=[(0, 9)]),
        verification=Verification(performed=False),
        checks=[
            CheckResult(name="max_error_ratio", threshold=0.01, observed=0.0, passed=True),
            unverified,
        ],
        passed=False,
        environment=Environment(
            cpu_count=1, python="3.11", locust="x", platform="linux", hostname="test"
        ),
    )


def store(folder: Path, record: RunRecord) -> Path:
    folder.mkdir(parents=True)
    file = folder / "run.json"
    file.write_text(record.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return file


def anp(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_a_run_is_found_by_id_in_each_dir_by_folder_and_by_file(tmp_path: Path) -> None:
    file = store(tmp_path / "runs" / "r1", make_record())
    assert find_record("r1", [tmp_path / "runs"]) == file
    assert find_record(str(file.parent), ()) == file
    assert find_record(str(file), ()) == file
    store(tmp_path / "more" / "r1", make_record())
    with pytest.raises(RecordError, match="more than one folder"):
        find_record("r1", [tmp_path / "runs", tmp_path / "more"])


@pytest.mark.parametrize(
    ("make", "args", "code", "message"),
    [
        (None, ["verify", "nope", "--dir", "{tmp}"], 2, "run 'nope' not found"),
        (None, ["verify", "nope", "--dir", "{tmp}/absent"], 2, "--dir: '{tmp}/absent' does not"),
        (None, ["verify", "{tmp}/a/b"], 2, "run '{tmp}/a/b' not found"),
        ("folder", ["verify", "{tmp}/empty"], 3, "no run record in folder"),
        ("unfinished", ["verify", "{tmp}/crashed"], 3, "the run did not finish"),
        ("old", ["verify", "r1", "--dir", "{tmp}"], 3, "generator version 0.0-old"),
        ("no-def", ["verify", "r1", "--dir", "{tmp}"], 2, "--target: missing, and the record"),
        ("gone-def", ["verify", "r1", "--dir", "{tmp}"], 2, "no longer exists; expected --target"),
        ("no-def", ["verify", "r1", "--dir", "{tmp}", "--target", "{tmp}/x.toml"], 2, "--target:"),
        (
            "no-def",
            ["verify", "r1", "--dir", "{tmp}", "--target", "targets/local-wordpress.toml"],
            2,
            "expected a definition of kind 'reference'",
        ),
        ("no-def", ["verify", "r1", "--dir", "{tmp}", "--format", "yaml"], 2, "--format"),
    ],
)
def test_usage_errors_and_missing_runs(
    tmp_path: Path, make: str | None, args: list[str], code: int, message: str
) -> None:
    if make == "folder":
        (tmp_path / "empty").mkdir()
    elif make == "unfinished":
        (tmp_path / "crashed").mkdir()
        (tmp_path / "crashed" / "measurements.json").write_text("{}", encoding="utf-8")
    elif make == "old":
        store(tmp_path / "r1", make_record(generator="0.0-old"))
    elif make == "no-def":
        store(tmp_path / "r1", make_record())
    elif make == "gone-def":
        store(tmp_path / "r1", make_record(definition=str(tmp_path / "moved.toml")))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    done = anp(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert done.returncode == code, done.stderr
    assert message.replace("{tmp}", str(tmp_path)) in done.stderr
    assert "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_missing_run_exits_as_anp_compare_does(tmp_path: Path) -> None:
    verify = anp("verify", tmp_path / "missing")
    compare = anp("compare", tmp_path / "missing", "--against", tmp_path / "missing2")
    assert verify.returncode == compare.returncode == 2  # a command-line mistake


def test_an_unreachable_target_leaves_the_record_as_it_was(tmp_path: Path) -> None:
    definition = write_definition(tmp_path / "t.toml", f"http://127.0.0.1:{free_port()}")
    file = store(tmp_path / "runs" / "r1", make_record(definition=str(definition)))
    original = file.read_bytes()
    done = anp("verify", "r1", "--dir", tmp_path / "runs")
    assert done.returncode == 3, done.stderr
    assert "did not answer its health check" in done.stdout
    assert "run `anp verify r1`" in done.stdout  # finalize's message names the command
    assert "record not changed" in done.stdout
    assert "the record was not changed; retrying is safe" in done.stderr
    assert file.read_bytes() == original
    assert sorted(p.name for p in file.parent.iterdir()) == ["run.json"]


def test_recheck_replaces_only_the_verification_checks() -> None:
    record = make_record()
    record = record.model_copy(
        update={
            "checks": [
                CheckResult(name="max_p95_ms", threshold=5, observed=9, passed=False),
                *record.checks,
                CheckResult(
                    name="max_corrupted", threshold=2, observed=None, passed=False, detail="x"
                ),
            ]
        }
    )
    found = Verification(performed=True, acknowledged=10, landed=7, missing=3, corrupted=2)
    checks = recheck(record, found)
    assert [c.name for c in checks] == [
        "max_p95_ms",
        "max_error_ratio",
        "max_missing",
        "max_corrupted",
    ]
    assert checks[:2] == record.checks[:2]
    assert (checks[2].observed, checks[2].passed) == (3.0, False)
    assert (checks[3].observed, checks[3].threshold, checks[3].passed) == (2.0, 2.0, True)


@pytest.mark.parametrize(
    ("verification", "code"),
    [
        (Verification(performed=True, acknowledged=5, landed=5), 0),
        (Verification(performed=True, acknowledged=5, landed=4, missing=1), 1),
        (Verification(performed=True, acknowledged=5, landed=5, corrupted=1), 1),
        (Verification(performed=True, acknowledged=5, landed=5, duplicates=1), 0),
        (Verification(performed=True, acknowledged=5, landed=4, error="1 unreadable"), 3),
        (Verification(performed=False, error="down"), 3),
    ],
)
def test_exit_code_of_a_verification(verification: Verification, code: int) -> None:
    assert verification_exit_code(verification) == code


def test_a_record_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    file = store(tmp_path / "r1", make_record())
    current = file.read_bytes()
    with pytest.raises(RecordError, match="changed while its posts were read back"):
        _replace(file, b"what was read before", make_record("other"))
    assert file.read_bytes() == current
    assert sorted(p.name for p in file.parent.iterdir()) == ["run.json"]


def test_a_record_that_cannot_be_written_is_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = store(tmp_path / "r1", make_record())
    original = file.read_bytes()
    real = reverify_module.write_bytes_atomic

    def full_disk(path: Path, data: bytes) -> Path:
        if path == file:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(reverify_module, "write_bytes_atomic", full_disk)
    with pytest.raises(ReverifyError) as caught:
        _replace(file, original, make_record("new"))
    assert caught.value.exit_code == EXIT_FAILED
    assert "No space left on device" in str(caught.value)
    assert "the record was not changed" in str(caught.value)
    assert file.read_bytes() == original


@pytest.mark.parametrize(("interrupted", "passed"), [(False, True), (True, None)])
def test_a_completed_verification_replaces_the_block_and_the_verdict_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted: bool, passed: bool | None
) -> None:
    definition = write_definition(tmp_path / "t.toml", "http://127.0.0.1:9")
    record = make_record(definition=str(definition))
    file = store(tmp_path / "r1", record.model_copy(update={"interrupted": interrupted}))
    original = file.read_bytes()
    found = Verification(performed=True, acknowledged=10, landed=10, duration_s=0.1)
    asked: list[Measurements] = []

    def read_back(measurements: Measurements, target: object) -> Verification:
        asked.append(measurements)
        return found

    monkeypatch.setattr(reverify_module, "run_verification", read_back)
    done = reverify_module.reverify(file)
    assert done.exit_code == 0 and done.updated
    (measurements,) = asked
    assert measurements.seeds == record.seeds
    assert measurements.target.definition == str(definition)
    stored = RunRecord.model_validate_json(file.read_bytes())
    assert stored.verification == found
    assert [(c.name, c.passed) for c in stored.checks] == [
        ("max_error_ratio", True),
        ("max_missing", True),
    ]
    assert stored.passed is passed  # an interrupted run has no verdict, verified or not
    assert done.backup is not None and done.backup.read_bytes() == original
