"""Verify a stored run again: ``anp verify RUN`` (the command line is ``loadtests.reverify_cli``).

A run whose verification was skipped (``--no-verify``) or could not reach the target (the site
was down after the load) keeps its acknowledged seeds in its record. This module reads them from
the record, reads the posts back through the target's adapter with the same code ``anp run``
uses (``loadtests.finalize.run_verification``: health check, batch reads, concurrency, worker
processes for large runs) and updates the record:

- only a verification that completed replaces the stored one; one that could not be performed
  or stopped early leaves the record untouched (exit 3), so an earlier result is never lost;
- the checks that depend on verification (``max_missing``, ``max_corrupted``) are evaluated
  again with their recorded thresholds, and the verdict (``passed``) follows them, except for a
  run that has no verdict anyway (interrupted, incomplete, nothing sent:
  ``loadtests.finalize.no_verdict``); everything else in the record (load, timing, latencies,
  errors, seeds) is kept as it was;
- the previous record is kept beside the new one as ``<name>.before-verify-<UTC time>``, the
  new one is written atomically (temp file, fsync, rename), and a record that changed on disk
  while the posts were being read is not overwritten.

Exit codes: 0 verified with no missing or corrupted post, 1 missing or corrupted posts found,
2 a usage error (``--target``), 3 the record is unusable or the verification could not be
completed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loadtests.aggregate import checked_load
from loadtests.atomic_files import write_bytes_atomic
from loadtests.checks import all_passed, evaluate_checks
from loadtests.finalize import RECORD_NAME, artifacts, no_verdict, run_verification
from loadtests.measurements import CheckSpec, Measurements
from loadtests.verify import VERIFY_DEADLINE_S
from results import CheckResult, RunRecord, Verification
from results.errors import InputPathError, RecordError
from results.store import DEFAULT_RUNS_DIR, MEASUREMENTS_FILE, parse_record, unfinished_run_note
from synth import GENERATOR_VERSION
from targets.base import Target

EXIT_VERIFIED = 0
EXIT_LOST = 1
EXIT_USAGE = 2
EXIT_FAILED = 3

VERIFICATION_CHECKS = ("max_missing", "max_corrupted")
"""The checks whose outcome depends on verification; the others are kept as recorded."""

BACKUP_MARK = ".before-verify-"
"""``run.json.before-verify-20261205T051500Z``: the record as it was before ``anp verify``
replaced it (not a ``.json`` name, so ``anp compare`` and ``anp runs`` do not take it for a
run)."""


class ReverifyError(Exception):
    """``anp verify`` cannot go on: ``exit_code`` 2 for a usage error, 3 otherwise."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Reverified:
    """What ``reverify`` did."""

    record_file: Path
    before: RunRecord
    """The record as it was read."""
    after: RunRecord
    """The record now on disk (``before`` when it was not replaced)."""
    attempt: Verification
    """The verification just made, complete or not."""
    target: Target
    definition: str
    """The target definition the posts were read back through."""
    backup: Path | None
    """Where the previous record was kept, when the record was replaced."""
    exit_code: int

    @property
    def updated(self) -> bool:
        return self.backup is not None


def find_record(run: str, dirs: Sequence[Path] = ()) -> Path:
    """The record file of ``run``: a run folder, a record file, or a run id looked up as
    ``DIR/<run>/run.json`` in ``dirs`` (default ``results/runs``). InputPathError (exit 2, a
    command-line mistake) when it is not there, as ``anp compare`` and ``anp runs`` do for a
    missing run; RecordError (exit 3) for a folder without a usable record."""
    for directory in dirs:
        if not directory.is_dir():
            state = "is not a folder" if directory.exists() else "does not exist"
            raise InputPathError(
                f"--dir: '{directory}' {state}; expected a folder of run folders, "
                "e.g. --dir results/runs; safe to retry with the right path"
            )
    given = Path(run)
    if given.is_file():
        return given
    if given.is_dir():
        return _record_in(given)
    if not run.strip() or given.name != run or run in (".", ".."):
        raise InputPathError(
            f"run '{run}' not found: no such file or folder; expected a run id listed by "
            "`anp runs` or the path of a run folder; safe to retry with the right value"
        )
    searched = list(dirs) or [DEFAULT_RUNS_DIR]
    found = [d / run for d in searched if (d / run).is_dir()]
    if not found:
        where = ", ".join(f"'{d}'" for d in searched)
        raise InputPathError(
            f"run '{run}' not found: no folder '{run}' in {where} and no such path; expected a "
            "run id listed by `anp runs` (add --dir for runs stored elsewhere) or the path of a "
            "run folder; safe to retry with the right value"
        )
    if len(found) > 1:
        raise RecordError(
            f"run '{run}' is in more than one folder ({', '.join(map(str, found))}); give the "
            "run folder's path instead of its id"
        )
    return _record_in(found[0])


def _record_in(folder: Path) -> Path:
    record = folder / RECORD_NAME
    if record.is_file():
        return record
    if (folder / MEASUREMENTS_FILE).is_file():
        raise RecordError(unfinished_run_note(folder))
    raise RecordError(
        f"no run record in folder '{folder}': expected '{record}' (a run folder written by "
        "`anp run`); safe to retry with the right path"
    )


def read_record(file: Path) -> tuple[bytes, RunRecord]:
    """The record file's bytes and its parsed record (older schema versions migrated)."""
    try:
        data = file.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"cannot read run record '{file}': {exc}") from None
    record = parse_record(text, str(file))
    if record.generator_version != GENERATOR_VERSION:
        raise RecordError(
            f"run record '{file}' was written with generator version "
            f"{record.generator_version}, and this harness synthesizes version "
            f"{GENERATOR_VERSION}: its posts would all look corrupted. Verify it with the "
            "harness release that ran it (nothing was read or written)"
        )
    return data, record


def load_target_for(record: RunRecord, override: str | None) -> tuple[str, Target]:
    """The definition path and adapter to read the posts back with: ``--target`` when given,
    else the definition the record names. ReverifyError 2 naming ``--target`` when neither
    can be used."""
    from targets import DefinitionError, build_target, load_definition

    if override is not None:
        if not override.strip():
            raise _usage(
                override, "the path of a target definition, e.g. targets/local-reference.toml"
            )
        path, source = Path(override).resolve(), "--target"
    elif record.target.definition:
        path = Path(record.target.definition)
        source = f"the run's target definition '{path}'"
        if not path.is_file():
            raise ReverifyError(
                f"--target: missing, and the target definition the run used, '{path}', no "
                "longer exists; expected --target FILE naming the definition of the site the "
                f"run loaded ({record.target.kind} at {record.target.url})",
                EXIT_USAGE,
            )
    else:
        raise ReverifyError(
            f"--target: missing, and the record of run {record.run_id} names no target "
            "definition; expected --target FILE naming the definition of the site the run "
            f"loaded ({record.target.kind} at {record.target.url})",
            EXIT_USAGE,
        )
    try:
        definition = load_definition(path)
        if definition.kind != record.target.kind:
            expected = f"a definition of kind {record.target.kind!r}, as the run's target was"
            if override is None:
                raise ReverifyError(
                    f"--target: missing, and the run's target definition '{path}' is now of "
                    f"kind {definition.kind!r}; expected --target FILE naming {expected}",
                    EXIT_USAGE,
                )
            raise _usage(override, f"{expected} ('{path}' is of kind {definition.kind!r})")
        target = build_target(definition, path)
    except DefinitionError as exc:
        raise ReverifyError(f"{source}: {exc}", EXIT_USAGE) from None
    return str(path), target


def _usage(value: object, expected: str) -> ReverifyError:
    return ReverifyError(
        f"--target: got {value!r}; expected {expected} (a usage error: retrying with the same "
        "value will fail again)",
        EXIT_USAGE,
    )


def recheck(record: RunRecord, verification: Verification) -> list[CheckResult]:
    """The record's checks with ``max_missing`` and ``max_corrupted`` evaluated again against
    ``verification`` (same thresholds, same order); the others as recorded."""
    limits = {c.name: c.threshold for c in record.checks if c.name in VERIFICATION_CHECKS}
    spec = CheckSpec(
        max_missing=int(limits["max_missing"]) if "max_missing" in limits else None,
        max_corrupted=int(limits["max_corrupted"]) if "max_corrupted" in limits else None,
    )
    if not limits:
        return list(record.checks)
    load = checked_load(
        record.endpoints, duration_s=record.timing.duration_s, warmup_s=record.timing.warmup_s
    )
    fresh = {
        c.name: c
        for c in evaluate_checks(spec, totals=record.totals, load=load, verification=verification)
        if c.name in limits
    }
    return [fresh.get(c.name, c) for c in record.checks]


def verification_exit_code(verification: Verification) -> int:
    """0 complete with nothing missing or corrupted, 1 posts missing or corrupted, 3 incomplete."""
    if not verification.performed or verification.error is not None:
        return EXIT_FAILED
    if verification.missing or verification.corrupted:
        return EXIT_LOST
    return EXIT_VERIFIED


def reverify(
    record_file: Path, *, target_override: str | None = None, timeout_s: float = VERIFY_DEADLINE_S
) -> Reverified:
    """Verify the run of ``record_file`` again and replace its verification when it completed
    (within ``timeout_s``; past it the verification is incomplete and nothing changes)."""
    original, record = read_record(record_file)
    definition, target = load_target_for(record, target_override)
    measurements = Measurements(
        run_id=record.run_id,
        started_at=record.timing.started_at,
        ended_at=record.timing.ended_at,
        duration_s=record.timing.duration_s,
        target=record.target.model_copy(update={"definition": definition}),
        load=record.load,
        endpoints=[],
        seeds=record.seeds,
        verify=True,
        verify_timeout_s=timeout_s,
        incomplete=record.incomplete,  # the seeds lost workers held are read back too
    )
    attempt = run_verification(measurements, target)
    code = verification_exit_code(attempt)
    if code == EXIT_FAILED:
        return Reverified(record_file, record, record, attempt, target, definition, None, code)
    checks = recheck(record, attempt)
    after = record.model_copy(update={"verification": attempt, "checks": checks})
    # an interrupted or incomplete run still has no verdict, however well its posts landed
    passed = None if no_verdict(after) is not None else all_passed(checks)
    after = after.model_copy(update={"passed": passed})
    backup = _replace(record_file, original, after)
    return Reverified(record_file, record, after, attempt, target, definition, backup, code)


def _replace(record_file: Path, original: bytes, after: RunRecord) -> Path:
    """Keep the previous record, then write ``after`` atomically; the backup's path."""
    try:
        if record_file.read_bytes() != original:
            raise RecordError(
                f"run record '{record_file}' changed while its posts were read back (another "
                "command wrote it); nothing was written. Retrying is safe"
            )
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        backup = record_file.with_name(f"{record_file.name}{BACKUP_MARK}{stamp}")
        number = 1
        while backup.exists():
            number += 1
            backup = record_file.with_name(f"{record_file.name}{BACKUP_MARK}{stamp}-{number}")
        write_bytes_atomic(backup, original)
        if record_file.name == RECORD_NAME:  # a run folder: list the backup among its files
            after = after.model_copy(update={"artifacts": artifacts(record_file.parent)})
        write_bytes_atomic(record_file, (after.model_dump_json(indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise ReverifyError(
            f"cannot write run record '{record_file}' ({exc.strerror or exc}); the record was "
            "not changed. Fix the folder's permissions or free space, then retry (safe)",
            EXIT_FAILED,
        ) from None
    return backup
