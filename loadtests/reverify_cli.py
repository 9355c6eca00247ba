"""``anp verify RUN``: read a stored run's acknowledged posts back again and update its record
(``loadtests.reverify``). Registration is cheap: the handler imports what it needs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

VERIFY_EPILOG = """\
examples:
  anp verify 20261205T045808Z-ab12cd             a run id under results/runs (as `anp runs` lists)
  anp verify results/runs/20261205T045808Z-ab12cd
  ANP_REF_URL=http://127.0.0.1:8001 anp verify RUN     the site now listens on another port
  anp verify RUN --target targets/other.toml --format json

For a run whose verification was skipped (--no-verify) or could not reach the target. The posts
are read back through the target definition the run used (or --target, of the same kind), with
its base_url_env and credentials taken from the environment as for `anp run`. A verification
that completes replaces the record's verification, the max_missing and max_corrupted checks
(same thresholds) and the verdict; every other figure is kept. The previous record stays beside
it as run.json.before-verify-<UTC time>. A verification that cannot be completed changes nothing.
exit codes: 0 verified, no post missing or corrupted; 1 posts missing or corrupted; 2 a
            command-line mistake (e.g. --target, a run that is not found); 3 unusable record,
            target unreachable, verification incomplete (the record is left as it was), internal
            error
"""


SHOWN_REFS = 5
"""How many missing (or corrupted) references the text summary names."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "verify",
        help="read a stored run's acknowledged posts back again and update its record",
        description="Read every acknowledged post of a stored run back from the target, compare "
        "it with synth, and update the run record's verification, checks and verdict.",
        epilog=VERIFY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "run", metavar="RUN", help="a run id (a folder under --dir), a run folder or its run.json"
    )
    p.add_argument(
        "--dir",
        type=Path,
        action="append",
        dest="dirs",
        metavar="DIR",
        help="folder of run folders to find a run id in (repeatable; default results/runs)",
    )
    p.add_argument(
        "--target",
        metavar="FILE",
        help="target definition to read the posts back through (default: the one the run "
        "used), e.g. targets/local-reference.toml",
    )
    p.add_argument(
        "--timeout",
        default="10m",
        metavar="DURATION",
        help="longest time the read-back may take, e.g. 30m or 1h (default 10m); past it "
        "the verification is incomplete and the record is not changed (exit 3)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json (one object, for scripts)",
    )
    p.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    from loadtests.reverify import find_record, reverify

    timeout_s = _timeout(args.timeout)
    file = find_record(args.run, args.dirs or ())
    done = reverify(file, target_override=args.target, timeout_s=timeout_s)
    if done.target.base_url.rstrip("/") != done.before.target.url.rstrip("/"):
        print(
            f"anp: note: reading back from {done.target.base_url}; the run loaded "
            f"{done.before.target.url}",
            file=sys.stderr,
        )
    if args.format == "json":
        print(json.dumps(_as_json(done), indent=2, sort_keys=True))
    else:
        for line in summary_lines(done):
            print(line)
    if not done.updated:
        print(
            f"anp: error: the verification of run {done.before.run_id} could not be completed "
            "(see above); the record was not changed; retrying is safe",
            file=sys.stderr,
        )
    return done.exit_code


def _timeout(text: str) -> float:
    """``--timeout`` in seconds; a usage error (exit 2) unless it is a duration > 0."""
    from loadtests.options import OptionError, parse_duration

    seconds = parse_duration("--timeout", text)
    if seconds <= 0:
        raise OptionError(
            f"--timeout: got '{text}'; expected a duration > 0, e.g. 30m (a usage error: "
            "retrying with the same value will fail again)"
        )
    return seconds


def summary_lines(done: Any) -> list[str]:
    """The short summary: what was read, before and now, the checks and where the record is."""
    from loadtests.finalize import outcome_lines

    record = done.after if done.updated else done.before
    lines = [
        f"anp verify: run {record.run_id} ({done.record_file})",
        f"target: {done.target.name} at {done.target.base_url} (definition {done.definition})",
        "before: " + _attempt_line(done.before.verification, done.before),
        "now:    " + _attempt_line(done.attempt),
    ]
    if done.updated:
        v = done.attempt
        for label, refs in (("missing", v.missing_refs), ("corrupted", v.corrupted_refs)):
            if refs:
                more = (
                    f" ... ({len(refs):,} listed in the record)" if len(refs) > SHOWN_REFS else ""
                )
                lines.append(f"{label}: {', '.join(refs[:SHOWN_REFS])}{more}")
        lines += outcome_lines(record)[1:]
        lines.append(f"record updated: {done.record_file} (previous record kept as {done.backup})")
        lines.append(f"run verdict: {_verdict(record)}; exit {done.exit_code}")
    else:
        lines.append(
            f"record not changed: {done.record_file} (a verification that could not be completed "
            "never replaces the stored one); exit 3"
        )
    return lines


def _verdict(record: Any) -> str:
    from loadtests.finalize import no_verdict

    if record.passed is True:
        return "PASS (every check passed)"
    if record.passed is False:
        return "FAIL (" + ", ".join(c.name for c in record.checks if not c.passed) + ")"
    return f"none ({no_verdict(record) or 'no check declared'})"


def _attempt_line(v: Any, record: Any = None) -> str:
    if not v.performed:
        if v.error:
            return str(v.error)
        from synth import count_seeds, merge_ranges

        acknowledged = count_seeds(merge_ranges(record.seeds.acknowledged)) if record else 0
        return f"verification was not performed (--no-verify); {acknowledged:,} acknowledged"
    line = (
        f"verification: acknowledged {v.acknowledged:,}, landed {v.landed:,}, missing "
        f"{v.missing:,}, duplicates {v.duplicates:,}, corrupted {v.corrupted:,}, landed "
        f"unacknowledged {v.landed_unacknowledged:,}; read back in {v.duration_s:.2f} s"
    )
    return line + (f"; incomplete: {v.error}" if v.error else "")


def _as_json(done: Any) -> dict[str, Any]:
    record = done.after
    return {
        "run_id": record.run_id,
        "record": str(done.record_file),
        "target": {
            "name": done.target.name,
            "url": done.target.base_url,
            "definition": done.definition,
        },
        "updated": done.updated,
        "backup": None if done.backup is None else str(done.backup),
        "before": done.before.verification.model_dump(mode="json"),
        "verification": done.attempt.model_dump(mode="json"),
        "checks": [c.model_dump(mode="json") for c in record.checks],
        "passed": record.passed,
        "exit_code": done.exit_code,
    }
