"""``anp compare``, ``anp runs`` and ``anp history``. Heavy imports stay inside the handlers."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_COMPARE_HTML = Path("compare.html")
"""The HTML report's name without ``--html``: in the first candidate's run folder when that
candidate is a run folder written by ``anp run`` (its ``run.json``), else in the current
directory; never next to bare ``*.json`` baselines, which are tracked by git."""

COMPARE_EPILOG = """\
examples:
  anp compare results/baselines/reference --against results/runs/20261204T2*
  anp compare results/runs/A1 results/runs/A2 results/runs/A3 results/runs/A4 results/runs/A5 \\
      --against results/runs/B1 results/runs/B2 results/runs/B3 results/runs/B4 results/runs/B5
  anp compare base/run.json --against cand/run.json --markdown summary.md --html report.html
  anp compare results/baselines/reference --against results/runs/B* --format markdown

Run k = 5 runs per side: with fewer, the exact test cannot reach significance (2 vs 2: the
smallest p-value is 1/6). One run per side gives a descriptive comparison only. A run given
twice on one side (a folder and its run.json, two copies of one baseline) is counted once, with
a note; a run given on both sides is refused.
throughput is the median of the per-second successful request counts after the warm-up (whole
seconds only); `anp runs` shows it as "req/s median". The run summary's figure is total/duration.
outputs: the table (or --format) on stdout; --markdown FILE; the HTML report goes to --html FILE,
by default compare.html in the first candidate's run folder when it is a run folder written by
`anp run` (with its run.json), otherwise in the current directory, never next to bare *.json
baselines (--no-html to skip). Folders are never created: a report path in a missing folder, or a
folder, is an error (exit 2). /dev/stdout works.
exit codes: 0 no regression, 1 regression, 2 inconclusive (or a command-line mistake: a path that
            does not exist, a report path that cannot be written), 3 unusable input (bad JSON,
            wrong schema version, a folder without records, different load, the same run on
            both sides) or an internal error
"""

RUNS_EPILOG = """\
examples:
  anp runs
  anp runs --dir results/baselines
  anp runs --dir results/runs --dir results/baselines/reference --format json

A folder is searched for */run.json and *.json, and one level further down in subfolders that are
not run folders (results/baselines finds results/baselines/reference/*.json). A run folder with
measurements.json but no run.json (a run that crashed or was killed) is listed as "no record".
req/s avg: successful requests after the warm-up / the seconds after it (the whole run without a
warm-up): the run summary's throughput.
req/s median: median of the per-second successful requests after the warm-up, whole seconds only:
the throughput `anp compare` and `anp history` use.
"""

HISTORY_EPILOG = """\
examples:
  anp history results/runs
  anp history results/runs --recent 3 --html history.html --markdown history.md
  anp history results/baselines/*/ --order 1.0,1.1,1.2,1.3

Inputs that are not .json files (a README.md caught by a glob) are skipped with a note, and so
is a run with nothing to measure (no whole second after its warm-up, no latency recorded); a run
given twice is counted once. throughput is the median of per-second successful requests after
the warm-up (as in `anp compare`). Report folders are never created.
exit codes: 0 no bad change point in the recent releases, 1 regression (a bad change point
within the last --recent releases), 2 a command-line mistake (a path that does not exist, a report
path that cannot be written), 3 unusable input or an internal error
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


_RETRY = "retrying with the same value will fail again"


def _alpha(text: str) -> float:
    """``--alpha``: a finite number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:  # also false for nan; inf is out of range
        raise argparse.ArgumentTypeError(
            f"expected a number with 0 < ALPHA < 1 (e.g. 0.05), got {text!r}; {_RETRY}"
        )
    return value


def _fraction(text: str) -> float:
    """``--error-min-effect``: a finite number with 0 <= x < 1 (a share of requests)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a fraction with 0 <= FRACTION < 1 (0.005 = +0.5 percentage points), "
            f"got {text!r}; {_RETRY}"
        )
    return value


def _recent(text: str) -> int:
    """``--recent``: a whole number of releases, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of releases >= 1 (e.g. 3), got {text!r}; {_RETRY}"
        )
    return value


def _min_effect(text: str) -> tuple[str, float]:
    from results.metrics import PRIMARY_METRICS

    keys = [m.key for m in PRIMARY_METRICS]
    name, sep, value = text.partition("=")
    try:
        fraction = float(value)
    except ValueError:
        fraction = -1.0
    if not sep or name not in keys or not 0 <= fraction < 1:
        raise argparse.ArgumentTypeError(
            f"expected METRIC=FRACTION with METRIC one of {', '.join(keys)} and 0 <= FRACTION < 1 "
            f"(e.g. throughput_rps=0.05), got {text!r}; {_RETRY}"
        )
    return name, fraction


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare baseline runs with candidate runs: verdict, report, exit code",
        description="Reduce each run to one value per metric (warm-up excluded), test whether the "
        "candidate is worse (one-sided tests across runs, weighted Holm correction, minimum effect) "
        "and print a table; optionally write Markdown and HTML reports.",
        epilog=COMPARE_EPILOG,
        formatter_class=_Formatter,
    )
    p.add_argument(
        "baseline",
        nargs="+",
        type=Path,
        metavar="BASELINE",
        help="baseline run folders, run.json files, or folders of them",
    )
    p.add_argument(
        "--against",
        nargs="+",
        type=Path,
        required=True,
        metavar="CANDIDATE",
        help="candidate run folders, run.json files, or folders of them",
    )
    p.add_argument(
        "--format",
        choices=("table", "markdown", "json"),
        default="table",
        help="what to print on stdout (default: %(default)s)",
    )
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the Markdown here")
    p.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="HTML report path (default: compare.html in the first candidate's run folder, or "
        "in the current directory when the candidate is a bare .json file; see below)",
    )
    p.add_argument("--no-html", action="store_true", help="do not write the HTML report")
    p.add_argument(
        "--alpha",
        type=_alpha,
        default=0.05,
        help="family-wise alpha, 0 < ALPHA < 1 (default 0.05); also used for the error-kind family",
    )
    p.add_argument("--correction", choices=("holm", "bonferroni"), default="holm")
    p.add_argument(
        "--min-effect",
        type=_min_effect,
        action="append",
        default=[],
        metavar="METRIC=FRACTION",
        help="override a minimum effect, e.g. p99_ms=0.2 (repeatable)",
    )
    p.add_argument(
        "--error-min-effect",
        type=_fraction,
        default=None,
        metavar="FRACTION",
        help="smallest rise of an error kind's ratio that counts, 0 <= FRACTION < 1 "
        "(default 0.005 = +0.5 percentage points)",
    )
    p.set_defaults(func=_compare)

    r = subparsers.add_parser(
        "runs",
        help="list stored runs to pick a baseline",
        description="List stored run records: id, date, target, release, scenario mix, users, "
        "throughput, p95, error ratio and verification status.",
        epilog=RUNS_EPILOG,
        formatter_class=_Formatter,
    )
    r.add_argument(
        "--dir",
        type=Path,
        action="append",
        dest="dirs",
        metavar="DIR",
        help="folder of runs (repeatable; default results/runs)",
    )
    r.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json (a list with one object per run, for scripts)",
    )
    r.set_defaults(func=_runs)

    h = subparsers.add_parser(
        "history",
        help="trend of each metric across releases, with change points",
        description="Group runs by target release, show each metric's per-release median and "
        "min-max, detect change points (ruptures PELT) and exit 1 when one in the bad direction "
        "falls within the most recent releases.",
        epilog=HISTORY_EPILOG,
        formatter_class=_Formatter,
    )
    h.add_argument(
        "runs",
        nargs="+",
        type=Path,
        metavar="RUNS",
        help="run folders, run.json files, or folders of them",
    )
    h.add_argument(
        "--order",
        metavar="R1,R2,...",
        help="release order (default: by each release's first run start)",
    )
    h.add_argument(
        "--recent", type=_recent, default=3, help="releases counted as recent, >= 1 (default 3)"
    )
    h.add_argument(
        "--format",
        choices=("table", "markdown"),
        default="table",
        help="what to print on stdout (default: %(default)s)",
    )
    h.add_argument("--markdown", type=Path, metavar="FILE", help="also write the Markdown here")
    h.add_argument("--html", type=Path, metavar="FILE", help="write the HTML trend report here")
    h.set_defaults(func=_history)


def _console() -> Any:
    """A console that does not squeeze tables to 80 columns when the output is not a terminal."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


_ARGUMENT = {"baseline": "BASELINE", "candidate": "--against", "history": "RUNS"}
"""The command-line argument that gives each side's runs, named in a missing path's error."""


def _load(paths: list[Path], side: str) -> list[tuple[Path, Any]]:
    """The records of one side, each run once; notes (skipped files, repeats) go to stderr. A
    path that does not exist is a command-line mistake (exit 2) naming the argument."""
    from results.errors import InputPathError
    from results.store import load_records, unique_runs

    notes: list[str] = []
    try:
        records = load_records(paths, notes)
    except InputPathError as exc:
        raise InputPathError(f"{_ARGUMENT[side]}: {exc}") from None
    loaded = unique_runs(records, side, notes)
    for note in notes:
        print(f"anp: note: {note}", file=sys.stderr)
    return loaded


def _reduce(loaded: list[tuple[Path, Any]]) -> tuple[list[Any], list[Any]]:
    from results.metrics import reduce_run

    records = [record for _, record in loaded]
    return records, [reduce_run(record, file.parent) for file, record in loaded]


def _reduce_measured(loaded: list[tuple[Path, Any]]) -> tuple[list[Any], list[Any]]:
    """``_reduce`` for ``anp history``: a run with nothing to measure (under a second after its
    warm-up, no latency recorded) is skipped with a note naming it and why; the rest go on."""
    from results.errors import RecordError, UnmeasuredRunError
    from results.metrics import reduce_run

    records: list[Any] = []
    runs: list[Any] = []
    for file, record in loaded:
        try:
            runs.append(reduce_run(record, file.parent))
        except UnmeasuredRunError as exc:
            print(f"anp: note: skipped '{file}': {exc}", file=sys.stderr)
            continue
        records.append(record)
    if not runs:
        raise RecordError(
            f"none of the {len(loaded)} run(s) given has anything to measure (see the notes "
            "above); expected runs with at least one whole second after their warm-up"
        )
    return records, runs


def _refuse_shared_runs(base: list[tuple[Path, Any]], cand: list[tuple[Path, Any]]) -> None:
    """A run on both sides would be compared with itself."""
    from results.errors import RecordError

    base_ids = {record.run_id: file for file, record in base}
    for file, record in cand:
        if record.run_id in base_ids:
            raise RecordError(
                f"run {record.run_id} is on both sides ('{base_ids[record.run_id]}' as a baseline "
                f"and '{file}' as a candidate); a run cannot be compared with itself. Remove it "
                "from one side (retrying with the same inputs fails again)"
            )


def _write_report(option: str, path: Path, text: str) -> None:
    """Write a report the user asked for; a path that cannot be written is a usage error."""
    from results.atomic import write_text_atomic
    from results.errors import OutputError

    try:
        write_text_atomic(path, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, IsADirectoryError):
            reason = "it is a folder; expected a file name such as report.html"
        elif isinstance(exc, FileNotFoundError):
            reason = f"the folder '{path.parent}' does not exist; create it first"
        raise OutputError(
            f"{option} '{path}': cannot write the report ({reason}); nothing was written there. "
            "Fix the path or permissions, then retry"
        ) from None


def _default_html(first_candidate: Path) -> Path:
    """See :data:`DEFAULT_COMPARE_HTML`."""
    from results.store import RUN_FILE

    if first_candidate.name == RUN_FILE:
        return first_candidate.parent / DEFAULT_COMPARE_HTML
    return DEFAULT_COMPARE_HTML


@contextlib.contextmanager
def _quiet_scipy() -> Iterator[None]:
    """scipy's RuntimeWarnings (e.g. precision loss on identical values) are not for the
    user's terminal: the statistics handle those cases and say so in the reasons."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(scipy|numpy)\.")
        yield


def _compare(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from results.comparable import check_comparable
    from results.compare import CompareSettings, compare_runs
    from results.report_html import comparison_html
    from results.report_md import comparison_markdown
    from results.report_term import print_comparison

    base_loaded = _load(args.baseline, "baseline")
    cand_loaded = _load(args.against, "candidate")
    _refuse_shared_runs(base_loaded, cand_loaded)
    base_records, base = _reduce(base_loaded)
    cand_records, cand = _reduce(cand_loaded)
    check_comparable(base_records, cand_records)
    min_effect = dict(CompareSettings().min_effect)
    min_effect.update(dict(args.min_effect))
    settings = CompareSettings(alpha=args.alpha, correction=args.correction, min_effect=min_effect)
    if args.error_min_effect is not None:
        settings = dataclasses.replace(settings, error_min_effect=args.error_min_effect)
    with _quiet_scipy():
        comparison = compare_runs(base, cand, settings)
    markdown = comparison_markdown(comparison)
    if args.markdown:
        _write_report("--markdown", args.markdown, markdown)
    html_path: Path | None = None
    if not args.no_html:
        html_path = args.html or _default_html(cand_loaded[0][0])
        _write_report("--html", html_path, comparison_html(comparison))
    if args.format == "markdown":
        print(markdown, end="")
    elif args.format == "json":
        print(json.dumps(_comparison_json(comparison), indent=2, sort_keys=True))
    else:
        print_comparison(comparison, _console())
        if html_path is not None:
            print(f"HTML report: {html_path}")
    return comparison.exit_code


def _comparison_json(c: Any) -> dict[str, Any]:
    return {
        "verdict": c.verdict,
        "exit_code": c.exit_code,
        "mode": c.mode,
        "baseline_runs": [r.run_id for r in c.baseline],
        "candidate_runs": [r.run_id for r in c.candidate],
        "metrics": [
            {
                "metric": m.spec.key,
                "baseline": m.baseline,
                "candidate": m.candidate,
                "ratio": m.ratio,
                "ci": [m.ci_low, m.ci_high],
                "p_value": m.p_value,
                "p_adjusted": m.p_adjusted,
                "min_effect": m.min_effect,
                "verdict": m.verdict,
                "reason": m.reason,
                "baseline_values": m.baseline_values,
                "candidate_values": m.candidate_values,
            }
            for m in c.metrics
        ],
        "error_kinds": [
            {
                "kind": row.kind,
                "baseline": row.baseline_rate,
                "candidate": row.candidate_rate,
                "difference": row.difference,
                "ci": [row.ci_low, row.ci_high],
                "p_value": row.p_value,
                "p_adjusted": row.p_adjusted,
                "min_effect": row.min_effect,
                "new": row.new,
                "expected": row.expected,
                "verdict": row.verdict,
                "reason": row.reason,
                "baseline_values": row.baseline_values,
                "candidate_values": row.candidate_values,
            }
            for row in c.error_kinds
        ],
        "new_error_kinds": [row.kind for row in c.error_kinds if row.new],
        "hard_regressions": c.hard_regressions,
        "notes": c.notes,
    }


def _runs(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table
    from rich.text import Text

    from results.errors import InputPathError
    from results.listing import run_rows
    from results.store import DEFAULT_RUNS_DIR, list_runs

    for directory in args.dirs or ():
        if not directory.is_dir():
            state = "is not a folder" if directory.exists() else "does not exist"
            raise InputPathError(  # exit 2, as for a missing run given to compare or history
                f"--dir: '{directory}' {state}; expected a folder of run folders, "
                "e.g. --dir results/runs; a command-line mistake, safe to retry with the right "
                "path"
            )
    dirs = args.dirs or [DEFAULT_RUNS_DIR]
    if not args.dirs and not DEFAULT_RUNS_DIR.is_dir():
        print(f"no stored runs: '{DEFAULT_RUNS_DIR}' does not exist yet (run `anp run` first)")
        return 0
    rows = run_rows(list_runs(dirs))
    if args.format == "json":
        print(json.dumps([row.as_json() for row in rows], indent=2, sort_keys=True))
        return 0
    count = f"{len(rows)} stored run(s)"
    table = Table(
        title=f"{count} in {', '.join(map(str, dirs))}",
        caption="req/s avg: successful requests after the warm-up / the seconds after it (the "
        "whole run without a warm-up; the run summary's figure); "
        "req/s median: median of per-second successful requests after the warm-up (the "
        "throughput anp compare and anp history use)",
    )
    for col in (
        "run id",
        "started",
        "target",
        "release",
        "scenarios",
        "users",
        "req/s avg",
        "req/s median",
        "p95 ms",
        "errors",
        "verification",
    ):
        table.add_column(col)
    for row in rows:
        if row.problem:
            problem = (
                row.problem if row.problem.startswith("no record") else f"unreadable: {row.problem}"
            )
            table.add_row(
                Text(row.path), "", "", "", "", "", "", "", "", "", Text(problem, style="red")
            )
            continue
        table.add_row(
            Text(row.run_id),
            Text(row.started_at[:19].replace("T", " ")),
            Text(row.target),
            Text(row.release),
            Text(row.scenarios),
            str(row.users),
            "" if row.throughput_rps is None else f"{row.throughput_rps:,.1f}",
            "" if row.median_rps is None else f"{row.median_rps:,.1f}",
            "" if row.p95_ms is None else f"{row.p95_ms:.1f}",
            "" if row.error_ratio is None else f"{row.error_ratio * 100:.2f}%",
            Text(row.verification, style="red" if row.verification.startswith("LOST") else ""),
        )
    _console().print(table)
    return 0


def _history(args: argparse.Namespace) -> int:
    from results.comparable import check_comparable
    from results.history import build_history
    from results.report_html import history_html
    from results.report_md import history_markdown
    from results.report_term import print_history

    records, runs = _reduce_measured(_load(args.runs, "history"))
    check_comparable(records, purpose="history")
    order = [x.strip() for x in args.order.split(",")] if args.order else None
    with _quiet_scipy():
        history = build_history(runs, order=order, recent=args.recent)
    markdown = history_markdown(history)
    if args.markdown:
        _write_report("--markdown", args.markdown, markdown)
    if args.html:
        _write_report("--html", args.html, history_html(history))
    if args.format == "markdown":
        print(markdown, end="")
    else:
        print_history(history, _console())
    return history.exit_code
