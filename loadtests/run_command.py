"""The ``anp run`` handler: validate every option, check the target, plan and run the child.

Harness options are checked by the same code the locustfile uses (``loadtests.options``), so
``anp run`` and plain ``locust`` refuse the same values with the same messages. The wrapper's own
options (users, spawn rate, run time, processes) are checked here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from loadtests.option_table import FORWARDED
from loadtests.runner import LocustPlan, RunError, bound_grace, locust_argv, prepare_run_dir


def usage_error(flag: str, value: object, expected: str) -> RunError:
    """RunError 2 in the form every option error has: option, value given, expected form."""
    return RunError(
        f"{flag}: got {value!r}; expected {expected} (a usage error: retrying with the same "
        "value will fail again)",
        2,
    )


def _whole(flag: str, text: str, low: int, high: int) -> int:
    raw = str(text).strip()
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise usage_error(flag, text, f"a whole number from {low} to {high}")
    return int(raw)


def _rate(flag: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 100_000:
        raise usage_error(flag, text, "a number of users per second > 0 (e.g. 10 or 2.5)")
    return value


def check_wrapper_options(args: argparse.Namespace) -> tuple[int, float, float, int]:
    """(users, spawn rate, run time in s, processes) or RunError 2 naming the option."""
    from loadtests.options import OptionError, parse_duration

    users = _whole("--users", args.users, 1, 100_000)
    spawn_rate = _rate("--spawn-rate", args.spawn_rate) if args.spawn_rate else float(users)
    try:
        run_time = parse_duration("--run-time", args.run_time)
    except OptionError as exc:
        raise RunError(str(exc), 2) from None
    if run_time < 1 or run_time != int(run_time):
        raise usage_error(
            "--run-time", args.run_time, "a whole number of seconds >= 1, e.g. 30s or 2m"
        )
    processes = _whole("--processes", args.processes, 1, max(64, os.cpu_count() or 1))
    return users, spawn_rate, run_time, processes


def harness_namespace(args: argparse.Namespace, target: str, run_id: str) -> argparse.Namespace:
    """The namespace ``loadtests.options.read_options`` expects."""
    values = {row.dest: getattr(args, row.dest) for row in FORWARDED}
    return argparse.Namespace(
        target=target, anp_out="", run_id=run_id, verify=args.verify, **values
    )


def harness_argv(args: argparse.Namespace, target: str, run_id: str) -> list[str]:
    """The harness options as locustfile command-line arguments (empty values left out)."""
    argv = ["--target", target, "--run-id", run_id]
    for row in FORWARDED:
        value = str(getattr(args, row.dest))
        if value.strip():
            argv += [row.flag, value]
    argv.append("--verify" if args.verify else "--no-verify")
    return argv


def plan_run(
    args: argparse.Namespace, run_dir: Path | None = None
) -> tuple[LocustPlan, str | None]:
    """Validate everything, check the target answers, create the run folder; (plan, release).

    ``run_dir``: an empty folder already made for this run (by ``anp demo``); its name is the
    run id."""
    from loadtests.options import new_run_id, read_options
    from loadtests.runner import check_out_root, check_reachable, load_definition
    from targets import DefinitionError

    # every usage check (exit 2) comes before the reachability probe (exit 3)
    users, spawn_rate, run_time, processes = check_wrapper_options(args)
    if not str(args.target).strip():
        raise usage_error(
            "--target",
            args.target,
            "the path of a target definition, e.g. targets/local-reference.toml",
        )
    target = str(Path(args.target).resolve())
    run_id = run_dir.name if run_dir is not None else (args.run_id.strip() or new_run_id())
    options = read_options(harness_namespace(args, target, run_id))  # OptionError: exit 2
    if options.warmup >= run_time:
        raise usage_error("--warmup", args.warmup, f"less than --run-time ({run_time:g} s)")
    out_root = Path(args.out).resolve()
    if run_dir is None:
        check_out_root(out_root, run_id)
    try:
        adapter = load_definition(target)
    except DefinitionError as exc:  # a usage error (exit 2) about the file --target names
        raise RunError(f"--target: {exc}", 2) from None
    batch_limit = int(getattr(adapter, "batch_limit", 0) or 0)
    if "batch" in options.scenarios:
        if batch_limit < 1:
            raise usage_error(
                "--scenario",
                args.scenario,
                "a scenario mix without batch (the target has no batch endpoint)",
            )
        if options.batch_size > batch_limit:
            raise usage_error(
                "--batch-size", args.batch_size, f"1..{batch_limit} (the target's limit)"
            )
    _url, release, _limit = check_reachable(target, target=adapter)  # RunError 3
    notes: list[str] = []
    if options.seeded:
        from loadtests.reachability import stored_before

        warning = stored_before(adapter, options.seeds, size=options.size)
        if warning is not None:
            notes.append(warning)
    if run_dir is None:
        run_dir = prepare_run_dir(out_root, run_id)
    argv = locust_argv(
        run_dir=run_dir,
        users=users,
        spawn_rate=spawn_rate,
        run_time_s=run_time,
        processes=processes,
        harness_args=harness_argv(args, target, run_id),
    )
    plan = LocustPlan(
        argv=argv,
        run_dir=run_dir,
        run_time_s=run_time,
        grace_s=bound_grace(run_time),
        target_path=target,
        notes=tuple(notes),
        verify_timeout_s=options.verify_timeout,
    )
    return plan, release


def run_command(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from loadtests.progress import status_console
    from loadtests.runner import execute
    from loadtests.summary import print_summary

    plan, _release = plan_run(args)
    console = status_console()
    console.print(f"[bold]anp run[/bold]: {escape(str(plan.run_dir))}  (Locust log: locust.log)")
    show_notes(console, plan.notes)
    record, code = execute(plan, show_progress=not args.no_progress)
    print_summary(record, code, plan.run_dir)
    show_notes(console, plan.notes)
    return code


def show_notes(console: Any, notes: tuple[str, ...]) -> None:
    """Print the planning warnings, one line each."""
    from rich.markup import escape

    for note in notes:
        console.print(f"[yellow]warning[/yellow]: {escape(note)}")
