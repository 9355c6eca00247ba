"""The progress display's reading of Locust's stats history (pure file parsing)."""

from __future__ import annotations

from pathlib import Path

from loadtests.progress import describe, latest_aggregate

HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,Total Request Count,Total Failure Count\n"
)


def test_latest_complete_aggregate_row_is_used(tmp_path: Path):
    history = tmp_path / "h.csv"
    assert latest_aggregate(history) is None
    history.write_text(
        HEADER
        + "1,2,,Aggregated,10.0,0.0,10,0\n"
        + "2,2,POST,/import/posts,11.0,0.0,21,0\n"
        + "2,2,,Aggregated,11.5,0.5,21,1\n"
        + "3,2,,Aggregated,12.0,0.0,3"  # half-written: ignored until its newline arrives
    )
    row = latest_aggregate(history)
    assert row is not None and row["Total Request Count"] == "21"
    assert describe(row) == "2 users  21 requests  1 failures  11.5 req/s"
    assert describe(None) == "starting Locust..."
