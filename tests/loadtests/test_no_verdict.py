"""Runs without a verdict: interrupted or incomplete (a worker's final report never came) records
have ``passed`` None and exit code 3 whatever their checks say, and the summary says why; the
open model's figures and their warning."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from run_fixtures import make_measurements

from loadtests import CheckSpec
from loadtests.finalize import build_record, exit_code, finalize, no_verdict, outcome_lines
from loadtests.summary import print_summary, verdict
from results import Incomplete, OpenLoop, RunRecord, Verification

LOST = Incomplete(
    lost_workers=["vm_dead"],
    seeds_in_doubt=[(100, 149), (300, 309)],
    seeds_in_doubt_count=60,
    detail="no final report from 1 worker (vm_dead): ...",
)
PASSING = CheckSpec(max_error_ratio=0.5)
FAILING = CheckSpec(max_p99_ms=0.001)


def render(record: RunRecord, code: int) -> str:
    buffer = io.StringIO()
    print_summary(record, code, Path("/runs/x"), console=Console(width=140, file=buffer))
    return buffer.getvalue()


@pytest.mark.parametrize("checks", [PASSING, FAILING])
@pytest.mark.parametrize(
    "change",
    [{"interrupted": True}, {"incomplete": LOST}],
    ids=["interrupted", "incomplete"],
)
def test_no_verdict_whatever_the_checks_say(tmp_path: Path, checks, change) -> None:
    m = make_measurements(verify=False, checks=checks).model_copy(update=change)
    record, code = finalize(m, target=None, out_dir=tmp_path)
    assert (record.passed, code) == (None, 3)
    assert record.checks and no_verdict(record) is not None
    on_disk = RunRecord.model_validate_json((tmp_path / "run.json").read_bytes())
    assert on_disk.passed is None and on_disk.incomplete == m.incomplete


def test_complete_runs_keep_their_verdict(tmp_path: Path) -> None:
    record, code = finalize(
        make_measurements(verify=False, checks=PASSING), target=None, out_dir=tmp_path / "a"
    )
    assert (record.passed, code, no_verdict(record)) == (True, 0, None)
    record, code = finalize(
        make_measurements(verify=False, checks=FAILING), target=None, out_dir=tmp_path / "b"
    )
    assert (record.passed, code) == (False, 1)


def test_verification_failure_and_nothing_sent_have_no_verdict() -> None:
    failed = build_record(
        make_measurements(checks=PASSING),
        Verification(performed=True, acknowledged=100, landed=40, error="target gone"),
    )
    assert (failed.passed, exit_code(failed)) == (None, 3)
    m = make_measurements(verify=False, checks=PASSING)
    endpoint = m.endpoints[0].model_copy(update={"requests": 0, "successes": 0, "failures": 0})
    empty = build_record(
        m.model_copy(update={"endpoints": [endpoint]}), Verification(performed=False)
    )
    assert (empty.passed, exit_code(empty)) == (None, 3)
    assert "sent no request" in (no_verdict(empty) or "")


def test_finalize_reads_the_seeds_in_doubt_back_like_unacknowledged_ones(monkeypatch) -> None:
    seen = {}

    def fake_verify(target, sender, *, acknowledged, sent, size, deadline_s, started, stop):
        seen["acknowledged"], seen["sent"] = acknowledged, sent
        seen["deadline_s"] = deadline_s
        return Verification(performed=True, acknowledged=100, landed=100)

    class Target:
        base_url = "http://127.0.0.1:9"

        def health_request(self):
            return None

    class Sender:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send(self, request, timeout_s=None):
            class Answer:
                status, error = 200, None

            return Answer()

    import loadtests.finalize as finalize_module
    import targets.transport

    monkeypatch.setattr(finalize_module, "verify_posts", fake_verify)
    monkeypatch.setattr(targets.transport, "Sender", Sender)
    m = make_measurements(acknowledged=[(0, 99)], sent=[(0, 99)]).model_copy(
        update={"incomplete": LOST, "verify_timeout_s": 42.0}
    )
    verification = finalize_module.run_verification(m, Target())  # type: ignore[arg-type]
    assert verification.error is None
    assert seen == {
        "acknowledged": ((0, 99),),
        "sent": ((0, 149), (300, 309)),
        "deadline_s": 42.0,  # --verify-timeout
    }


def test_the_summary_says_the_run_is_incomplete_first_and_in_the_verdict() -> None:
    m = make_measurements(verify=False, checks=PASSING).model_copy(update={"incomplete": LOST})
    record = build_record(m, Verification(performed=True, acknowledged=100, landed=100))
    text = render(record, exit_code(record))
    assert "(INCOMPLETE)" in text
    assert text.index("INCOMPLETE: no final report") < text.index("successful requests/s")
    assert "Seeds in doubt (60): 100-149, 300-309" in text
    assert "passed: null, exit code 3" in text
    assert "landed, not acknowledged' includes the lost workers' seeds in doubt" in text
    assert verdict(record, 3).plain == (
        "HARNESS OR TARGET FAILURE (exit 3): incomplete: no final report from worker(s) "
        "vm_dead; counts and seeds are partial"
    )
    assert any(line.startswith("INCOMPLETE: no final report") for line in outcome_lines(record))


def open_loop(late: int, due: int = 600, sent: int = 600) -> OpenLoop:
    return OpenLoop(
        target_rate=1000,
        slots_due=due,
        slots_sent=sent,
        slots_late=late,
        achieved_rate=sent / 6,
    )


def test_the_summary_warns_when_the_open_model_fell_behind() -> None:
    m = make_measurements(verify=False, checks=PASSING)
    m = m.model_copy(update={"open_loop": open_loop(late=580, due=6000, sent=600)})
    record = build_record(m, Verification(performed=False))
    text = render(record, 0)
    assert "open model: target 1,000 posts/s, achieved 100.0 posts/s" in text
    assert "slots due 6,000, sent 600, late 580" in text
    assert "WARNING: 580 of 600 slots (96.7%) were sent more than 0.1 s late" in text
    assert "5,400 due slots were never sent" in text
    assert verdict(record, 0).plain.startswith(
        "PASS (exit 0); but the open model fell behind: 580 slots sent late, 100.0 of 1,000"
    )
    assert any("WARNING: 580 of 600" in line for line in outcome_lines(record))


def test_an_open_model_on_schedule_says_so_and_a_closed_one_says_nothing() -> None:
    m = make_measurements(verify=False, checks=PASSING)
    record = build_record(
        m.model_copy(update={"open_loop": open_loop(late=0)}), Verification(performed=False)
    )
    text = render(record, 0)
    assert "every slot was sent on time" in text and "WARNING" not in text
    assert verdict(record, 0).plain == "PASS (exit 0)"
    closed = build_record(m, Verification(performed=False))
    assert closed.open_loop is None and "open model" not in render(closed, 0)
