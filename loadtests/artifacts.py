"""What the coordinator writes into the run folder at the end of the load: ``measurements.json``
(the ``Measurements`` contract), and Locust's own CSV and HTML reports when the user did not ask
Locust for them (``--csv``/``--html``; ``anp run`` passes both, pointing into the run folder).

Every file goes through the harness's one writer (``loadtests.atomic_files``, on
``synth.atomic``): atomically (a temp file in the same folder, then ``os.replace``) with the usual
mode (0666 minus the umask, not 0600); a symlink's target is written, and a device node, FIFO or
socket is written through, never replaced. A folder
that already holds a run's ``measurements.json`` or ``run.json`` is never written into: the
options check refuses it at the start, and a later test of the same Locust process (web UI)
writes into ``<folder>-2``, ``<folder>-3``, ...
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loadtests import locust_outputs
from loadtests.atomic_files import write_bytes_atomic
from loadtests.measurements import Measurements
from loadtests.node import Node
from loadtests.open_loop import LATE_S
from loadtests.options import OptionError, RunOptions
from results import Incomplete, LoadSettings, OpenLoop, TargetInfo
from synth import count_seeds, merge_ranges

RUN_FILES = ("measurements.json", "run.json")


def _taken(folder: Path) -> bool:
    return any((folder / name).exists() for name in RUN_FILES)


def check_out_dir(options: RunOptions) -> None:
    """Refuse a run folder that already holds a run (nothing earlier is ever overwritten)."""
    folder = options.resolved_out_dir()
    if _taken(folder):
        raise OptionError(
            f"--anp-out: the folder {folder} already holds a run ({', '.join(RUN_FILES)}); "
            "expected a new folder (or a new --run-id); nothing was written"
        )


def fresh_out_dir(folder: Path) -> Path:
    if not _taken(folder):
        return folder
    n = 2
    while _taken(folder.with_name(f"{folder.name}-{n}")):
        n += 1
    return folder.with_name(f"{folder.name}-{n}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write one run-folder file (see the module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)


def iso(wall: float) -> str:
    return (
        datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def build_measurements(node: Node, env: Any, *, interrupted: bool) -> Measurements:
    options = node.options
    target = node.target
    assert options is not None and target is not None
    parsed = env.parsed_options
    ended_wall = node.ended_wall or node.started_wall
    duration = max(0.0, (node.ended_mono or node.started_mono) - node.started_mono)
    runner = env.runner
    processes = 1
    if node.role == "master":
        processes = max(1, len(node.final_nodes | set(getattr(runner, "clients", {}).keys())))
    run_time = getattr(parsed, "run_time", None)
    return Measurements(
        run_id=options.run_id,
        started_at=iso(node.started_wall),
        ended_at=iso(ended_wall),
        duration_s=round(duration, 3),
        warmup_s=options.warmup,
        interrupted=interrupted,
        target=TargetInfo(
            name=str(target.name),
            kind=str(getattr(target, "kind", "http")),
            url=str(target.base_url),
            release=node.release,
            definition=options.target,
        ),
        load=LoadSettings(
            scenarios=dict(options.scenarios),
            load_model="open" if options.load_model == "open" else "closed",
            shape=options.shape,
            users=int(getattr(parsed, "num_users", None) or 1),
            spawn_rate=float(getattr(parsed, "spawn_rate", None) or 1),
            arrival_rate=options.arrival_rate,
            run_time_s=float(run_time) if run_time else None,
            seeds=options.seeds_text,
            batch_size=options.batch_size,
            size=options.size,
            processes=processes,
            timeout_s=options.request_timeout,
        ),
        checks=options.checks,
        endpoints=node.merged.endpoints(),
        seeds=node.merged.seed_summary(),
        reimported=node.merged.reimported_ranges(),
        latency_per_second=node.merged.latency_per_second(),
        verify=options.verify,
        verify_timeout_s=options.verify_timeout,
        incomplete=incomplete(node),
        open_loop=open_loop(node, duration),
    )


def incomplete(node: Node) -> Incomplete | None:
    """The workers whose final report never came and the seeds they held, or None."""
    lost = node.ledger.lost
    if not lost:
        return None
    doubt = node.ledger.in_doubt(node.merged.sent)
    held = count_seeds(merge_ranges(doubt))
    return Incomplete(
        lost_workers=list(lost),
        seeds_in_doubt=doubt,
        seeds_in_doubt_count=held,
        detail=(
            f"no final report from {len(lost)} worker{'s' if len(lost) > 1 else ''} "
            f"({', '.join(lost)}): their requests since their last periodic report are in no "
            f"count, latency or per-second row, and {held:,} seeds they held are in doubt "
            "(sent or not, unknown)"
        ),
    )


def open_loop(node: Node, duration_s: float) -> OpenLoop | None:
    """The open model's schedule figures over every node, or None for the closed model."""
    options = node.options
    assert options is not None
    if options.load_model != "open" or not options.arrival_rate:
        return None
    sent, late, due = node.ledger.pacer_totals()  # every node's figures when it drained
    return OpenLoop(
        target_rate=options.arrival_rate,
        shape=options.shape,
        slots_due=due,
        slots_sent=sent,
        slots_late=late,
        late_after_s=LATE_S,
        achieved_rate=round(sent / duration_s, 1) if duration_s > 0 else 0.0,
    )


def write_outputs(measurements: Measurements, node: Node, env: Any) -> Path:
    """Write Locust's reports and ``measurements.json``; return the run folder."""
    assert node.options is not None
    folder = fresh_out_dir(node.options.resolved_out_dir())
    folder.mkdir(parents=True, exist_ok=True)
    try:
        locust_outputs.write_reports(env, folder, node.final_nodes)
    except Exception as exc:  # Locust's reports are a courtesy; the measurements are the truth
        import logging

        logging.getLogger("loadtests").warning("could not write Locust's reports: %s", exc)
    data = measurements.model_dump_json(indent=2) + "\n"
    write_atomic(folder / "measurements.json", data.encode("utf-8"))
    return folder
