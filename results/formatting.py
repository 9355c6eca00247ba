"""Number formatting shared by the terminal, Markdown and HTML reports."""

from __future__ import annotations

from results.compare import Comparison, MetricResult, metric_weight
from results.error_rates import ErrorKindRow
from results.metrics import MetricSpec

LABELS = {"throughput_rps": "throughput (per-second median)"}
"""Report labels that say which figure is shown: throughput here is the median of the per-second
successful request counts after the warm-up, not the run summary's total/duration (`anp runs`
shows both, as "req/s median" and "req/s avg")."""


def metric_label(spec: MetricSpec) -> str:
    """The label of a metric in report tables and charts."""
    return LABELS.get(spec.key, spec.label)


def runs_text(count: int) -> str:
    """``1 run``, ``5 runs``."""
    return f"{count} run" + ("" if count == 1 else "s")


def fmt_value(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}" if abs(value) < 10 else f"{value:.1f} {unit}"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.3f}" if ratio != float("inf") else "inf"


def fmt_ci(result: MetricResult) -> str:
    if result.ci_low is None or result.ci_high is None:
        return "n/a"
    return f"[{result.ci_low:.3f}, {result.ci_high:.3f}]"


def fmt_p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return f"{p:.4f}" if p >= 0.0001 else f"{p:.1e}"


def fmt_rate(rate: float) -> str:
    return f"{rate * 100:.2f}%"


def fmt_points(diff: float) -> str:
    """An absolute change of an error ratio in percentage points, e.g. ``+19.90 pp``."""
    return f"{diff * 100:+.2f} pp"


def fmt_points_ci(row: ErrorKindRow) -> str:
    if row.ci_low is None or row.ci_high is None:
        return "n/a"
    return f"[{row.ci_low * 100:+.2f}, {row.ci_high * 100:+.2f}] pp"


def error_cells(row: ErrorKindRow) -> tuple[str, str, str, str]:
    """The ratio, CI, p and verdict cells of an error-kind row (the difference in points sits in
    the ratio column: error ratios are often 0, so a ratio of ratios would mean nothing)."""
    if row.expected:
        return "", "", "", "expected"
    p = "n/a" if row.p_value is None else f"{fmt_p(row.p_value)} ({fmt_p(row.p_adjusted)})"
    verdict = "regression (new kind)" if row.new else row.verdict
    return fmt_points(row.difference), fmt_points_ci(row), p, verdict


def headline(comparison: Comparison) -> str:
    """One line: the overall verdict, the run counts and the mode."""
    n, m = len(comparison.baseline), len(comparison.candidate)
    text = {
        "regression": "REGRESSION",
        "no regression": "no regression",
        "inconclusive": "INCONCLUSIVE",
    }[comparison.verdict]
    runs = "run" if m == 1 else "runs"
    return f"{text} (exit {comparison.exit_code}): {n} baseline vs {m} candidate {runs}, {comparison.mode}"


def side_label(comparison: Comparison, side: str) -> str:
    runs = comparison.baseline if side == "baseline" else comparison.candidate
    targets = sorted({r.target for r in runs})
    releases = sorted({r.release for r in runs})
    return f"{', '.join(targets)} release {', '.join(releases)}"


METHOD_NOTE = (
    "Per-run values (warm-up excluded); one-sided tests across runs: latency exact "
    "Mann-Whitney, throughput Welch t on log values counted only when the exact rank test agrees; "
    "weighted {correction} correction over {k} metrics at alpha {alpha} ({weights}); "
    "ratio = candidate/baseline "
    "medians; CI = {level:.0%} Hodges-Lehmann interval of the ratio. Error rate by kind "
    "(rejected_invalid excluded): each run's error ratio, exact one-sided Mann-Whitney with ties, "
    "{correction} correction over the kinds the baseline already had (here {e}) as a separate "
    "family, minimum effect "
    "{points:+.2g} percentage points; pp = candidate - baseline median ratio in points; any new "
    "error kind or lost post is a regression."
)


def _weights_text(comparison: Comparison) -> str:
    # the same weights the decision used (a metric left out of --weights keeps its default)
    weights = {
        m.spec.key: metric_weight(comparison.settings, m.spec.key) for m in comparison.metrics
    }
    total = sum(weights.values()) or 1.0
    return ", ".join(
        f"{m.spec.label} {weights[m.spec.key] / total:.3g}" for m in comparison.metrics
    )


def method_note(comparison: Comparison) -> str:
    s = comparison.settings
    return METHOD_NOTE.format(
        correction=s.correction.capitalize(),
        k=len(comparison.metrics),
        weights=_weights_text(comparison),
        alpha=s.alpha,
        level=s.ci_level,
        e=sum(1 for row in comparison.error_kinds if row.p_adjusted is not None),
        points=s.error_min_effect * 100,
    )
