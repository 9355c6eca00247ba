"""``anp demo``: the whole product in one command, on this machine only.

1. create ``results/runs/<run-id>/``;
2. start the reference site on a free loopback port with a fresh SQLite file in a temporary
   folder (its log goes to ``target.log`` in the run folder);
3. write ``target.toml`` for it, with the checks ``max_missing = 0``, ``max_corrupted = 0`` and
   ``max_error_ratio = 0.01``;
4. run ``anp run``'s machinery: a headless Locust load of the ``import`` and ``invalid``
   scenarios (4:1), then verification of every acknowledged post, then the record;
5. print the summary, stop the site by its PID (always, also on Ctrl-C or an error) and delete
   the temporary database.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

DEMO_SCENARIO = "import:4,invalid:1"
DEMO_CHECKS = {"max_error_ratio": 0.01, "max_missing": 0, "max_corrupted": 0}
DURATION_EXPECTED = "a whole number of seconds >= 1, such as 30, 45s, 2m or 1m30s"
"""What ``anp demo --duration`` accepts, said the same way whatever was wrong with the value."""


def demo_seconds(text: str) -> int:
    """``--duration`` in whole seconds; ``OptionError`` (exit 2) naming ``DURATION_EXPECTED``
    for anything else (not a duration, under a second, or a fraction such as 2.5)."""
    from loadtests.options import OptionError, parse_duration

    try:
        seconds = parse_duration("--duration", text)
    except OptionError:
        seconds = 0.0
    if not seconds >= 1 or seconds != int(seconds):
        raise OptionError(
            f"--duration: got {text!r}; expected {DURATION_EXPECTED} (a usage error: retrying "
            "with the same value will fail again)"
        )
    return int(seconds)


def demo_run_args(args: argparse.Namespace, target: Path, run_time: str) -> argparse.Namespace:
    """The ``anp run`` options the demo uses."""
    from loadtests.option_table import FORWARDED

    values = {row.dest: row.default for row in FORWARDED}
    values["scenario"] = DEMO_SCENARIO
    return argparse.Namespace(
        target=str(target),
        users=args.users,
        spawn_rate="",
        run_time=run_time,
        processes="1",
        verify=True,
        out=args.out,
        run_id="",
        no_progress=args.no_progress,
        **values,
    )


def run_demo(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from loadtests.local_site import LocalReferenceSite, write_definition
    from loadtests.options import OptionError, new_run_id
    from loadtests.progress import status_console
    from loadtests.run_command import check_wrapper_options, plan_run
    from loadtests.runner import RunError, execute, prepare_run_dir
    from loadtests.summary import print_summary

    try:
        run_time = f"{demo_seconds(args.duration)}s"
    except OptionError as exc:
        raise RunError(str(exc), 2) from None
    # check the options before anything starts (the target is checked once the site runs)
    check_wrapper_options(demo_run_args(args, Path("unused.toml"), run_time))

    console = status_console()
    run_dir = prepare_run_dir(Path(args.out).resolve(), new_run_id())
    with tempfile.TemporaryDirectory(prefix="anp-demo-") as temp:
        site = LocalReferenceSite(Path(temp) / "reference.db", run_dir / "target.log")
        try:
            url = site.start()
            console.print(
                f"[bold]anp demo[/bold]: reference site (PID {site.pid}) at {escape(url)}, "
                f"run folder {escape(str(run_dir))}"
            )
            target = write_definition(run_dir / "target.toml", "demo-reference", url, DEMO_CHECKS)
            plan, _release = plan_run(demo_run_args(args, target, run_time), run_dir=run_dir)
            record, code = execute(plan, show_progress=not args.no_progress)
        finally:
            site.stop()
    print_summary(record, code, run_dir)
    return code
