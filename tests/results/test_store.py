"""Run-record storage: round trip, atomic writes, old and bad versions, listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from results_factory import make_record

from results import (
    SCHEMA_VERSION,
    RecordError,
    RunRecord,
    dump_record,
    list_runs,
    load_record,
    load_records,
    parse_record,
    write_record,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_round_trip_is_lossless_and_stable(tmp_path: Path) -> None:
    record = make_record("rt", seed=1, errors={"http_503": 2}, missing=1)
    path = write_record(record, tmp_path / "rt")
    assert path == tmp_path / "rt" / "run.json"
    again = load_record(tmp_path / "rt")
    assert again == record
    assert dump_record(again) == path.read_text(encoding="utf-8")
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION


def test_write_never_replaces_an_existing_record(tmp_path: Path) -> None:
    first = make_record("one", seed=1)
    write_record(first, tmp_path / "r")
    with pytest.raises(RecordError, match="refusing to overwrite"):
        write_record(make_record("two", seed=2), tmp_path / "r")
    assert load_record(tmp_path / "r").run_id == "one"
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["run.json"]  # no temp file left
    write_record(make_record("two", seed=2), tmp_path / "r", overwrite=True)
    assert load_record(tmp_path / "r").run_id == "two"


def test_version_0_record_is_migrated() -> None:
    record = load_record(FIXTURES / "run_v0.json")
    assert record.schema_version == SCHEMA_VERSION
    assert record.load.scenarios == {"import": 1}
    assert record.target.release == "0.9.0"
    assert record.run_id == "v0-draft-run"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", r"is not valid JSON \(Expecting property name"),
        ("[1, 2]", "holds a JSON list, expected an object"),
        ('{"schema_version": 99}', "schema_version=99, newer than this harness reads"),
        ('{"schema_version": "1"}', r"schema_version='1'; expected an integer from 0 to"),
        ('{"schema_version": -1}', "schema_version=-1; expected an integer"),
        (
            '{"schema_version": 1, "run_id": "x"}',
            r"does not match schema version 2 \(migrated from version 1\): harness_version: "
            "Field required",
        ),
    ],
)
def test_bad_records_give_clear_errors(text: str, expected: str) -> None:
    with pytest.raises(RecordError, match=expected) as info:
        parse_record(text, "some/run.json")
    assert "some/run.json" in str(info.value)
    assert info.value.exit_code == 3


def test_unknown_field_is_refused() -> None:
    doc = json.loads(dump_record(make_record("x", seed=1)))
    doc["surprise"] = 1
    with pytest.raises(RecordError, match="surprise: Extra inputs are not permitted"):
        parse_record(json.dumps(doc), "x.json")


def test_missing_paths_are_named(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match=r"run record not found: '.*nope' does not exist"):
        load_record(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecordError, match="no run record in folder"):
        load_record(tmp_path / "empty" / "")
    with pytest.raises(RecordError, match="holds no run records"):
        load_records([tmp_path / "empty"])


def test_folder_of_runs_expands_in_order(tmp_path: Path) -> None:
    for name in ("b", "a"):
        write_record(make_record(name, seed=1), tmp_path / "runs" / name)
    (tmp_path / "runs" / "c.json").write_text(dump_record(make_record("c", seed=2)))
    loaded = load_records([tmp_path / "runs"])
    assert [r.run_id for _, r in loaded] == ["a", "b", "c"]


def test_list_runs_sorts_by_start_and_reports_unreadable(tmp_path: Path) -> None:
    write_record(make_record("late", seed=1, started_at="2026-12-04T21:00:00Z"), tmp_path / "x")
    write_record(make_record("early", seed=2, started_at="2026-12-04T20:00:00Z"), tmp_path / "y")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{")
    runs = list_runs([tmp_path])
    assert [r.record.run_id if r.record else None for r in runs] == ["early", "late", None]
    assert runs[2].error is not None and "not valid JSON" in runs[2].error
    with pytest.raises(RecordError, match="does not exist"):
        list_runs([tmp_path / "missing"])


def test_record_never_holds_credentials_field() -> None:
    fields = set(RunRecord.model_json_schema()["$defs"]["TargetInfo"]["properties"])
    assert not {"token", "password", "credentials"} & fields
