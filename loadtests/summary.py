"""The readable summary of a run record, printed by ``anp run`` and ``anp demo``.

Sections: what ran, a red panel when the run is incomplete (lost workers), the open model's
schedule (with a warning when slots were sent late), throughput and counts, errors by kind, latency percentiles (per endpoint and
overall), verification, checks, and the verdict with the exit code. Every figure comes from the
record, so what is printed is what was stored.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from loadtests.aggregate import overall_percentiles
from loadtests.finalize import open_loop_figures, open_loop_warning
from results import Percentiles, RunRecord
from synth import count_seeds, merge_ranges

EXPECTED_KINDS = frozenset({"rejected_invalid"})
"""Error kinds that are correct behaviour (an invalid post refused), not failures; the kinds are
listed in ``results.ERROR_KINDS_DOC``."""


def _header(record: RunRecord, run_dir: Path | None) -> Table:
    load = record.load
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    target = f"{record.target.name} ({record.target.kind}) at {record.target.url}"
    if record.target.release:
        target += f", release {record.target.release}"
    scenarios = ", ".join(f"{k}:{v}" for k, v in load.scenarios.items())
    model = load.load_model + (f" at {load.arrival_rate:g} posts/s" if load.arrival_rate else "")
    marks = ("  [red](interrupted)[/red]" if record.interrupted else "") + (
        "  [red](INCOMPLETE)[/red]" if record.incomplete is not None else ""
    )
    grid.add_row("run", record.run_id + marks)
    grid.add_row("target", target)
    grid.add_row(
        "load",
        f"{scenarios}; {model}, shape {load.shape}; {load.users} users "
        f"({load.processes} process{'es' if load.processes > 1 else ''}); seeds {load.seeds}",
    )
    grid.add_row(
        "time",
        f"{record.timing.duration_s:.1f} s from {record.timing.started_at} "
        f"(warm-up {record.timing.warmup_s:g} s left out of the throughput, error-ratio and latency checks)",
    )
    if run_dir is not None:
        grid.add_row("folder", str(run_dir))
    return grid


def incomplete_warning(record: RunRecord) -> Panel | None:
    """The lost workers, said before any figure: every count below lacks their last seconds."""
    inc = record.incomplete
    if inc is None:
        return None
    doubt = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in inc.seeds_in_doubt[:8])
    if len(inc.seeds_in_doubt) > 8:
        doubt += ", ..."
    lines = [
        Text(f"INCOMPLETE: {inc.detail}.", style="bold red"),
        Text(
            "Counts, throughput, latencies and seeds below are partial, so the run has no "
            "verdict (passed: null, exit code 3)."
        ),
    ]
    if inc.seeds_in_doubt_count:
        lines.append(
            Text(
                f"Seeds in doubt ({inc.seeds_in_doubt_count:,}): {doubt}. Verification read "
                "them back like sent-but-unacknowledged seeds: those that landed are counted "
                "under 'landed, not acknowledged'."
            )
        )
    return Panel(Group(*lines), title="incomplete run", title_align="left", border_style="red")


def open_loop_lines(record: RunRecord) -> Text | None:
    """The open model's schedule: target, achieved, due/sent/late slots (a warning when late)."""
    loop = record.open_loop
    if loop is None:
        return None
    text = Text(open_loop_figures(loop) + "; ")
    warning = open_loop_warning(loop)
    if warning is None:
        text.append("every slot was sent on time", style="green")
    else:
        text.append(f"WARNING: {warning}", style="bold yellow")
    return text


def _totals(record: RunRecord) -> Table:
    t = record.totals
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.add_row("throughput", f"{t.throughput_rps:,.1f} successful requests/s")
    grid.add_row("posts acknowledged", f"{t.posts_acknowledged:,} ({t.posts_per_s:,.1f}/s)")
    grid.add_row("requests", f"{t.requests:,}")
    grid.add_row("failures", f"{t.failures:,} ({t.error_ratio:.3%})")
    return grid


def _errors(record: RunRecord) -> Table | Text:
    if not record.errors:
        return Text("errors by kind: none (every request got the answer it expected)")
    table = Table(title="errors by kind", title_justify="left", expand=False)
    table.add_column("kind")
    table.add_column("count", justify="right")
    table.add_column("meaning")
    for kind, count in record.errors.items():
        meaning = "expected: invalid post refused" if kind in EXPECTED_KINDS else "failure"
        table.add_row(kind, f"{count:,}", meaning)
    return table


def _pct_row(table: Table, scenario: str, name: str, p: Percentiles | None, requests: int) -> None:
    if p is None:
        table.add_row(scenario, name, f"{requests:,}", *(["-"] * 5))
        return
    table.add_row(
        scenario,
        name,
        f"{requests:,}",
        f"{p.p50_ms:.2f}",
        f"{p.p95_ms:.2f}",
        f"{p.p99_ms:.2f}",
        f"{p.p999_ms:.2f}",
        f"{p.max_ms:.2f}",
    )


def _latency(record: RunRecord) -> Table:
    table = Table(title="latency (ms, exact from HDR histograms)", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    table.add_column("endpoint", no_wrap=True)
    table.add_column("requests", justify="right")
    for name in ("p50", "p95", "p99", "p99.9", "max"):
        table.add_column(name, justify="right")
    for e in record.endpoints:
        _pct_row(table, e.scenario, e.name, e.percentiles, e.requests)
    overall = overall_percentiles(record.endpoints)
    _pct_row(table, "all", "", overall, record.totals.requests)
    return table


def nothing_read_back(record: RunRecord) -> bool:
    """Whether verification read no post back at all although posts were acknowledged: it was
    not performed (``--no-verify`` aside) or it failed before its first read. Its landed,
    missing and corrupted counts are then unknown, not 0."""
    v = record.verification
    if v.error is None:
        return False
    if not v.performed:
        return True
    read = v.acknowledged + v.landed + v.missing + v.landed_unacknowledged
    return read == 0 and bool(record.seeds.acknowledged)


def _not_performed_text(error: str) -> str:
    prefix = "verification was not performed"
    return error if error.startswith(prefix) else f"{prefix}: {error}"


def _verification(record: RunRecord) -> Table:
    v = record.verification
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    if not v.performed and v.error is None:
        grid.add_row("verification", "not performed (--no-verify)")
        return grid
    if nothing_read_back(record):
        acknowledged = count_seeds(merge_ranges(record.seeds.acknowledged))
        grid.add_row("acknowledged", f"{max(acknowledged, v.acknowledged):,}")
        for label in ("landed", "missing", "corrupted"):
            grid.add_row(label, Text("unknown", style="red"))
        why = _not_performed_text(v.error or "")
        grid.add_row(Text("error", style="red"), Text(why, style="red"))
        return grid
    incomplete = v.error is not None  # every count is a lower bound
    rows = [
        ("acknowledged", v.acknowledged, False),
        ("landed", v.landed, False),
        ("missing", v.missing, v.missing > 0),
        ("duplicates", v.duplicates, v.duplicates > 0),
        ("corrupted", v.corrupted, v.corrupted > 0),
        ("landed, not acknowledged", v.landed_unacknowledged, False),
    ]
    for label, value, bad in rows:
        shown = f"at least {value:,}" if incomplete and label != "acknowledged" else f"{value:,}"
        grid.add_row(label, Text(shown, style="red" if bad else ""))
    grid.add_row("read back in", f"{v.duration_s:.2f} s")
    if record.incomplete is not None and record.incomplete.seeds_in_doubt_count:
        grid.add_row(
            "note",
            Text(
                f"'landed, not acknowledged' includes the lost workers' seeds in doubt that "
                f"landed (of {record.incomplete.seeds_in_doubt_count:,} in doubt)",
                style="yellow",
            ),
        )
    if v.error:
        grid.add_row(Text("error", style="red"), Text(v.error, style="red"))
    return grid


NO_CHECK_HINT = (
    "no check declared: this run cannot fail on errors, latency or lost posts; declare checks "
    "with --max-error-ratio, --max-p99-ms, --max-missing ... or the definition's [checks]"
)


def _checks(record: RunRecord) -> Table | Text:
    if not record.checks:
        return Text(f"checks: {NO_CHECK_HINT}", style="yellow")
    table = Table(title="checks", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail")
    for c in record.checks:
        verdict = Text("pass", style="green") if c.passed else Text("FAIL", style="bold red")
        table.add_row(c.name, verdict, c.detail)
    return table


def verdict(record: RunRecord, code: int) -> Text:
    """The closing line."""
    if code == 0:
        loop = record.open_loop
        late = (
            f"; but the open model fell behind: {loop.slots_late:,} slots sent late, "
            f"{loop.achieved_rate:,.1f} of {loop.target_rate:,g} posts/s"
            if loop is not None and loop.slots_late
            else ""
        )
        return Text(
            "PASS (exit 0)"
            + ("" if record.checks else ": no check declared, nothing was judged")
            + late,
            "bold green" if not late else "bold yellow",
        )
    if code == 1:
        failed = ", ".join(c.name for c in record.checks if not c.passed)
        return Text(f"FAIL (exit 1): {failed}", "bold red")
    if record.interrupted:
        why = "interrupted"
    elif record.incomplete is not None:
        lost = ", ".join(record.incomplete.lost_workers)
        why = f"incomplete: no final report from worker(s) {lost}; counts and seeds are partial"
    elif nothing_read_back(record):
        why = _not_performed_text(record.verification.error or "")
    else:
        why = record.verification.error or "harness failure"
    return Text(f"HARNESS OR TARGET FAILURE (exit {code}): {why}", "bold red")


def sections(record: RunRecord, code: int, run_dir: Path | None = None) -> list[RenderableType]:
    """The summary's parts, in order; the last is the verdict."""
    optional = [incomplete_warning(record), open_loop_lines(record)]
    return [
        Panel(_header(record, run_dir), title="anp run", title_align="left"),
        *[part for part in optional if part is not None],
        _totals(record),
        _errors(record),
        _latency(record),
        Panel(_verification(record), title="verification", title_align="left", expand=False),
        _checks(record),
        verdict(record, code),
    ]


def render(record: RunRecord, code: int, run_dir: Path | None = None) -> Group:
    """The whole summary as one rich renderable."""
    return Group(*sections(record, code, run_dir))


def print_summary(
    record: RunRecord, code: int, run_dir: Path | None = None, console: Console | None = None
) -> None:
    """Print the summary. Off a terminal (a pipe, a CI log) tables are 120 columns wide and the
    one-line parts (verdict, hints) are never wrapped, so each stays one greppable line."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # a pipe or a file: wide enough that no figure is cut
            console = Console(width=120)
    for part in sections(record, code, run_dir):
        console.print(part, soft_wrap=isinstance(part, Text) and not console.is_terminal)
