"""``anp run`` and ``anp demo``. Registration is cheap: Locust, gevent and the sites are imported
inside the handlers only (and Locust only in the child process). The harness options come from
``loadtests.option_table``, the table the locustfile's parser reads too."""

from __future__ import annotations

import argparse
from typing import Any

from loadtests.option_table import FORWARDED, VERIFY_HELP, option

RUN_EPILOG = """\
examples:
  anp run --target targets/local-reference.toml --scenario import --users 50 --spawn-rate 10 --run-time 2m
  anp run --target targets/local-reference.toml --scenario import:3,invalid:1 --run-time 30s \\
          --max-error-ratio 0.01 --max-p99-ms 250 --max-missing 0 --max-corrupted 0
  anp run --target targets/local-reference.toml --load-model open --arrival-rate 200 --run-time 1m
  anp run --target targets/local-reference.toml --scenario batch --batch-size 50 --processes 2

exit codes: 0 every check passed, 1 a check failed, 2 a usage error (bad option or definition),
3 a harness or target failure (unreachable target, interrupted run, verification incomplete).
With no check declared (no --max-... option, no [checks] in the definition) the run is judged
as Locust judges it: 1 when any request failed (an expected rejection of the invalid scenario
is not a failure). --warmup leaves its leading seconds out of the load checks.
The run folder <out>/<run-id>/ holds run.json, measurements.json, locust.log and Locust's CSV/HTML.
"""

DEMO_EPILOG = """\
examples:
  anp demo                      about 25 s: reference site + import/invalid load + verification
  anp demo --duration 10s       a shorter load
  anp demo --users 20           more simulated users

It starts the reference site on a free loopback port with a fresh SQLite file, runs the load,
reads back every acknowledged post, writes results/runs/<run-id>/ and prints the summary. The
site is stopped at the end, also on Ctrl-C. Exit codes as for anp run.
"""


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    target, run_id = option("--target"), option("--run-id")
    parser.add_argument(target.flag, required=True, help=target.help_text())
    parser.add_argument("--users", default="10", help="simulated users, e.g. 50 (default 10)")
    parser.add_argument(
        "--spawn-rate", default="", help="users started per second, e.g. 10 (default: all in 1 s)"
    )
    parser.add_argument(
        "--run-time", default="1m", help="how long the load runs: 30s, 2m, 1h30m (default 1m)"
    )
    parser.add_argument(
        "--processes",
        default="1",
        help="Locust worker processes, e.g. 2 (default 1: a local runner)",
    )
    for row in FORWARDED:
        parser.add_argument(row.flag, default=row.default, help=row.help_text())
    parser.add_argument(
        "--verify", action=argparse.BooleanOptionalAction, default=True, help=VERIFY_HELP
    )
    parser.add_argument(
        "--out", default="results/runs", help="folder of run folders (default results/runs)"
    )
    parser.add_argument(run_id.flag, default=run_id.default, help=run_id.help_text())
    parser.add_argument("--no-progress", action="store_true", help="no live progress display")


def register(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run",
        help="run a load test against a target, verify what landed, apply checks",
        description="Run Locust headless against a target, read back every acknowledged post, "
        "evaluate the checks and write a run record.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_run_options(run)
    run.set_defaults(func=_run)

    demo = subparsers.add_parser(
        "demo",
        help="reference site + short load + verification + summary, in one command",
        description="Start the reference site, load it for a short while with the import and "
        "invalid scenarios, verify every post and print the summary.",
        epilog=DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--duration", default="25s", help="load duration (default 25s)")
    demo.add_argument("--users", default="10", help="simulated users (default 10)")
    demo.add_argument(
        "--out", default="results/runs", help="folder of run folders (default results/runs)"
    )
    demo.add_argument("--no-progress", action="store_true", help="no live progress display")
    demo.set_defaults(func=_demo)


def _run(args: argparse.Namespace) -> int:
    from loadtests.run_command import run_command

    return run_command(args)


def _demo(args: argparse.Namespace) -> int:
    from loadtests.demo import run_demo

    return run_demo(args)
