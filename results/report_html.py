"""Self-contained HTML reports: tables rendered here, charts drawn as inline SVG by an inline
script from data embedded as JSON.

Safety: every piece of text is escaped with ``html.escape``; the chart data sits in a
``<script type="application/json">`` block (never executed) with ``<``, ``>`` and ``&`` written
as ``\\u003c``, ``\\u003e`` and ``\\u0026``; the chart script only uses ``textContent`` and
``setAttribute``; and a Content-Security-Policy allows no network access at all and only the one
inline script, by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib.resources import files
from typing import TYPE_CHECKING, Any

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


def _asset(name: str) -> str:
    return files("results").joinpath("report_assets", name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def render_page(title: str, body: str, data: dict[str, Any]) -> str:
    """A complete, self-contained page: ``body`` is trusted, already-escaped HTML."""
    script = _asset("charts.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{_asset('report.css')}</style>\n</head>\n"
        f'<body>\n{body}\n<div id="charts"></div>\n'
        f'<script type="application/json" id="anp-data">{embed_json(data)}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


def _verdict_class(verdict: str) -> str:
    return "verdict-" + verdict.replace(" ", "-")


def _compare_tables(c: Comparison) -> str:
    rows = []
    for m in c.metrics:
        p = "n/a" if m.p_value is None else f"{fmt_p(m.p_value)} ({fmt_p(m.p_adjusted)})"
        rows.append(
            f"<tr><td>{esc(metric_label(m.spec))}</td><td>{esc(fmt_value(m.baseline, m.spec.unit))}</td>"
            f"<td>{esc(fmt_value(m.candidate, m.spec.unit))}</td><td>{esc(fmt_ratio(m.ratio))}</td>"
            f"<td>{esc(fmt_ci(m))}</td><td>{esc(p)}</td>"
            f'<td class="text {_verdict_class(m.verdict)}">{esc(m.verdict)}</td>'
            f'<td class="text">{esc(m.reason)}</td></tr>'
        )
    for row in c.error_kinds:
        diff, ci, p, verdict = error_cells(row)
        rows.append(
            f"<tr><td>errors: {esc(row.kind)}</td><td>{esc(fmt_rate(row.baseline_rate))}</td>"
            f"<td>{esc(fmt_rate(row.candidate_rate))}</td><td>{esc(diff)}</td>"
            f"<td>{esc(ci)}</td><td>{esc(p)}</td>"
            f'<td class="text {_verdict_class(row.verdict)}">{esc(verdict)}</td>'
            f'<td class="text">{esc(row.reason)}</td></tr>'
        )
    lost = sum(r.posts_lost for r in c.candidate)
    rows.append(
        f"<tr><td>posts lost</td><td>{sum(r.posts_lost for r in c.baseline)}</td><td>{lost}</td>"
        "<td></td><td></td><td></td>"
        f'<td class="text {"verdict-regression" if lost else ""}">'
        f"{'regression' if lost else 'none'}</td><td></td></tr>"
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("metric", "baseline", "candidate", "ratio", "CI", "p (adj)", "verdict", "why")
    )
    runs = "".join(
        f'<tr><td>{esc(side)}</td><td class="text">{esc(r.run_id)}</td>'
        f'<td class="text">{esc(r.release)}</td><td class="text">{esc(r.started_at)}</td>'
        + "".join(f"<td>{esc(f'{r.values[k]:.4g}')}</td>" for k in r.values)
        + f'<td>{r.posts_lost}</td><td class="text">{esc(r.verification)}</td></tr>'
        for side, group in (("baseline", c.baseline), ("candidate", c.candidate))
        for r in group
    )
    run_head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            "side",
            "run",
            "release",
            "started",
            *(f"{metric_label(m.spec)} ({m.spec.unit})" for m in c.metrics),
        )
    )
    items = [f'<li class="verdict-regression">{esc(x)}</li>' for x in c.hard_regressions]
    items += [f'<li class="note">{esc(x)}</li>' for x in c.notes]
    return (
        f"<table><tr>{head}</tr>{''.join(rows)}</table>\n<ul>{''.join(items)}</ul>\n"
        f'<p class="note">{esc(method_note(c))}</p>\n<h2>Runs</h2>\n'
        f"<table><tr>{run_head}<th>posts lost</th><th>verification</th></tr>{runs}</table>\n"
        "<h2>Charts</h2>"
    )


def comparison_data(c: Comparison) -> dict[str, Any]:
    warmup = max((r.warmup_s for r in [*c.baseline, *c.candidate]), default=0.0)
    throughput = [
        {"side": side, "run": r.run_id, "points": [[s, v] for s, v in r.throughput_series]}
        for side, group in (("baseline", c.baseline), ("candidate", c.candidate))
        for r in group
    ]
    latency = [
        {"side": side, "run": r.run_id, "points": [[s, p95] for s, _p50, p95 in r.latency_series]}
        for side, group in (("baseline", c.baseline), ("candidate", c.candidate))
        for r in group
        if r.latency_series
    ]
    time_charts = [
        {"title": "throughput over time", "unit": "req/s", "lines": throughput, "warmup": warmup}
    ]
    if latency:
        time_charts.append(
            {"title": "p95 latency over time", "unit": "ms", "lines": latency, "warmup": warmup}
        )
    return {
        "kind": "compare",
        "time_charts": time_charts,
        "metrics": [
            {
                "title": f"{metric_label(m.spec)} per run",
                "unit": m.spec.unit,
                "baseline": m.baseline_values,
                "candidate": m.candidate_values,
            }
            for m in c.metrics
        ]
        + [
            {
                "title": f"errors: {row.kind} per run",
                "unit": "%",
                "baseline": [v * 100 for v in row.baseline_values],
                "candidate": [v * 100 for v in row.candidate_values],
            }
            for row in c.error_kinds
            if not row.expected
        ],
    }


def comparison_html(c: Comparison) -> str:
    """The compare report: verdict table, runs table, over-time and per-run charts."""
    title = f"anp compare: {headline(c)}"
    body = (
        f'<h1 class="{_verdict_class(c.verdict)}">{esc(headline(c))}</h1>\n'
        f"<p>baseline: {esc(side_label(c, 'baseline'))}<br>"
        f"candidate: {esc(side_label(c, 'candidate'))}</p>\n" + _compare_tables(c)
    )
    if not any(r.latency_series for r in [*c.baseline, *c.candidate]):
        body += '<p class="note">These records hold no per-second latency, so only throughput is drawn over time.</p>'
    else:
        body += (
            "<p class=\"note\">Latency over time: the records' per-second p95, or Locust's "
            "rolling-window p95 from locust_stats_history.csv in the run folder.</p>"
        )
    return render_page(title, body, comparison_data(c))


def history_html(h: History) -> str:
    """The history report: per metric, the per-release median with the min-max across runs and
    the detected change points (dashed; red when flagged)."""
    rows = []
    for trend in h.trends:
        for change in trend.changes:
            rows.append(
                f'<tr><td>{esc(metric_label(trend.spec))}</td><td class="text">'
                f"{esc(h.releases[change.index])}</td><td>{change.before:.3f}</td>"
                f"<td>{change.after:.3f}</td><td>{change.worsening * 100:+.1f}%</td>"
                f'<td class="text {"verdict-regression" if change.flagged else ""}">'
                f"{'flagged' if change.flagged else ''}</td></tr>"
            )
    table = (
        "<table><tr><th>metric</th><th>first release after the change</th><th>level before</th>"
        "<th>level after</th><th>worse by</th><th></th></tr>" + "".join(rows) + "</table>"
        if rows
        else '<p class="note">No change point detected.</p>'
    )
    verdict = "regression" if h.exit_code else "no regression"
    body = (
        f'<h1 class="{_verdict_class(verdict)}">anp history: {esc(h.summary)}</h1>\n'
        f"<p>releases (in order): {esc(', '.join(h.releases))}</p>\n{table}\n"
        f'<p class="note">{esc(h.method)}</p>\n<h2>Trends</h2>'
    )
    data = {
        "kind": "history",
        "releases": h.releases,
        "metrics": [
            {
                "title": metric_label(t.spec),
                "unit": t.spec.unit,
                "median": t.medians,
                "min": t.mins,
                "max": t.maxs,
                "changes": [{"index": c.index, "flagged": c.flagged} for c in t.changes],
            }
            for t in h.trends
        ],
    }
    return render_page(f"anp history: {h.summary}", body, data)
