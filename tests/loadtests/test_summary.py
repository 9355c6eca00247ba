"""The readable summary: every section and the verdict, rendered from a record."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from run_fixtures import make_measurements

from loadtests import CheckSpec
from loadtests.finalize import build_record
from loadtests.summary import print_summary, verdict
from results import Verification


def render(record, code) -> str:
    buffer = io.StringIO()
    print_summary(record, code, Path("/runs/x"), console=Console(width=140, file=buffer))
    return buffer.getvalue()


def test_every_section_and_a_failing_check():
    m = make_measurements(checks=CheckSpec(max_p99_ms=0.5, max_missing=0))
    verification = Verification(
        performed=True, acknowledged=100, landed=98, missing=2, corrupted=1, duration_s=0.25
    )
    record = build_record(m, verification)
    text = render(record, 1)
    for expected in (
        "test-run",
        "test-reference (reference) at http://127.0.0.1:9, release 1.4.0",
        "throughput",
        "10.0 successful requests/s",  # 80 successes after the 2 s warm-up, over 8 s
        "http_503",
        "POST /import/posts",
        "2.00",  # every request took 2 ms
        "missing",
        "FAIL",
        "FAIL (exit 1): max_p99_ms, max_missing",
        "/runs/x",
    ):
        assert expected in text, expected


def test_verdicts():
    record = build_record(make_measurements(verify=False), Verification(performed=False))
    # no check declared: Locust's rule (no failed request) judges the run
    assert verdict(record, 1).plain == "FAIL (exit 1): no_failed_requests"
    legacy = record.model_copy(update={"checks": [], "passed": None})  # an older record
    assert verdict(legacy, 0).plain == "PASS (exit 0): no check declared, nothing was judged"
    interrupted = record.model_copy(update={"interrupted": True})
    assert verdict(interrupted, 3).plain == "HARNESS OR TARGET FAILURE (exit 3): interrupted"
    broken = record.model_copy(
        update={
            "verification": Verification(
                performed=True, acknowledged=100, landed=50, error="target gone"
            )
        }
    )
    assert verdict(broken, 3).plain == "HARNESS OR TARGET FAILURE (exit 3): target gone"
    assert "not performed" in render(record, 0)


def test_a_run_without_errors_or_checks_says_so_in_one_line_each():
    m = make_measurements(verify=False, errors={})
    record = build_record(m, Verification(performed=False))
    assert not record.errors and [c.name for c in record.checks] == ["no_failed_requests"]
    text = render(record, 1)
    assert "errors by kind: none" in text
    assert "no error of any kind" not in text  # no one-row table with a dash
    assert "no check declared, so Locust's rule applies" in text
    assert "--max-error-ratio" in text and "checks table" in text
    legacy = render(record.model_copy(update={"checks": [], "passed": None}), 0)
    assert "checks: no check declared: this run cannot fail" in legacy
