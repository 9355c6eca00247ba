"""A verification that read nothing back (the target was down when it started) must not look
like a clean one: the acknowledged count stays true, landed/missing/corrupted are unknown, and
the summary says verification was not performed and why."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from run_fixtures import make_measurements

from loadtests import CheckSpec
from loadtests.finalize import build_record
from loadtests.summary import nothing_read_back, print_summary, verdict
from loadtests.verify import not_performed
from results import Verification

WHY = "the target did not answer its health check at http://127.0.0.1:9 (connection_refused)"


def render(record, code) -> str:
    buffer = io.StringIO()
    print_summary(record, code, Path("/runs/x"), console=Console(width=200, file=buffer))
    return buffer.getvalue()


def verification_block(text: str) -> str:
    start = text.index("verification")
    return text[start : text.index("checks", start)]


def test_not_performed_keeps_the_true_acknowledged_count_and_the_reason():
    v = not_performed([(0, 3000), (5000, 5419)], WHY)
    assert v.performed is False
    assert v.acknowledged == 3421
    assert (v.landed, v.missing, v.corrupted) == (0, 0, 0)
    assert v.error == f"verification was not performed: {WHY}"


def test_summary_of_a_verification_that_was_not_performed():
    m = make_measurements(acknowledged=[(0, 3420)], checks=CheckSpec(max_missing=0))
    record = build_record(m, not_performed(m.seeds.acknowledged, WHY))
    assert nothing_read_back(record)
    block = verification_block(render(record, 3))
    assert "3,421" in block
    for label in ("landed", "missing", "corrupted"):
        assert label in block
    assert block.count("unknown") == 3
    assert "verification was not performed: the target did not answer" in block
    assert "not performed (--no-verify)" not in block
    assert verdict(record, 3).plain.startswith(
        "HARNESS OR TARGET FAILURE (exit 3): verification was not performed: the target"
    )


def test_summary_of_the_older_shape_performed_with_an_error_and_nothing_read():
    """finalize's health-check path gives ``performed: true``, every count 0 and an error: the
    summary must still say the counts are unknown, with the true acknowledged count."""
    m = make_measurements(acknowledged=[(0, 3420)])
    record = build_record(m, Verification(performed=True, error=WHY))
    assert nothing_read_back(record)
    block = verification_block(render(record, 3))
    assert "3,421" in block and block.count("unknown") == 3
    assert "acknowledged      0" not in block
    assert f"verification was not performed: {WHY}" in block
    assert verdict(record, 3).plain == (
        f"HARNESS OR TARGET FAILURE (exit 3): verification was not performed: {WHY}"
    )


def test_a_check_on_posts_says_verification_was_not_performed():
    m = make_measurements(acknowledged=[(0, 3420)], checks=CheckSpec(max_missing=0))
    for v in (Verification(performed=True, error=WHY), not_performed(m.seeds.acknowledged, WHY)):
        (check,) = build_record(m, v).checks
        assert check.passed is False and check.observed is None
        assert check.detail == f"verification was not performed: {WHY}"


def test_the_verdict_stays_one_line_in_a_log(capsys):
    m = make_measurements(acknowledged=[(0, 3420)])
    record = build_record(m, Verification(performed=True, error=WHY * 3))
    print_summary(record, 3)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "HARNESS OR TARGET FAILURE" in line]
    assert lines == [
        f"HARNESS OR TARGET FAILURE (exit 3): verification was not performed: {WHY * 3}"
    ]


def test_a_partial_verification_shows_lower_bounds():
    m = make_measurements(acknowledged=[(0, 99)])
    partial = Verification(
        performed=True,
        acknowledged=100,
        landed=60,
        missing=1,
        error="39 post(s) could not be read back (timeout: 39); their state is unknown",
    )
    record = build_record(m, partial)
    assert not nothing_read_back(record)
    block = verification_block(render(record, 3))
    assert "at least 60" in block and "at least 1" in block
    assert block.count("unknown") == 1  # only in the error text


def test_no_verify_is_still_reported_as_skipped():
    record = build_record(make_measurements(verify=False), Verification(performed=False))
    assert not nothing_read_back(record)
    assert "not performed (--no-verify)" in render(record, 0)
