"""finalize: hand-made Measurements, a real reference site, the record on disk, the exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from run_fixtures import Site, make_measurements, reference_site

from loadtests import CheckSpec
from loadtests.finalize import (
    artifacts,
    exit_code,
    finalize,
    git_commit,
    refresh_artifacts,
    write_record,
)
from results import RunRecord

__all__ = ["reference_site"]


@pytest.mark.integration
def test_passing_run_writes_a_complete_record(reference_site: Site, tmp_path: Path):
    reference_site.import_seeds(range(0, 100))
    out = tmp_path / "run"
    out.mkdir()
    (out / "measurements.json").write_text("{}")
    m = make_measurements(
        url=reference_site.url,
        checks=CheckSpec(max_missing=0, max_corrupted=0, max_error_ratio=0.05),
    )
    record, code = finalize(m, target=reference_site.target, out_dir=out)
    assert code == 0
    on_disk = RunRecord.model_validate_json((out / "run.json").read_bytes())
    assert on_disk == record
    v = record.verification
    assert (v.performed, v.acknowledged, v.landed, v.missing, v.corrupted) == (True, 100, 100, 0, 0)
    assert record.passed is True
    assert [c.name for c in record.checks] == ["max_error_ratio", "max_missing", "max_corrupted"]
    # 10 successes per second, warm-up 2 s: 80 successes over 8 s
    assert record.totals.throughput_rps == pytest.approx(10.0)
    assert record.totals.requests == 101 and record.totals.failures == 1
    assert record.errors == {"http_503": 1}
    assert record.generator_version
    assert record.environment.cpu_count == os.cpu_count()
    assert record.environment.python == ".".join(map(str, sys.version_info[:3]))
    assert record.artifacts == {"measurements": "measurements.json"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.integration
def test_missing_post_fails_the_check_with_exit_1(reference_site: Site, tmp_path: Path):
    reference_site.import_seeds(range(0, 90))  # the record claims 0-99 were acknowledged
    m = make_measurements(url=reference_site.url, checks=CheckSpec(max_missing=0))
    record, code = finalize(m, target=reference_site.target, out_dir=tmp_path)
    assert code == 1
    assert record.verification.missing == 10
    assert record.passed is False
    assert record.checks[0].observed == 10


@pytest.mark.integration
def test_definition_checks_merge_with_options(reference_site: Site, tmp_path: Path):
    reference_site.import_seeds(range(0, 100))
    definition = tmp_path / "with-checks.toml"
    definition.write_text(
        reference_site.definition.read_text() + "\n[checks]\nmax_p99_ms = 0.001\nmax_missing = 0\n"
    )
    m = make_measurements(
        url=reference_site.url, definition=str(definition), checks=CheckSpec(max_p99_ms=10_000)
    )
    record, code = finalize(m, target=reference_site.target, out_dir=tmp_path / "run")
    assert {c.name: c.threshold for c in record.checks} == {"max_p99_ms": 10_000, "max_missing": 0}
    assert code == 0
    m = make_measurements(url=reference_site.url, definition=str(definition))
    record, code = finalize(m, target=reference_site.target, out_dir=tmp_path / "run2")
    assert code == 1 and record.checks[0].name == "max_p99_ms" and not record.checks[0].passed


@pytest.mark.integration
def test_unreachable_target_at_verification_exits_3(reference_site: Site, tmp_path: Path):
    reference_site.process.stop()
    m = make_measurements(url=reference_site.url, checks=CheckSpec(max_missing=0))
    record, code = finalize(m, target=reference_site.target, out_dir=tmp_path)
    assert code == 3
    assert record.verification.error is not None
    assert "health check" in record.verification.error
    assert record.checks[0].passed is False
    assert (tmp_path / "run.json").is_file()


def test_no_verify_and_interrupted(tmp_path: Path):
    m = make_measurements(verify=False, interrupted=True)
    record, code = finalize(m, target=None, out_dir=tmp_path)
    assert record.verification.performed is False
    assert record.interrupted is True
    assert code == 3
    record, code = finalize(make_measurements(verify=False), target=None, out_dir=tmp_path / "b")
    # no check declared: Locust's rule judges the run, and the fixture's one 503 fails it
    assert (code, record.passed, [c.name for c in record.checks]) == (
        1,
        False,
        ["no_failed_requests"],
    )


def test_exit_code_rules(tmp_path: Path):
    record, _ = finalize(
        make_measurements(verify=False, checks=CheckSpec(max_p99_ms=0.001)),
        target=None,
        out_dir=tmp_path,
    )
    assert exit_code(record) == 1
    failed_verification = record.model_copy(
        update={"verification": record.verification.model_copy(update={"error": "x"})}
    )
    assert exit_code(failed_verification) == 3
    nothing_sent = record.model_copy(
        update={"totals": record.totals.model_copy(update={"requests": 0, "successes": 0})}
    )
    assert exit_code(nothing_sent) == 3


def test_write_record_replaces_atomically_and_refresh_lists_later_files(tmp_path: Path):
    finalize(make_measurements(verify=False), target=None, out_dir=tmp_path)
    before = (tmp_path / "run.json").read_bytes()
    assert json.loads(before)["artifacts"] == {}
    (tmp_path / "locust.html").write_text("<html></html>")
    (tmp_path / "locust_stats.csv").write_text("x")
    refreshed = refresh_artifacts(tmp_path)
    assert refreshed is not None
    assert refreshed.artifacts == {
        "locust_csv_stats": "locust_stats.csv",
        "locust_html": "locust.html",
    }
    assert RunRecord.model_validate_json((tmp_path / "run.json").read_bytes()) == refreshed
    write_record(refreshed, tmp_path)
    assert artifacts(tmp_path) == refreshed.artifacts
    assert refresh_artifacts(tmp_path / "nowhere") is None


def test_git_commit_is_the_checkout_head_or_none(tmp_path: Path):
    commit = git_commit()
    if commit is not None:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
        assert commit == head
    assert git_commit(tmp_path) is None


@pytest.mark.integration
def test_verification_works_under_gevent_monkey_patching(reference_site: Site, tmp_path: Path):
    """finalize runs inside the Locust master, where gevent has patched sockets and threads."""
    reference_site.import_seeds(range(0, 50))
    m = make_measurements(
        url=reference_site.url, acknowledged=[(0, 49)], checks=CheckSpec(max_missing=0)
    )
    (tmp_path / "m.json").write_text(m.model_dump_json())
    script = f"""
from gevent import monkey
monkey.patch_all()
from pathlib import Path
from loadtests import Measurements
from loadtests.finalize import finalize
from targets import load_target
m = Measurements.model_validate_json(Path({str(tmp_path / "m.json")!r}).read_bytes())
record, code = finalize(m, target=load_target({str(reference_site.definition)!r}),
                        out_dir={str(tmp_path / "out")!r})
v = record.verification
print(code, v.acknowledged, v.landed, v.missing, v.corrupted, v.error)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "50", "50", "0", "0", "None"]
