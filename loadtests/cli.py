"""``anp run`` and ``anp demo``. Registration is cheap: Locust, gevent and the sites are imported
inside the handlers only (and Locust only in the child process)."""

from __future__ import annotations

import argparse
from typing import Any

RUN_EPILOG = """\
examples:
  anp run --target targets/local-reference.toml --scenario import --users 50 --spawn-rate 10 --run-time 2m
  anp run --target targets/local-reference.toml --scenario import:3,invalid:1 --run-time 30s \\
          --max-error-ratio 0.01 --max-p99-ms 250 --max-missing 0 --max-corrupted 0
  anp run --target targets/local-reference.toml --load-model open --arrival-rate 200 --run-time 1m
  anp run --target targets/local-reference.toml --scenario batch --batch-size 50 --processes 2

exit codes: 0 every check passed, 1 a check failed, 2 a usage error (bad option or definition),
3 a harness or target failure (unreachable target, interrupted run, verification incomplete).
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

# (flag, default, help) of the harness options, passed to the locustfile as text.
HARNESS_OPTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "--scenario",
        "import",
        "scenario mix NAME[:WEIGHT],... of import, batch, reimport, invalid, read",
    ),
    ("--seeds", "0-999999", "seed ranges for import/batch, e.g. 0-999999 or 1,3,10-20"),
    ("--max-seeds", "", "stop after this many seeds were sent (default: all of --seeds)"),
    ("--load-model", "closed", "closed (users loop) or open (fixed arrival rate)"),
    ("--arrival-rate", "", "open model: posts/s offered across all users (required with open)"),
    ("--shape", "steady", "load shape: steady, ramp, step or spike"),
    ("--batch-size", "1", "posts per request of the batch scenario"),
    ("--size", "", "payload size: s, m, l or xl (default: natural sizes)"),
    (
        "--synth-processes",
        "0",
        "helper processes per Locust process that synthesize import posts ahead (0: in line)",
    ),
    (
        "--request-timeout",
        "",
        "seconds to wait for each response (e.g. 10, 2.5, 1m; default: the definition's "
        "[timeouts] read_s, else 30)",
    ),
    ("--warmup", "0", "leading seconds excluded from throughput (e.g. 5s)"),
    ("--max-error-ratio", "", "check: failed/all requests at most this (0..1)"),
    ("--max-p50-ms", "", "check: median latency at most this many ms"),
    ("--max-p95-ms", "", "check: p95 latency at most this many ms"),
    ("--max-p99-ms", "", "check: p99 latency at most this many ms"),
    ("--min-throughput", "", "check: successful requests/s at least this"),
    ("--max-missing", "", "check: acknowledged posts missing on the target at most this"),
    ("--max-corrupted", "", "check: landed posts differing from synth at most this"),
)


def with_default(help_text: str, default: str) -> str:
    """``help_text`` ending with its default, unless it already names one (or there is none)."""
    if "default" in help_text:
        return help_text
    if not default:
        if help_text.startswith("check:"):
            return f"{help_text} (default: the definition's [checks], else not checked)"
        return help_text
    return f"{help_text} (default {default})"


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, help="target definition file (targets/*.toml)")
    parser.add_argument("--users", default="10", help="simulated users (default 10)")
    parser.add_argument(
        "--spawn-rate", default="", help="users started per second (default: all in 1 s)"
    )
    parser.add_argument(
        "--run-time", default="1m", help="how long the load runs: 30s, 2m, 1h30m (default 1m)"
    )
    parser.add_argument(
        "--processes", default="1", help="Locust worker processes (default 1: a local runner)"
    )
    for flag, default, help_text in HARNESS_OPTIONS:
        parser.add_argument(flag, default=default, help=with_default(help_text, default))
    parser.add_argument(
        "--verify",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read back every acknowledged post after the load (default: yes)",
    )
    parser.add_argument(
        "--out", default="results/runs", help="folder of run folders (default results/runs)"
    )
    parser.add_argument("--run-id", default="", help="run id (default: UTC time + random suffix)")
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
