"""Number formatting shared by the terminal, Markdown and HTML reports."""

from __future__ import annotations

from results.compare import Comparison, MetricResult


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


def headline(comparison: Comparison) -> str:
    """One line: the overall verdict, the run counts and the mode."""
    n, m = len(comparison.baseline), len(comparison.candidate)
    text = {
        "regression": "REGRESSION",
        "no regression": "no regression",
        "inconclusive": "INCONCLUSIVE",
    }[comparison.verdict]
    return f"{text} (exit {comparison.exit_code}): {n} baseline vs {m} candidate runs, {comparison.mode}"


def side_label(comparison: Comparison, side: str) -> str:
    runs = comparison.baseline if side == "baseline" else comparison.candidate
    targets = sorted({r.target for r in runs})
    releases = sorted({r.release for r in runs})
    return f"{', '.join(targets)} release {', '.join(releases)}"


METHOD_NOTE = (
    "Per-run values (warm-up excluded); exact one-sided Mann-Whitney test across runs, "
    "{correction} correction over {k} metrics at alpha {alpha}; ratio = candidate/baseline "
    "medians; CI = {level:.0%} Hodges-Lehmann interval of the ratio."
)


def method_note(comparison: Comparison) -> str:
    s = comparison.settings
    return METHOD_NOTE.format(
        correction=s.correction.capitalize(),
        k=len(comparison.metrics),
        alpha=s.alpha,
        level=s.ci_level,
    )
