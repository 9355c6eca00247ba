"""Schema version 2: ``passed`` is null for a run without a verdict (version 1 records that were
interrupted are read that way), and the optional ``incomplete`` and ``open_loop`` sections."""

from __future__ import annotations

import json
from pathlib import Path

from results_factory import make_record

from results import (
    SCHEMA_VERSION,
    Incomplete,
    OpenLoop,
    dump_record,
    load_record,
    parse_record,
    write_record,
)
from results.schema import schema_text


def as_version_1(record_json: str, **fields: object) -> str:
    doc = json.loads(record_json)
    doc["schema_version"] = 1
    for name in ("incomplete", "open_loop"):
        doc.pop(name)
    doc.update(fields)
    return json.dumps(doc)


def test_an_interrupted_version_1_record_has_no_verdict() -> None:
    text = dump_record(make_record("old", seed=1))
    record = parse_record(as_version_1(text, interrupted=True, passed=True), "old/run.json")
    assert (record.schema_version, record.interrupted, record.passed) == (2, True, None)
    complete = parse_record(as_version_1(text, passed=False), "old/run.json")
    assert (complete.interrupted, complete.passed) == (False, False)  # a verdict stays


def test_incomplete_and_open_loop_round_trip(tmp_path: Path) -> None:
    record = make_record("new", seed=2).model_copy(
        update={
            "passed": None,
            "incomplete": Incomplete(
                lost_workers=["w1"],
                seeds_in_doubt=[(5, 9)],
                seeds_in_doubt_count=5,
                detail="no final report from 1 worker (w1)",
            ),
            "open_loop": OpenLoop(
                target_rate=100,
                slots_due=600,
                slots_sent=590,
                slots_late=12,
                achieved_rate=98.3,
            ),
        }
    )
    write_record(record, tmp_path / "new")
    again = load_record(tmp_path / "new")
    assert again == record
    doc = json.loads((tmp_path / "new" / "run.json").read_text())
    assert doc["schema_version"] == SCHEMA_VERSION == 2
    assert doc["incomplete"]["seeds_in_doubt"] == [[5, 9]]
    assert doc["open_loop"]["slots_late"] == 12 and doc["passed"] is None


def test_the_committed_schema_describes_the_new_fields() -> None:
    schema = json.loads(schema_text())
    assert schema["$id"].endswith("run.v2.json")
    for name in ("incomplete", "open_loop", "passed"):
        assert name in schema["properties"]
    assert "None means no\nverdict" in schema["properties"]["passed"]["description"]
    committed = Path(__file__).resolve().parents[2] / "results" / "schema" / "run.schema.json"
    assert committed.read_text(encoding="utf-8") == schema_text()


def test_an_incomplete_run_caps_a_comparison_at_inconclusive_and_is_listed_so() -> None:
    from results import StoredRun, compare_runs, reduce_run
    from results.listing import run_rows

    lost = Incomplete(lost_workers=["w1"], detail="no final report from 1 worker (w1)")
    base = [reduce_run(make_record(f"a{i}", seed=i)) for i in range(5)]
    records = [make_record(f"b{i}", seed=100 + i) for i in range(5)]
    assert compare_runs(base, [reduce_run(r) for r in records]).exit_code == 0
    cut = [
        r.model_copy(update={"incomplete": lost if i == 4 else None}) for i, r in enumerate(records)
    ]
    c = compare_runs(base, [reduce_run(r) for r in cut])
    assert (c.verdict, c.exit_code) == ("inconclusive", 2)
    assert any(
        n.startswith("incomplete (a worker's final report never came), so partial: b4.")
        for n in c.notes
    )
    rows = run_rows([StoredRun(Path(f"{r.run_id}.json"), r) for r in cut[3:]])
    assert [row.verification.endswith(" (worker lost)") for row in rows] == [False, True]
