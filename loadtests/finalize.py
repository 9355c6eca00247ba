"""Turn what the Locust side measured into the run record: verify, check, assemble, write.

``finalize`` is called once per run, by the locustfile at quit (local runner or master), and by
``anp run`` when Locust died before it could. It:

1. computes the totals (throughput without the warm-up), errors summed by kind and the overall
   latency percentiles from the merged histograms (``loadtests.aggregate``);
2. reads back every acknowledged post and compares it with synth (``loadtests.verify``), unless
   the run said ``--no-verify``; a target that does not answer its health check is not read.
   The health check and the reads share one bound (``--verify-timeout``), which holds against a
   site that hangs, and a Ctrl-C or SIGTERM (``loadtests.verify_stop``) ends the reads at once:
   either way the verification is marked incomplete and the record is still written;
3. evaluates the checks: the target definition's ``[checks]`` merged with the options
   (``loadtests.checks``);
4. writes ``<out_dir>/run.json`` atomically (a temp file in the same folder, then ``os.replace``).

Exit codes: 0 every check passed (with none declared: no request failed, Locust's rule), 1 a
check failed, 3 a harness or target failure: the run was interrupted, a worker's final report
never came (``incomplete``), verification could not be completed, or no request was sent. Such a run has no verdict: its
record's ``passed`` is None (``no_verdict``), whatever its checks say.
"""

from __future__ import annotations

import logging
import os
import platform
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel

from loadtests import verify_stop
from loadtests.aggregate import checked_load, compute_totals, sum_errors
from loadtests.atomic_files import write_bytes_atomic
from loadtests.checks import all_passed, evaluate_checks, merge_checks
from loadtests.measurements import CheckSpec, Measurements
from loadtests.verify import cut_before_reading, not_performed, verify_posts
from loadtests.verify_parallel import verify_in_processes, worker_count
from results import Environment, OpenLoop, RunRecord, Timing, Verification
from synth import GENERATOR_VERSION, count_seeds, merge_ranges
from targets.base import Target
from targets.verify_io import BoundedSender

log = logging.getLogger(__name__)

EXIT_PASS = 0
EXIT_CHECK_FAILED = 1
EXIT_HARNESS_FAILURE = 3

NOTHING_SENT = "the run sent no request at all: nothing was measured (see locust.log)"

RECORD_NAME = "run.json"
REPO_ROOT = Path(__file__).resolve().parent.parent

ARTIFACT_ROLES: dict[str, str] = {
    "measurements.json": "measurements",
    "locust.html": "locust_html",
    "locust_stats.csv": "locust_csv_stats",
    "locust_stats_history.csv": "locust_csv_history",
    "locust_failures.csv": "locust_csv_failures",
    "locust_exceptions.csv": "locust_csv_exceptions",
    "target.toml": "target_definition",
    "target.log": "target_log",
    "locust.log": "locust_log",
}
"""Known files of a run folder, by role (other files are listed under their own name)."""


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def git_commit(repo: Path = REPO_ROOT) -> str | None:
    """``git rev-parse HEAD`` of the harness's checkout, or None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    if done.returncode != 0 or len(commit) != 40:
        return None
    return commit


def environment() -> Environment:
    """The fingerprint of the machine that ran the load."""
    return Environment(
        cpu_count=os.cpu_count() or 1,
        python=platform.python_version(),
        locust=_package_version("locust"),
        platform=platform.platform(),
        hostname=socket.gethostname(),
    )


def artifacts(out_dir: Path) -> dict[str, str]:
    """The files beside the record, role -> file name, sorted by role."""
    found: dict[str, str] = {}
    if out_dir.is_dir():
        for path in sorted(out_dir.iterdir()):
            if not path.is_file() or path.name == RECORD_NAME or path.name.startswith("."):
                continue
            found[ARTIFACT_ROLES.get(path.name, path.name)] = path.name
    return dict(sorted(found.items()))


def write_record(record: RunRecord, out_dir: Path) -> Path:
    """Write ``out_dir/run.json`` atomically (temp file in the same folder, fsync,
    ``os.replace``); an earlier file stays whole until the swap. The file gets the usual mode
    (0666 minus the umask, e.g. 0644), not the temp file's 0600."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / RECORD_NAME
    write_bytes_atomic(final, (record.model_dump_json(indent=2) + "\n").encode("utf-8"))
    return final


def definition_checks(measurements: Measurements) -> BaseModel | None:
    """The ``[checks]`` table of the target definition the run used, when there is one."""
    path = measurements.target.definition
    if not path:
        return None
    from targets.definitions import load_definition

    return load_definition(path).checks


def in_doubt(measurements: Measurements) -> list[tuple[int, int]]:
    """Seeds lost workers held: read back like sent-but-unacknowledged ones, so those that
    landed count as landed unacknowledged."""
    incomplete = measurements.incomplete
    return [] if incomplete is None else list(incomplete.seeds_in_doubt)


def run_verification(
    measurements: Measurements,
    target: Target | None,
    *,
    stop: Callable[[], bool] = verify_stop.stop_requested,
) -> Verification:
    """Verify the run's posts; any failure is reported in the result, never raised.

    The health check and the reads share one bound, ``measurements.verify_timeout_s``
    (``--verify-timeout``), requests in flight included; ``stop()`` (a Ctrl-C or SIGTERM, see
    ``loadtests.verify_stop``) ends the verification at once, marked incomplete."""
    if not measurements.verify:
        return Verification(performed=False)
    if target is None:
        return not_performed(
            measurements.seeds.acknowledged, "no target adapter to read posts back with"
        )
    from targets.transport import Sender, Timeouts

    started = time.monotonic()
    deadline_s = measurements.verify_timeout_s
    timeouts = getattr(target, "timeouts", None)
    if not isinstance(timeouts, Timeouts):
        timeouts = Timeouts(read_s=max(30.0, measurements.load.timeout_s))
    try:
        with Sender(target.base_url, timeouts, max_connections=8) as sender:
            bounded = BoundedSender(sender, deadline=started + deadline_s, stop=stop)
            health = bounded.send(target.health_request())
        acknowledged = merge_ranges(measurements.seeds.acknowledged)
        sent = merge_ranges((*measurements.seeds.sent, *in_doubt(measurements)))
        if health.status == 0 or health.status >= 500:
            if bounded.cut():
                # the bound or a stop request came first: the same as cut short while reading
                return cut_before_reading(
                    acknowledged, sent, interrupted=bounded.stopped(), deadline_s=deadline_s
                )
            why = health.error or f"http_{health.status}"
            return not_performed(
                measurements.seeds.acknowledged,
                f"the target did not answer its health check at {target.base_url} "
                f"({why}); nothing could be read back (retrying is safe: once the target "
                f"answers, run `anp verify {measurements.run_id}`)",
            )
        workers = worker_count(count_seeds(merge_ranges((*acknowledged, *sent))))
        definition = measurements.target.definition
        if workers > 1 and definition:
            return verify_in_processes(
                definition,
                target,
                acknowledged=acknowledged,
                sent=sent,
                size=measurements.load.size,
                workers=workers,
                deadline_s=deadline_s,
                started=started,
                stop=stop,
            )
        with Sender(target.base_url, timeouts, max_connections=8) as sender:
            return verify_posts(
                target,
                sender,
                acknowledged=acknowledged,
                sent=sent,
                size=measurements.load.size,
                deadline_s=deadline_s,
                started=started,
                stop=stop,
            )
    except Exception as exc:  # a harness bug must not lose the record
        log.exception("verification failed")
        return not_performed(measurements.seeds.acknowledged, f"verification failed: {exc!r}")


def build_record(
    measurements: Measurements,
    verification: Verification,
    definition: BaseModel | Mapping[str, object] | None = None,
    *,
    out_dir: Path | None = None,
) -> RunRecord:
    """Assemble the record (pure apart from the environment fingerprint and git)."""
    m = measurements
    totals = compute_totals(m.endpoints, m.seeds, duration_s=m.duration_s, warmup_s=m.warmup_s)
    spec: CheckSpec = merge_checks(definition, m.checks)
    load = checked_load(m.endpoints, duration_s=m.duration_s, warmup_s=m.warmup_s)
    checks = evaluate_checks(spec, totals=totals, load=load, verification=verification)
    record = RunRecord(
        run_id=m.run_id,
        harness_version=_package_version("anp-loadkit"),
        generator_version=GENERATOR_VERSION,
        git_commit=git_commit(),
        target=m.target,
        load=m.load,
        timing=Timing(
            started_at=m.started_at,
            ended_at=m.ended_at,
            duration_s=m.duration_s,
            warmup_s=m.warmup_s,
        ),
        endpoints=m.endpoints,
        totals=totals,
        errors=sum_errors(m.endpoints),
        seeds=m.seeds,
        verification=verification,
        checks=checks,
        passed=all_passed(checks),
        interrupted=m.interrupted,
        environment=environment(),
        artifacts=artifacts(out_dir) if out_dir is not None else {},
        latency_per_second=m.latency_per_second,
        incomplete=m.incomplete,
        open_loop=m.open_loop,
    )
    if no_verdict(record) is not None:
        record = record.model_copy(update={"passed": None})
    return record


def no_verdict(record: RunRecord) -> str | None:
    """Why the run has no verdict (exit code 3, ``passed`` None), or None when it has one."""
    if record.interrupted:
        return "interrupted"
    if record.incomplete is not None:
        return f"incomplete: {record.incomplete.detail}"
    if record.verification.error is not None:
        return record.verification.error
    if record.totals.requests == 0:
        return NOTHING_SENT
    return None


def exit_code(record: RunRecord) -> int:
    """0 pass, 1 a check failed, 3 no verdict: interrupted, incomplete (a worker's final report
    never came), verification incomplete, or nothing was sent.

    A run that sent no request at all measured nothing (the users failed before sending, e.g.
    an exception while building posts; Locust's log says why), so it cannot pass."""
    why = no_verdict(record)
    if why is not None:
        if why == NOTHING_SENT:
            log.error("%s", why)
        return EXIT_HARNESS_FAILURE
    if any(not check.passed for check in record.checks):
        return EXIT_CHECK_FAILED
    return EXIT_PASS


def finalize(
    measurements: Measurements,
    *,
    target: Target | None,
    out_dir: Path | str,
    verification: Verification | None = None,
) -> tuple[RunRecord, int]:
    """Verify, check, write ``out_dir/run.json``; return the record and the exit code.

    ``verification`` given: it is used as is and nothing is read back (the wrapper's record of
    a run it had to kill). While this runs, ``loadtests.verify_stop.in_progress()`` is true,
    so that a signal handler can ask the verification to stop and let the record be written.
    """
    out = Path(out_dir)
    with verify_stop.busy():
        try:
            definition: BaseModel | None = definition_checks(measurements)
        except Exception as exc:  # the file may have changed since the start: say so, go on
            log.error("could not re-read the target definition's [checks]: %s", exc)
            definition = None
        if verification is None:
            verification = run_verification(measurements, target)
        record = build_record(measurements, verification, definition, out_dir=out)
        write_record(record, out)
    code = exit_code(record)
    for line in outcome_lines(record):
        log.info("%s", line)
    log.info("run record written to %s (exit code %d)", out / RECORD_NAME, code)
    return record, code


def outcome_lines(record: RunRecord) -> list[str]:
    """What a CI log needs without opening run.json: the verification counts and one line per
    check (plain ``locust --headless`` prints nothing else of the harness's verdict)."""
    v = record.verification
    if not v.performed:
        why = v.error or "not asked for"
        lines = [f"verification: not performed ({why}); acknowledged {v.acknowledged:,}"]
    else:
        lines = [
            f"verification: acknowledged {v.acknowledged:,}, landed {v.landed:,}, "
            f"missing {v.missing:,}, duplicates {v.duplicates:,}, corrupted {v.corrupted:,}, "
            f"landed unacknowledged {v.landed_unacknowledged:,}"
            + (f"; incomplete: {v.error}" if v.error else "")
        ]
    lines.extend(partial_lines(record))
    if not record.checks:
        lines.append("checks: none declared")
    for check in record.checks:
        verdict = "pass" if check.passed else "FAIL"
        observed = "n/a" if check.observed is None else f"{check.observed:g}"
        detail = f" ({check.detail})" if check.detail else ""
        lines.append(
            f"check {check.name}: {verdict}, observed {observed}, limit {check.threshold:g}{detail}"
        )
    return lines


def partial_lines(record: RunRecord) -> list[str]:
    """What the record misses or did not hold: lost workers, a late open-model schedule."""
    lines = []
    if record.incomplete is not None:
        lines.append(f"INCOMPLETE: {record.incomplete.detail}; no verdict (exit code 3)")
    loop = record.open_loop
    if loop is not None:
        warning = open_loop_warning(loop)
        lines.append(open_loop_figures(loop) + (f"; WARNING: {warning}" if warning else ""))
    return lines


def open_loop_figures(loop: OpenLoop) -> str:
    """The open model's figures in one line."""
    shaped = "" if loop.shape == "steady" else f" at the peak of the {loop.shape} shape"
    return (
        f"open model: target {loop.target_rate:,g} posts/s{shaped}, achieved "
        f"{loop.achieved_rate:,.1f} posts/s; slots due {loop.slots_due:,}, sent "
        f"{loop.slots_sent:,}, late {loop.slots_late:,}"
    )


def open_loop_warning(loop: OpenLoop) -> str | None:
    """Why the open model did not hold its rate, or None when every slot was on time."""
    if not loop.slots_late:
        return None
    share = loop.slots_late / loop.slots_sent if loop.slots_sent else 1.0
    behind = loop.slots_due - loop.slots_sent
    return (
        f"{loop.slots_late:,} of {loop.slots_sent:,} slots ({share:.1%}) were sent more than "
        f"{loop.late_after_s:g} s late"
        + (f" and {behind:,} due slots were never sent" if behind > 0 else "")
        + ": too few users to hold the rate, so the target saw less load than asked (a closed "
        "system at times); give it more users (-u >= 2 x rate x latency)"
    )


def refresh_artifacts(out_dir: Path) -> RunRecord | None:
    """Re-read the record and list the files written after it (Locust's HTML comes last).

    The record is rewritten atomically only when the list changed; None when there is no record.
    """
    path = out_dir / RECORD_NAME
    if not path.is_file():
        return None
    record = RunRecord.model_validate_json(path.read_bytes())
    current = artifacts(out_dir)
    if current != record.artifacts:
        record = record.model_copy(update={"artifacts": current})
        write_record(record, out_dir)
    return record
