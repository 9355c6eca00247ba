"""The error rate by kind is a compared metric: a rise of a kind the baseline already had is a
regression when it is significant and beyond +0.5 points; small rises and expected kinds are not."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from results_factory import make_record
from rich.console import Console

from results import CompareSettings, Comparison, compare_runs, comparison_markdown, reduce_run
from results.error_rates import DEFAULT_ERROR_MIN_EFFECT
from results.report_html import comparison_data, comparison_html
from results.report_term import print_comparison
from results.stats import hodges_lehmann_shift, one_sided_p, one_sided_p_ties

ANP = str(Path(sys.executable).parent / "anp")
RPS = 1000.0  # about 20,000 requests per 20-second run: 20 errors = 0.1%


def _side(prefix: str, seed: int, per_run_errors: list[dict[str, int]]) -> list:
    return [
        reduce_run(make_record(f"{prefix}{i}", seed=seed + i, rps=RPS, errors=errors))
        for i, errors in enumerate(per_run_errors)
    ]


def _row(c: Comparison, kind: str):
    return next(row for row in c.error_kinds if row.kind == kind)


def _errors_for_ratio(ratio: float) -> int:
    """Errors that make about ``ratio`` of a run's requests (successes are about 20,000)."""
    return round(20_000 * ratio / (1 - ratio))


def test_5xx_from_a_tenth_of_a_percent_to_twenty_percent_is_a_regression() -> None:
    base = _side("a", 0, [{"http_503": _errors_for_ratio(0.001)}] * 5)
    cand = _side("b", 100, [{"http_503": _errors_for_ratio(0.20)}] * 5)
    c = compare_runs(base, cand)
    row = _row(c, "http_503")
    assert not row.new and not row.expected  # the baseline already had it: no hard rule
    assert c.hard_regressions == []
    assert set(m.verdict for m in c.metrics) <= {"no change", "improved"}
    assert row.baseline_rate == pytest.approx(0.001, rel=0.05)
    assert row.candidate_rate == pytest.approx(0.20, rel=0.02)
    assert row.p_value == pytest.approx(1 / 252) and row.p_adjusted == pytest.approx(1 / 252)
    assert row.verdict == "regression" and "+19.9" in row.reason
    assert row.ci_low is not None and row.ci_low > DEFAULT_ERROR_MIN_EFFECT
    assert c.verdict == "regression" and c.exit_code == 1


def test_a_tenth_of_a_percent_to_twelve_hundredths_is_no_regression() -> None:
    base = _side("a", 0, [{"http_503": 20}] * 5)  # 0.10%
    cand = _side("b", 100, [{"http_503": 24}] * 5)  # 0.12%
    c = compare_runs(base, cand)
    row = _row(c, "http_503")
    assert row.candidate_rate > row.baseline_rate
    assert row.p_value is not None and row.p_value < 0.05  # significant, but negligible
    assert row.verdict == "no change"
    assert row.ci_high is not None and row.ci_high <= DEFAULT_ERROR_MIN_EFFECT
    assert c.verdict == "no regression" and c.exit_code == 0


def test_the_minimum_effect_is_absolute_and_configurable() -> None:
    base = _side("a", 0, [{"timeout": 20}] * 5)  # 0.1%
    cand = _side("b", 100, [{"timeout": _errors_for_ratio(0.005)}] * 5)  # 0.5%: +0.4 points
    assert _row(compare_runs(base, cand), "timeout").verdict == "no change"
    strict = compare_runs(base, cand, CompareSettings(error_min_effect=0.002))
    assert _row(strict, "timeout").verdict == "regression" and strict.exit_code == 1


def test_a_kind_seen_in_one_baseline_run_only_is_tested_not_new() -> None:
    base = _side("a", 0, [{"timeout": 10}] + [{}] * 4)
    cand = _side("b", 100, [{"timeout": _errors_for_ratio(0.05)}] * 5)
    c = compare_runs(base, cand)
    row = _row(c, "timeout")
    assert not row.new and row.baseline_values.count(0.0) == 4
    assert row.verdict == "regression" and c.exit_code == 1


def test_a_noisy_rise_that_is_not_significant_is_inconclusive() -> None:
    base = _side("a", 0, [{"http_500": 20}] * 5)
    cand = _side("b", 100, [{"http_500": 20}] * 3 + [{"http_500": _errors_for_ratio(0.05)}] * 2)
    c = compare_runs(base, cand)
    row = _row(c, "http_500")
    assert row.p_value is not None and row.p_value > 0.05
    assert row.verdict == "inconclusive" and "beyond the" in row.reason
    assert c.verdict == "inconclusive" and c.exit_code == 2


def test_fewer_errors_is_not_a_regression() -> None:
    base = _side("a", 0, [{"http_503": _errors_for_ratio(0.05)}] * 5)
    cand = _side("b", 100, [{"http_503": 20}] * 5)
    c = compare_runs(base, cand)
    assert _row(c, "http_503").verdict == "improved" and c.exit_code == 0


def test_rejected_invalid_is_expected_and_never_tested() -> None:
    base = _side("a", 0, [{"rejected_invalid": 20}] * 5)
    cand = _side("b", 100, [{"rejected_invalid": _errors_for_ratio(0.3)}] * 5)
    c = compare_runs(base, cand)
    row = _row(c, "rejected_invalid")
    assert row.expected and row.verdict == "expected" and row.p_value is None
    assert c.exit_code == 0


def test_a_new_kind_stays_an_automatic_regression() -> None:
    base = _side("a", 0, [{}] * 5)
    cand = _side("b", 100, [{}] * 4 + [{"connection_reset": 1}])
    c = compare_runs(base, cand)
    row = _row(c, "connection_reset")
    assert row.new and row.verdict == "regression"
    assert row.p_value is not None and row.p_value > 0.05  # the statistics alone would not say so
    assert c.hard_regressions == ["new error kind 'connection_reset' in the candidate"]
    assert c.exit_code == 1


def test_one_run_per_side_is_descriptive_for_error_rates_too() -> None:
    c = compare_runs(
        _side("a", 0, [{"http_503": 20}]), _side("b", 100, [{"http_503": _errors_for_ratio(0.2)}])
    )
    row = _row(c, "http_503")
    assert row.verdict == "descriptive" and row.p_value is None and row.ci_low is None
    assert c.exit_code == 2


def test_kinds_form_their_own_holm_family() -> None:
    kinds = {"http_500": 20, "http_502": 20, "http_503": 20}
    worse = {"http_500": _errors_for_ratio(0.2), "http_502": 20, "http_503": 21}
    c = compare_runs(_side("a", 0, [kinds] * 5), _side("b", 100, [worse] * 5))
    rows = {row.kind: row for row in c.error_kinds}
    # Holm over the 3 kinds tested: the smallest p (1/252) is multiplied by 3, not by 3 + 4
    assert rows["http_500"].p_adjusted == pytest.approx(3 / 252)
    assert rows["http_500"].verdict == "regression"
    assert [m.p_adjusted for m in c.metrics] == [
        m.p_adjusted
        for m in compare_runs(_side("a", 0, [{}] * 5), _side("b", 100, [{}] * 5)).metrics
    ]


def test_reports_show_the_error_rate_rows() -> None:
    base = _side("a", 0, [{"http_503": 20}] * 5)
    cand = _side("b", 100, [{"http_503": _errors_for_ratio(0.2)}] * 5)
    c = compare_runs(base, cand)
    md = comparison_markdown(c)
    line = next(x for x in md.splitlines() if x.startswith("| errors: http\\_503 |"))
    cells = [x.strip() for x in line.strip("|").split("|")]
    row = _row(c, "http_503")
    diff = f"{row.difference * 100:+.2f}"
    assert diff.startswith("+19.9")
    assert cells[1:4] == ["0.10%", f"{row.candidate_rate * 100:.2f}%", f"{diff} pp"]
    assert cells[5] == "0.0040 (0.0040)" and cells[6] == "**regression**"
    assert f"- errors: http\\_503: {diff} points, beyond the +0.5-point minimum effect" in md
    buffer = io.StringIO()
    print_comparison(c, Console(file=buffer, width=2000, color_system=None))
    out = buffer.getvalue()
    assert "errors: http_503" in out and f"{diff} pp" in out and "regression" in out
    assert "minimum effect +0.5 percentage points" in out
    page = comparison_html(c)
    assert "<td>errors: http_503</td>" in page and f"<td>{diff} pp</td>" in page
    charts = comparison_data(c)["metrics"]
    assert charts[-1]["title"] == "errors: http_503 per run"
    assert charts[-1]["candidate"] == pytest.approx([v * 100 for v in cand_rates(c)])


def cand_rates(c: Comparison) -> list[float]:
    return [r.error_rates["http_503"] for r in c.candidate]


def _brute_p(cand: list[float], base: list[float], worse: str) -> float:
    from scipy.stats import rankdata

    pooled = cand + base
    ranks = rankdata(pooled)
    observed = sum(ranks[: len(cand)])
    hits = total = 0
    for chosen in itertools.combinations(range(len(pooled)), len(cand)):
        s = sum(ranks[i] for i in chosen)
        total += 1
        hits += s >= observed - 1e-9 if worse == "higher" else s <= observed + 1e-9
    return hits / total


@pytest.mark.parametrize(
    ("cand", "base"),
    [
        ([0.0, 0.0, 0.0, 0.0, 0.2], [0.0] * 5),
        ([0.0, 0.1, 0.1, 0.2, 0.2], [0.0, 0.0, 0.1, 0.1, 0.0]),
        ([0.3, 0.3, 0.3], [0.3, 0.1, 0.0, 0.3]),
        ([1.0, 2.0, 3.0], [4.0, 5.0]),
    ],
)
def test_tied_p_value_equals_brute_force_enumeration(cand: list[float], base: list[float]) -> None:
    for worse in ("higher", "lower"):
        assert one_sided_p_ties(cand, base, worse=worse) == pytest.approx(
            _brute_p(cand, base, worse)
        )
    assert one_sided_p_ties([0, 0, 0, 0, 0.2], [0] * 5, worse="higher") == pytest.approx(0.5)


def test_tied_p_value_equals_the_exact_test_without_ties() -> None:
    cand, base = [3.0, 7.5, 1.25, 9.0, 4.0], [2.0, 8.0, 5.5, 6.0]
    for worse in ("higher", "lower"):
        assert one_sided_p_ties(cand, base, worse=worse) == pytest.approx(
            one_sided_p(cand, base, worse=worse)
        )


def test_hodges_lehmann_shift() -> None:
    estimate, low, high = hodges_lehmann_shift([10.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0], 0.90)
    assert estimate == 7.0 and low is not None and high is not None and low < 7.0 < high
    assert hodges_lehmann_shift([1.0, 2.0], [1.0, 2.0], 0.90)[1:] == (None, None)


def test_cli_json_and_exit_code_carry_the_error_rate_verdict(
    write_runs: Callable[..., list[Path]],
) -> None:
    base = write_runs("a", 5, seed=0, rps=RPS, errors={"http_503": 20})
    cand = write_runs("b", 5, seed=100, rps=RPS, errors={"http_503": _errors_for_ratio(0.2)})
    result = subprocess.run(
        [ANP, "compare", *map(str, base), "--against", *map(str, cand), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=base[0].parent,
    )
    assert result.returncode == 1, result.stderr
    assert (cand[0] / "compare.html").is_file()
    doc = json.loads(result.stdout)
    (row,) = doc["error_kinds"]
    assert row["kind"] == "http_503" and row["verdict"] == "regression" and not row["new"]
    assert row["p_value"] == pytest.approx(1 / 252) and row["min_effect"] == 0.005
    assert len(row["candidate_values"]) == 5 and doc["new_error_kinds"] == []
    assert doc["verdict"] == "regression"


def test_a_new_kind_stays_out_of_the_corrected_family() -> None:
    base = _side("a", 0, [{"http_503": 20}] * 5)
    cand = _side("b", 100, [{"http_503": _errors_for_ratio(0.2), "timeout": 3}] * 5)
    c = compare_runs(base, cand)
    assert _row(c, "timeout").new and _row(c, "timeout").p_adjusted is None
    assert _row(c, "timeout").p_value == pytest.approx(1 / 252)  # shown, not corrected
    assert _row(c, "http_503").p_adjusted == pytest.approx(1 / 252)  # a family of one
    assert "\\(here 1\\)" in comparison_markdown(c)
