"""Run-record storage: write atomically, read with schema-version handling, find and list runs.

A run lives in ``results/runs/<run-id>/run.json``. A baseline kept in git may be such a folder or
a bare ``<run-id>.json`` file. Every reader goes through :func:`load_record`, which migrates
records written by older schema versions and refuses newer or unknown ones with a clear error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from results.atomic import write_text_atomic
from results.errors import InputPathError, RecordError
from results.record import SCHEMA_VERSION, RunRecord

RUN_FILE = "run.json"
"""The record's file name inside a run folder."""

DEFAULT_RUNS_DIR = Path("results/runs")


def _migrate_v0(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (the pre-release draft) called ``load.scenarios`` ``load.mix`` and
    ``target.release`` ``target.version``; everything else is unchanged."""
    load = doc.get("load")
    if isinstance(load, dict) and "mix" in load and "scenarios" not in load:
        load["scenarios"] = load.pop("mix")
    target = doc.get("target")
    if isinstance(target, dict) and "version" in target and "release" not in target:
        target["release"] = target.pop("version")
    doc["schema_version"] = 1
    return doc


def _migrate_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept ``passed`` true or false on an interrupted run; version 2 gives such a run
    no verdict (``passed`` null). ``incomplete`` and ``open_loop`` are new and optional."""
    if doc.get("interrupted") is True:
        doc["passed"] = None
    doc["schema_version"] = 2
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: _migrate_v0,
    1: _migrate_v1,
}
"""``version -> function`` turning a document of that version into the next version."""


def record_path(path: str | os.PathLike[str]) -> Path:
    """The record file for ``path``: the path itself for a file, ``path/run.json`` for a folder."""
    path = Path(path)
    if path.is_dir():
        candidate = path / RUN_FILE
        if not candidate.is_file():
            raise RecordError(
                f"no run record in folder '{path}': expected '{candidate}' "
                "(a run folder written by `anp run`); safe to retry with the right path"
            )
        return candidate
    if not path.exists():
        raise InputPathError(
            f"run record not found: '{path}' does not exist (expected a run.json file, a run "
            "folder or a folder of them); a command-line mistake, safe to retry with the right "
            "path"
        )
    return path


def parse_record(text: str, source: str) -> RunRecord:
    """Parse and validate one record's JSON text, migrating older schema versions."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"run record '{source}' is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}); expected a document written by `anp run`"
        ) from None
    if not isinstance(doc, dict):
        raise RecordError(
            f"run record '{source}' holds a JSON {type(doc).__name__}, expected an object"
        )
    version = doc.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise RecordError(
            f"run record '{source}' has schema_version={version!r}; expected an integer "
            f"from 0 to {SCHEMA_VERSION}"
        )
    if version > SCHEMA_VERSION:
        raise RecordError(
            f"run record '{source}' has schema_version={version}, newer than this harness "
            f"reads (up to {SCHEMA_VERSION}); upgrade anp-loadkit to read it"
        )
    written = version
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    try:
        return RunRecord.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise RecordError(
            f"run record '{source}' does not match schema version {SCHEMA_VERSION}"
            + (f" (migrated from version {written})" if written != SCHEMA_VERSION else "")
            + f": {problems}{more}"
        ) from None


def load_record(path: str | os.PathLike[str]) -> RunRecord:
    """Read the record at ``path`` (a ``run.json`` file or a run folder)."""
    file = record_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"cannot read run record '{file}': {exc}") from None
    return parse_record(text, str(file))


def dump_record(record: RunRecord) -> str:
    """The record's JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(record.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def write_record(
    record: RunRecord, run_dir: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write ``record`` to ``run_dir/run.json`` atomically and return that path. Refuses to
    replace an existing record unless ``overwrite`` (earlier results are never destroyed)."""
    target = Path(run_dir) / RUN_FILE
    if target.exists() and not overwrite:
        raise RecordError(
            f"refusing to overwrite the existing run record '{target}'; "
            "choose a new run folder (nothing was written)"
        )
    return write_text_atomic(target, dump_record(record), parents=True)


MEASUREMENTS_FILE = "measurements.json"
"""What a run folder holds while the run is going: a folder with it and no run.json is a run that
did not finish (crashed or killed)."""

NOT_RECORDS = frozenset({MEASUREMENTS_FILE, "site-stats.json"})
"""JSON files that live in run folders and are not records."""


def unfinished_run_note(folder: Path) -> str:
    return (
        f"no record: '{folder}' has {MEASUREMENTS_FILE} but no {RUN_FILE} (the run did not "
        "finish: it crashed or was killed); re-run it, it cannot be compared"
    )


def _folder_records(path: Path) -> list[Path]:
    """The records of a folder of runs: ``*/run.json`` and ``*.json`` directly inside it."""
    found = set(path.glob(f"*/{RUN_FILE}"))
    found |= {f for f in path.glob("*.json") if f.name not in NOT_RECORDS}
    return sorted(found)


def expand_inputs(
    paths: Sequence[str | os.PathLike[str]], notes: list[str] | None = None
) -> list[Path]:
    """Turn command-line inputs into record files. A file is taken as is; a run folder gives its
    ``run.json``; any other folder gives every record below it (``*/run.json`` and ``*.json``
    directly inside), in sorted order. A file that is not JSON by name (a README.md caught by a
    glob such as ``results/baselines/*``) is skipped, with a line added to ``notes``. A folder
    of an unfinished run (measurements.json, no run.json) is refused."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and not (path / RUN_FILE).is_file():
            if (path / MEASUREMENTS_FILE).is_file():
                raise RecordError(unfinished_run_note(path))
            found = _folder_records(path)
            if not found:
                raise RecordError(
                    f"folder '{path}' holds no run records (looked for '{path}/*/run.json' "
                    f"and '{path}/*.json')"
                )
            files.extend(found)
        elif path.is_file() and path.suffix.lower() != ".json":
            skipped.append(path)
        else:
            files.append(record_path(path))
    if skipped:
        if notes is not None:
            names = ", ".join(f"'{p}'" for p in skipped)
            notes.append(f"skipped {names}: not a run record (records are .json files)")
        if not files:
            raise RecordError(
                f"no run records among the inputs: {', '.join(map(str, skipped))} are not .json "
                "run records; expected run folders, run.json files or folders of them"
            )
    return files


def load_records(
    paths: Sequence[str | os.PathLike[str]], notes: list[str] | None = None
) -> list[tuple[Path, RunRecord]]:
    """Load every record named by ``paths`` (see :func:`expand_inputs`)."""
    return [(file, load_record(file)) for file in expand_inputs(paths, notes)]


def unique_runs(
    loaded: list[tuple[Path, RunRecord]], side: str, notes: list[str]
) -> list[tuple[Path, RunRecord]]:
    """Keep the first record of each run_id: a folder and its run.json, or two copies of one
    baseline, are one run, and counting it twice would fake statistical evidence. Each repeat
    adds a line to ``notes``."""
    seen: dict[str, Path] = {}
    kept: list[tuple[Path, RunRecord]] = []
    for file, record in loaded:
        first = seen.get(record.run_id)
        if first is None:
            seen[record.run_id] = file
            kept.append((file, record))
        else:
            notes.append(
                f"run {record.run_id} is given twice on the {side} side ('{first}' and "
                f"'{file}'); it is counted once"
            )
    return kept


@dataclass(frozen=True)
class StoredRun:
    """One entry of :func:`list_runs`: a record, or the reason it could not be read."""

    path: Path
    record: RunRecord | None
    error: str | None = None


def list_runs(directories: Iterable[Path]) -> list[StoredRun]:
    """Every record under ``directories``, oldest first: ``*/run.json`` and ``*.json`` in each,
    and the same one level down in subfolders that are not run folders (so that
    ``results/baselines`` finds ``results/baselines/reference/*.json``). Unreadable records, and
    run folders with measurements.json but no run.json (a crashed run), are listed with the
    reason instead of stopping the listing."""
    files: set[Path] = set()
    unfinished: set[Path] = set()
    for directory in directories:
        if not directory.is_dir():
            state = "is not a folder" if directory.exists() else "does not exist"
            raise InputPathError(f"runs folder '{directory}' {state}")
        files |= set(_folder_records(directory))
        for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
            if (sub / RUN_FILE).is_file():
                continue
            if (sub / MEASUREMENTS_FILE).is_file():
                unfinished.add(sub)
                continue
            files |= set(_folder_records(sub))
            unfinished |= {
                p.parent
                for p in sub.glob(f"*/{MEASUREMENTS_FILE}")
                if not (p.parent / RUN_FILE).is_file()
            }
    runs: list[StoredRun] = []
    for file in sorted(files):
        try:
            runs.append(StoredRun(file, load_record(file)))
        except RecordError as exc:
            runs.append(StoredRun(file, None, str(exc)))
    runs += [StoredRun(folder, None, unfinished_run_note(folder)) for folder in sorted(unfinished)]

    def key(run: StoredRun) -> tuple[int, str, str]:
        if run.record is None:
            return (1, "", str(run.path))
        return (0, run.record.timing.started_at, run.record.run_id)

    return sorted(runs, key=key)
