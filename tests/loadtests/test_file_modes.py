"""Files the harness writes atomically get the usual mode (0666 minus the umask), not 0600.

``tempfile.mkstemp`` creates 0600 files and ``os.replace`` keeps that mode; a run.json readable
only by its owner breaks a CI artifact step or a web server running as another user.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_fixtures import make_measurements

from loadtests.finalize import RECORD_NAME, build_record, write_record
from loadtests.local_site import write_definition
from results import RunRecord, Verification


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield int(request.param)
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def record() -> RunRecord:
    return build_record(make_measurements(verify=False), Verification(performed=False))


def test_run_record_has_the_usual_mode(tmp_path: Path, umask: int) -> None:
    path = write_record(record(), tmp_path)
    assert path == tmp_path / RECORD_NAME
    assert mode(path) == 0o666 & ~umask
    assert RunRecord.model_validate_json(path.read_bytes()).run_id == "test-run"
    assert [p.name for p in tmp_path.iterdir()] == [RECORD_NAME]  # no temp file left behind


def test_replacing_a_0600_record_gives_the_usual_mode(tmp_path: Path, umask: int) -> None:
    old = tmp_path / RECORD_NAME
    old.write_text("{}")
    old.chmod(0o600)
    write_record(record(), tmp_path)
    assert mode(old) == 0o666 & ~umask
    assert old.read_text().startswith("{\n")  # the new record, whole


def test_target_definition_has_the_usual_mode(tmp_path: Path, umask: int) -> None:
    path = write_definition(tmp_path / "target.toml", "t", "http://127.0.0.1:9", {"max_missing": 0})
    assert mode(path) == 0o666 & ~umask
    assert 'base_url = "http://127.0.0.1:9"' in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["target.toml"]


def test_a_failed_write_keeps_the_earlier_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = write_record(record(), tmp_path).read_bytes()

    def broken_replace(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_record(record().model_copy(update={"run_id": "other"}), tmp_path)
    assert (tmp_path / RECORD_NAME).read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir()] == [RECORD_NAME]
