"""Statistical quality of ``anp compare``: false alarms on A/A pairs and detection of a 10% drop.

Simulates pairs of k runs vs k runs with a lognormal noise model (fixed seeds) and feeds them to
the very decision code ``anp compare`` uses (``results.compare.compare_runs``):

- between-run noise: each run's level is multiplied by exp(N(0, sigma_between[metric]));
- within-run noise: each measured second's throughput is multiplied by exp(N(0, sigma_within)),
  and the run's throughput is the median of its seconds, as in ``results.metrics``.

The noise model comes from ``bench/noise_model.json`` (written by ``bench/noise_probe.py`` on this
machine). Prints, for 1,000 A/A pairs and 1,000 pairs with a 10% throughput drop (latency left
unchanged, so throughput alone must carry the detection), the share flagged as a regression
(exit 1) and the share inconclusive (exit 2); then the same at other noise levels and minimum
effects, to show where the targets (<= 5% false alarms, >= 95% detection) hold.

    .venv/bin/python bench/bench_compare.py
    .venv/bin/python bench/bench_compare.py --noise bench/noise_model.json --pairs 1000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from results.compare import DEFAULT_MIN_EFFECT, CompareSettings, compare_runs
from results.metrics import PRIMARY_METRICS, RunMetrics

SWEEP_SECONDS = 25
"""Measured seconds per simulated run in the sensitivity tables (a 30 s run with a 5 s warm-up)."""

BASE = {"throughput_rps": 1000.0, "p50_ms": 4.0, "p95_ms": 12.0, "p99_ms": 20.0}


def simulate_side(
    rng: np.random.Generator,
    k: int,
    between: dict[str, float],
    within: float,
    seconds: int,
    drop: float,
    tag: str,
) -> list[RunMetrics]:
    runs = []
    for i in range(k):
        level = np.exp(rng.normal(0.0, between["throughput_rps"]))
        per_second = (
            BASE["throughput_rps"]
            * (1 - drop)
            * level
            * np.exp(rng.normal(0.0, within, size=seconds))
        )
        values = {"throughput_rps": float(np.median(np.round(per_second)))}
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            values[key] = float(BASE[key] * np.exp(rng.normal(0.0, between[key])))
        runs.append(
            RunMetrics(
                run_id=f"{tag}{i}",
                release=tag,
                target="sim",
                started_at="",
                values=values,
                requests=1,
                error_counts={},
                error_rates={},
                verification="verified",
                posts_missing=0,
                posts_corrupted=0,
                interrupted=False,
            )
        )
    return runs


def rates(
    seed: int,
    pairs: int,
    k: int,
    between: dict[str, float],
    within: float,
    seconds: int,
    drop: float,
    settings: CompareSettings,
) -> tuple[float, float]:
    """(share flagged as regression, share inconclusive) over ``pairs`` simulated pairs."""
    rng = np.random.default_rng(seed)
    flagged = inconclusive = 0
    for _ in range(pairs):
        base = simulate_side(rng, k, between, within, seconds, 0.0, "a")
        cand = simulate_side(rng, k, between, within, seconds, drop, "b")
        result = compare_runs(base, cand, settings)
        flagged += result.exit_code == 1
        inconclusive += result.exit_code == 2
    return flagged / pairs, inconclusive / pairs


def aa_chance_worsening(seed: int, pairs: int, k: int, sigma: float) -> dict[str, float]:
    """95th percentile, over A/A pairs, of how much worse the candidate's median looks by
    chance (the quantity the minimum effect must exceed)."""
    rng = np.random.default_rng(seed)
    between = {m.key: sigma for m in PRIMARY_METRICS}
    worse: dict[str, list[float]] = {m.key: [] for m in PRIMARY_METRICS}
    for _ in range(pairs):
        base = simulate_side(rng, k, between, 0.10, SWEEP_SECONDS, 0.0, "a")
        cand = simulate_side(rng, k, between, 0.10, SWEEP_SECONDS, 0.0, "b")
        for m in PRIMARY_METRICS:
            ratio = float(np.median([r.values[m.key] for r in cand])) / float(
                np.median([r.values[m.key] for r in base])
            )
            worse[m.key].append(1 - ratio if m.higher_is_better else ratio - 1)
    return {key: float(np.quantile(v, 0.95)) for key, v in worse.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=Path, default=Path(__file__).with_name("noise_model.json"))
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="runs per side (k)")
    parser.add_argument(
        "--seconds",
        type=int,
        default=None,
        help="measured seconds per simulated run (default: as in the noise model's runs, else 25)",
    )
    parser.add_argument("--sweep-pairs", type=int, default=400)
    args = parser.parse_args()
    model = json.loads(args.noise.read_text(encoding="utf-8"))
    if args.seconds is None:
        measured = model.get("measured", {})
        secs, warm = measured.get("seconds", 25), measured.get("warmup", 0)
        if isinstance(secs, list):
            secs, warm = float(np.median(secs)), float(np.median(warm))
        args.seconds = max(1, int(secs - warm))
    settings = CompareSettings()
    started = time.perf_counter()
    print(
        f"noise model {args.noise}: between-run sigma {model['between']}, "
        f"within-run sigma {model['within_throughput']:.3f}; minimum effects "
        f"{dict(DEFAULT_MIN_EFFECT)}; {args.runs} vs {args.runs} runs, {args.pairs} pairs each"
    )
    aa = rates(
        1,
        args.pairs,
        args.runs,
        model["between"],
        model["within_throughput"],
        args.seconds,
        0.0,
        settings,
    )
    ab = rates(
        2,
        args.pairs,
        args.runs,
        model["between"],
        model["within_throughput"],
        args.seconds,
        0.10,
        settings,
    )
    print(
        f"measured noise: A/A flagged {aa[0]:.1%} (inconclusive {aa[1]:.1%}); "
        f"10% drop flagged {ab[0]:.1%} (inconclusive {ab[1]:.1%}); targets <= 5% and >= 95%: "
        f"{'MET' if aa[0] <= 0.05 and ab[0] >= 0.95 else 'NOT MET'}"
    )
    print(
        f"\nsensitivity ({args.sweep_pairs} pairs per cell): same between-run sigma for every "
        f"metric, within-run sigma 0.10, {SWEEP_SECONDS} measured seconds per run"
    )
    print(
        f"{'between sigma':>14} {'A/A flagged':>12} {'A/A inconcl.':>13} {'drop flagged':>13} "
        f"{'drop inconcl.':>14}"
    )
    for sigma in (0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.37):
        between = {m.key: sigma for m in PRIMARY_METRICS}
        a = rates(3, args.sweep_pairs, args.runs, between, 0.10, SWEEP_SECONDS, 0.0, settings)
        b = rates(4, args.sweep_pairs, args.runs, between, 0.10, SWEEP_SECONDS, 0.10, settings)
        print(f"{sigma:>14.3f} {a[0]:>12.1%} {a[1]:>13.1%} {b[0]:>13.1%} {b[1]:>14.1%}")
    print(
        "\nminimum-effect calibration for throughput at between sigma 0.02 / 0.03 "
        f"({args.sweep_pairs} pairs per cell)"
    )
    print(f"{'min effect':>10} {'sigma':>6} {'A/A flagged':>12} {'drop flagged':>13}")
    for sigma in (0.02, 0.03):
        between = {m.key: sigma for m in PRIMARY_METRICS}
        for delta in (0.0, 0.02, 0.05, 0.08):
            effects = dict(DEFAULT_MIN_EFFECT, throughput_rps=delta)
            s = CompareSettings(min_effect=effects)
            a = rates(5, args.sweep_pairs, args.runs, between, 0.10, SWEEP_SECONDS, 0.0, s)
            b = rates(6, args.sweep_pairs, args.runs, between, 0.10, SWEEP_SECONDS, 0.10, s)
            print(f"{delta:>10.2f} {sigma:>6.2f} {a[0]:>12.1%} {b[0]:>13.1%}")
    print("\nA/A: 95th percentile of the chance worsening of the ratio of medians (5 vs 5)")
    for sigma in (0.01, 0.02, 0.03):
        q = aa_chance_worsening(7, args.sweep_pairs, args.runs, sigma)
        print(f"  sigma {sigma:.2f}: " + ", ".join(f"{k} {v:.1%}" for k, v in q.items()))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
