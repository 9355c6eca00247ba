"""Reports say which throughput they show (the per-second median compare uses), count runs in
English, and label the HTML runs table with metric names, not record field names."""

from __future__ import annotations

import io

from results_factory import make_record
from rich.console import Console

from results import compare_runs, comparison_html, comparison_markdown, reduce_run
from results.report_term import print_comparison


def _one_vs_one():
    base = [reduce_run(make_record("b0", seed=1))]
    cand = [reduce_run(make_record("c0", seed=2))]
    return compare_runs(base, cand)


def test_markdown_counts_one_run_in_the_singular() -> None:
    md = comparison_markdown(_one_vs_one())
    assert "(1 run)" in md and "(1 runs)" not in md
    assert "1 baseline vs 1 candidate run, descriptive" in md


def test_every_report_names_the_throughput_figure() -> None:
    c = _one_vs_one()
    out = io.StringIO()
    print_comparison(c, Console(file=out, width=200))
    for text in (comparison_markdown(c), comparison_html(c), out.getvalue()):
        assert "throughput (per-second median)" in text


def test_html_runs_table_shows_metric_names_not_fields() -> None:
    page = comparison_html(_one_vs_one())
    runs = page[page.index("<h2>Runs</h2>") :]
    assert "throughput_rps" not in runs and "p50_ms" not in runs
    assert "<th>p95 latency (ms)</th>" in runs


def test_markdown_headline_has_no_backslashes() -> None:
    first = comparison_markdown(_one_vs_one()).splitlines()[0]
    assert "(exit 2)" in first and "\\" not in first
