"""The terminal table of a comparison (rich). User text is passed as ``Text``, never markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from results.compare import Comparison
from results.formatting import (
    error_cells,
    fmt_ci,
    fmt_p,
    fmt_rate,
    fmt_ratio,
    fmt_value,
    headline,
    method_note,
    metric_label,
    side_label,
)

if TYPE_CHECKING:
    from results.history import History

_STYLE = {
    "regression": "bold red",
    "inconclusive": "yellow",
    "no change": "green",
    "improved": "bold green",
    "descriptive": "cyan",
}


def comparison_table(comparison: Comparison) -> Table:
    table = Table(title=Text(headline(comparison)), title_justify="left")
    for column in ("metric", "baseline", "candidate", "ratio", "CI", "p (adj)", "verdict"):
        table.add_column(column, justify="left" if column in ("metric", "verdict") else "right")
    for m in comparison.metrics:
        p = "n/a" if m.p_value is None else f"{fmt_p(m.p_value)} ({fmt_p(m.p_adjusted)})"
        table.add_row(
            Text(metric_label(m.spec)),
            fmt_value(m.baseline, m.spec.unit),
            fmt_value(m.candidate, m.spec.unit),
            fmt_ratio(m.ratio),
            fmt_ci(m),
            p,
            Text(m.verdict, style=_STYLE.get(m.verdict, "")),
        )
    for row in comparison.error_kinds:
        diff, ci, p, verdict = error_cells(row)
        table.add_row(
            Text(f"errors: {row.kind}"),
            fmt_rate(row.baseline_rate),
            fmt_rate(row.candidate_rate),
            diff,
            ci,
            p,
            Text(verdict, style=_STYLE.get(row.verdict, "")),
        )
    lost = sum(r.posts_lost for r in comparison.candidate)
    base_lost = sum(r.posts_lost for r in comparison.baseline)
    table.add_row(
        "posts lost",
        str(base_lost),
        str(lost),
        "",
        "",
        "",
        Text("regression" if lost else "none", style="bold red" if lost else "green"),
    )
    return table


def print_comparison(comparison: Comparison, console: Console | None = None) -> None:
    console = console or Console()
    console.print(Text(f"baseline:  {side_label(comparison, 'baseline')}"))
    console.print(Text(f"candidate: {side_label(comparison, 'candidate')}"))
    console.print(comparison_table(comparison))
    for m in comparison.metrics:
        console.print(Text(f"  {metric_label(m.spec)}: {m.reason}"))
    for row in comparison.error_kinds:
        if not row.expected:
            console.print(Text(f"  errors: {row.kind}: {row.reason}"))
    for item in comparison.hard_regressions:
        console.print(Text(f"REGRESSION: {item}", style="bold red"))
    for note in comparison.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    console.print(Text(method_note(comparison), style="dim"))


def print_history(h: History, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=Text(f"anp history: {h.summary}"), title_justify="left")
    table.add_column("release")
    table.add_column("runs", justify="right")
    for t in h.trends:
        table.add_column(f"{metric_label(t.spec)} ({t.spec.unit})", justify="right")
    for i, release in enumerate(h.releases):
        cells = [
            f"{t.medians[i]:.4g} [{t.mins[i]:.4g}-{t.maxs[i]:.4g}] ({t.normalised[i]:.3f})"
            for t in h.trends
        ]
        table.add_row(Text(release), str(h.runs_per_release[i]), *cells)
    console.print(table)
    for t in h.trends:
        for c in t.changes:
            style = "bold red" if c.flagged else ""
            console.print(
                Text(
                    f"  {metric_label(t.spec)}: change at release {h.releases[c.index]}: "
                    f"{c.before:.3f} -> {c.after:.3f} ({c.worsening * 100:+.1f}% worse)"
                    + (" FLAGGED" if c.flagged else ""),
                    style=style,
                )
            )
    console.print(Text(h.method, style="dim"))
