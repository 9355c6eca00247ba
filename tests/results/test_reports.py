"""Reports: escaping of hostile content, self-containment, and rendering in headless Chromium
(charts draw, no script from the data runs)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from results_factory import make_record
from rich.console import Console

from results import (
    build_history,
    compare_runs,
    comparison_html,
    comparison_markdown,
    history_html,
    history_markdown,
    reduce_run,
)
from results.report_html import embed_json
from results.report_term import print_comparison

IMG = '"><img src=x onerror="document.title=\'pwned-img\'">'
SCRIPT = "<script>document.title='pwned-script'</script>"
KIND = "</script><script>document.title='pwned-kind'</script>"
RUN = "<svg onload=\"document.title='pwned-svg'\">"
MARKUP = "[bold red]not markup[/]"


def _hostile_comparison():
    base = [reduce_run(make_record(f"b{i}", seed=i)) for i in range(5)]
    cand = [
        reduce_run(
            make_record(
                RUN + str(i) if i == 0 else f"c{i}",
                seed=50 + i,
                rps=90.0,
                release=SCRIPT,
                target_name=IMG + MARKUP,
                errors={KIND: 2},
            )
        )
        for i in range(5)
    ]
    return compare_runs(base, cand)


def _hostile_history():
    runs = []
    for i, rps in enumerate([100, 100, 100, 100, 100, 97, 94, 91]):
        release = SCRIPT + f"-{i}" if i == 7 else f"1.{i}"
        for k in range(3):
            runs.append(
                reduce_run(
                    make_record(
                        f"r{i}-{k}",
                        seed=10 * i + k,
                        rps=float(rps),
                        release=release,
                        started_at=f"2026-12-01T0{i}:00:0{k}Z",
                        run_noise=0.005,
                        target_name=IMG,
                    )
                )
            )
    return build_history(runs)


@pytest.fixture(scope="module")
def hostile():
    return _hostile_comparison()


def test_embedded_json_cannot_close_its_script() -> None:
    text = embed_json({"a": "</script><b>&amp;"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><b>&amp;"}


def test_html_escapes_everything_and_fetches_nothing(hostile) -> None:
    page = comparison_html(hostile)
    for raw in (IMG, SCRIPT, KIND, RUN, "<img", "<svg onload", "pwned-script'</script>"):
        assert raw not in page
    assert "&lt;script&gt;document.title=&#x27;pwned-script&#x27;&lt;/script&gt;" in page
    assert page.count("<script") == 2  # the JSON data block and the chart code
    assert not re.search(r"<(link|img|iframe)|<[a-z]+[^>]*\s(src|href)=|@import|url\(", page)
    assert "default-src &#x27;none&#x27;" in page  # entity-escaped inside the attribute


def test_markdown_escapes_html_and_markdown(hostile) -> None:
    md = comparison_markdown(hostile)
    assert "<script>" not in md and "<img" not in md and "<svg" not in md
    assert "&lt;script&gt;" in md
    assert "\\[bold red\\]not markup\\[/\\]" in md
    assert "| throughput (per-second median) |" in md and "**regression**" in md
    assert (
        "\n\n" in md and "| metric | baseline | candidate | ratio | CI | p (adj) | verdict |" in md
    )


def test_terminal_shows_user_text_literally(hostile) -> None:
    buffer = io.StringIO()
    print_comparison(hostile, Console(file=buffer, width=200, color_system=None))
    out = buffer.getvalue()
    assert MARKUP in out  # not interpreted as rich markup
    assert "REGRESSION (exit 1)" in out


def test_history_reports_escape(tmp_path: Path) -> None:
    h = _hostile_history()
    page, md = history_html(h), history_markdown(h)
    assert SCRIPT not in page and SCRIPT not in md and "<img" not in page
    assert h.exit_code == 1


def _title(dom: str) -> str:
    match = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert match
    return match.group(1)


@pytest.mark.chromium
def test_compare_report_draws_in_chromium_and_runs_no_injected_script(
    hostile, tmp_path: Path, dump_dom: Callable[[Path], str]
) -> None:
    page = tmp_path / "compare.html"
    page.write_text(comparison_html(hostile), encoding="utf-8")
    dom = dump_dom(page)
    # 2 over-time charts + 4 per-run metric charts + 1 per-run chart of the (hostile) error kind
    assert 'data-charts-drawn="7"' in dom
    assert len(re.findall(r'<path [^>]*class="series (baseline|candidate)"', dom)) == 20
    assert len(re.findall(r'<circle [^>]*class="point (baseline|candidate)"', dom)) == 50
    assert _title(dom).startswith("anp compare: REGRESSION")
    assert "pwned" not in _title(dom)
    assert "<img" not in dom and "<svg onload" not in dom
    assert "&lt;script&gt;document.title='pwned-script'&lt;/script&gt;" in dom  # shown as text


@pytest.mark.chromium
def test_content_security_policy_blocks_any_other_inline_script(
    hostile, tmp_path: Path, dump_dom: Callable[[Path], str]
) -> None:
    html = comparison_html(hostile).replace(
        "</body>", "<script>document.title='pwned-extra'</script></body>"
    )
    tampered = html.replace('"use strict";', '"use strict"; /* changed */')
    for name, text in (("extra", html), ("tampered", tampered)):
        page = tmp_path / f"{name}.html"
        page.write_text(text, encoding="utf-8")
        dom = dump_dom(page)
        assert "pwned" not in _title(dom)
    assert '<body data-charts-drawn="7"' in dump_dom(tmp_path / "extra.html")
    assert "<body data-charts-drawn" not in dump_dom(tmp_path / "tampered.html")  # hash differs


@pytest.mark.chromium
def test_history_report_draws_in_chromium(tmp_path: Path, dump_dom: Callable[[Path], str]) -> None:
    page = tmp_path / "history.html"
    page.write_text(history_html(_hostile_history()), encoding="utf-8")
    dom = dump_dom(page)
    assert 'data-charts-drawn="4"' in dom
    assert len(re.findall(r'class="range"', dom)) == 4 * 8  # min-max bar per release per metric
    assert re.search(r'class="change flagged"', dom)
    assert "pwned" not in _title(dom) and "<img" not in dom
    assert "&lt;script&gt;document.title='pwned-script'&lt;/script&gt;-7" in dom  # x label text
