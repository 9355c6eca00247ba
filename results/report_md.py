"""Markdown reports for a CI job summary or a pull-request comment.

User text (target names, releases, run ids, error kinds) is escaped: HTML-significant characters
become entities and Markdown punctuation is backslash-escaped, so nothing in a record can add
markup, links or images to the page it is posted on."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
    runs_text,
    side_label,
)

if TYPE_CHECKING:
    from results.history import History

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~])")


def md_escape(text: str) -> str:
    """Escape ``text`` for a Markdown table cell or paragraph."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


_ICON = {"regression": "❌", "no regression": "✅", "inconclusive": "⚠️"}


def comparison_markdown(comparison: Comparison) -> str:
    lines = [
        # the headline is our own text (verdict, exit code, counts, mode): no user text to
        # escape, so it reads "(exit 2)" in raw logs, not "\(exit 2\)"
        f"### {_ICON[comparison.verdict]} anp compare: {headline(comparison)}",
        "",
        f"- baseline: {md_escape(side_label(comparison, 'baseline'))} "
        f"({runs_text(len(comparison.baseline))})",
        f"- candidate: {md_escape(side_label(comparison, 'candidate'))} "
        f"({runs_text(len(comparison.candidate))})",
        "",
        "| metric | baseline | candidate | ratio | CI | p (adj) | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in comparison.metrics:
        p = "n/a" if m.p_value is None else f"{fmt_p(m.p_value)} ({fmt_p(m.p_adjusted)})"
        verdict = f"**{m.verdict}**" if m.verdict in ("regression", "inconclusive") else m.verdict
        lines.append(
            f"| {metric_label(m.spec)} | {fmt_value(m.baseline, m.spec.unit)} | "
            f"{fmt_value(m.candidate, m.spec.unit)} | {fmt_ratio(m.ratio)} | {fmt_ci(m)} | "
            f"{p} | {verdict} |"
        )
    for row in comparison.error_kinds:
        diff, ci, p, verdict = error_cells(row)
        if row.verdict in ("regression", "inconclusive"):
            verdict = f"**{verdict}**"
        lines.append(
            f"| errors: {md_escape(row.kind)} | {fmt_rate(row.baseline_rate)} | "
            f"{fmt_rate(row.candidate_rate)} | {diff} | {ci} | {p} | {verdict} |"
        )
    lost = sum(r.posts_lost for r in comparison.candidate)
    base_lost = sum(r.posts_lost for r in comparison.baseline)
    lines.append(
        f"| posts lost | {base_lost} | {lost} |  |  |  | {'**regression**' if lost else 'none'} |"
    )
    lines.append("")
    for m in comparison.metrics:
        lines.append(f"- {metric_label(m.spec)}: {md_escape(m.reason)}")
    for row in comparison.error_kinds:
        if not row.expected:
            lines.append(f"- errors: {md_escape(row.kind)}: {md_escape(row.reason)}")
    for item in comparison.hard_regressions:
        lines.append(f"- **regression:** {md_escape(item)}")
    for note in comparison.notes:
        lines.append(f"- note: {md_escape(note)}")
    lines += ["", f"<sub>{md_escape(method_note(comparison))}</sub>", ""]
    return "\n".join(lines)


def history_markdown(h: History) -> str:
    icon = "❌" if h.exit_code else "✅"
    lines = [
        f"### {icon} anp history: {md_escape(h.summary)}",
        "",
        "| release | runs | " + " | ".join(metric_label(t.spec) for t in h.trends) + " |",
        "|---|---:|" + "---:|" * len(h.trends),
    ]
    for i, release in enumerate(h.releases):
        cells = [f"{t.medians[i]:.4g} ({t.normalised[i]:.3f})" for t in h.trends]
        lines.append(
            f"| {md_escape(release)} | {h.runs_per_release[i]} | " + " | ".join(cells) + " |"
        )
    lines.append("")
    for t in h.trends:
        for c in t.changes:
            flag = " **flagged**" if c.flagged else ""
            lines.append(
                f"- {metric_label(t.spec)}: change at release {md_escape(h.releases[c.index])}, "
                f"{c.before:.3f} → {c.after:.3f} ({c.worsening * 100:+.1f}% worse){flag}"
            )
    lines += ["", f"<sub>{md_escape(h.method)}</sub>", ""]
    return "\n".join(lines)
