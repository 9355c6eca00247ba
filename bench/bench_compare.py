"""Statistical quality of ``anp compare``: false alarms on A/A pairs and detection of a 10% drop.

Simulates pairs of k runs vs k runs (fixed seeds) and feeds them to the very decision code
``anp compare`` uses (``results.compare.compare_runs``), for the default decision and for the
alternatives it was chosen against (``--variants``):

- between-run noise: each run's level is multiplied by exp(N(0, sigma_between[metric])), or by
  a Student-t (3 degrees of freedom) draw of the same scale for the heavy-tailed model;
- within-run noise: each measured second's throughput is multiplied by exp(N(0, sigma_within)),
  and the run's throughput is the median of its seconds, as in ``results.metrics``;
- host speed states (when the noise model has ``states``, measured by ``bench/noise_probe.py``):
  every second is in a slow or a fast state of the host, a two-state Markov chain with the
  measured share of slow seconds and mean length of a slow stretch; a slow second runs at
  ``slow_factor`` of the fast speed and its latencies are ``1 / slow_factor`` as long. With
  stretches much longer than a run this is a per-run mixture (some runs twice as fast).

Prints, for 1,000 A/A pairs and 1,000 pairs with a 10% throughput drop (latency left
unchanged, so throughput alone must carry the detection), the share flagged as a regression
(exit 1) and the share inconclusive (exit 2), for each noise model given; then a sensitivity
table over lognormal noise levels and the chance worsening that calibrates the minimum effects.

    .venv/bin/python bench/bench_compare.py
    .venv/bin/python bench/bench_compare.py --noise bench/noise_model.json bench/noise_model_quiet.json
    .venv/bin/python bench/bench_compare.py --variants --only models
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from results.compare import DEFAULT_MIN_EFFECT, CompareSettings, compare_runs
from results.metrics import PRIMARY_METRICS, RunMetrics

SWEEP_SECONDS = 15
"""Measured seconds per simulated run in the sensitivity tables (a 20 s run with a 5 s warm-up,
as ``scripts/ci-loadtest`` makes them)."""

BASE = {"throughput_rps": 1000.0, "p50_ms": 4.0, "p95_ms": 12.0, "p99_ms": 20.0}
LATENCY = ("p50_ms", "p95_ms", "p99_ms")

VARIANTS: dict[str, CompareSettings] = {
    "default (weighted Holm, Welch+rank)": CompareSettings(),
    "weighted Holm, Mann-Whitney only": CompareSettings(throughput_test="mann-whitney"),
    "weighted Holm, Welch alone": CompareSettings(throughput_test="welch"),
    "equal-weight Holm, Mann-Whitney (before)": CompareSettings(
        throughput_test="mann-whitney", weights={m.key: 1.0 for m in PRIMARY_METRICS}
    ),
}


def _state_seconds(rng: np.random.Generator, states: dict[str, float], seconds: int) -> np.ndarray:
    """True for each slow second: a two-state Markov chain started from its stationary share."""
    share = states["slow_share"]
    leave_slow = 1.0 / max(states["mean_slow_s"], 1.0)
    # the fast state's exit rate follows from the measured share of slow seconds (measured fast
    # stretches are cut short by the ends of the runs, so their mean length is not used)
    leave_fast = min(1.0, leave_slow * share / (1.0 - share)) if share < 1 else 0.0
    slow = np.empty(seconds, dtype=bool)
    cur = bool(rng.random() < share)
    for s in range(seconds):
        slow[s] = cur
        cur = (rng.random() >= leave_slow) if cur else (rng.random() < leave_fast)
    return slow


def simulate_side(
    rng: np.random.Generator,
    k: int,
    model: dict[str, Any],
    seconds: int,
    drop: float,
    tag: str,
) -> list[RunMetrics]:
    between: dict[str, float] = model["between"]
    states: dict[str, float] | None = model.get("states")
    # with host states, the second-to-second noise is the one measured within a state
    within: float = states.get("within_state", 0.0) if states else model["within_throughput"]
    heavy = model.get("kind") == "heavy"

    def level(sigma: float) -> float:
        z = rng.standard_t(3) / np.sqrt(3.0) if heavy else rng.normal()
        return float(np.exp(sigma * z))

    runs = []
    for i in range(k):
        speed = np.ones(seconds)
        slow_share = 0.0
        if states:
            slow = _state_seconds(rng, states, seconds)
            speed = np.where(slow, states["slow_factor"], 1.0)
            slow_share = float(slow.mean())
        per_second = (
            BASE["throughput_rps"]
            * (1 - drop)
            * level(between["throughput_rps"])
            * speed
            * np.exp(rng.normal(0.0, within, size=seconds))
        )
        values = {"throughput_rps": float(np.median(np.round(per_second)))}
        stretch = 1.0 + slow_share * (1.0 / states["slow_factor"] - 1.0) if states else 1.0
        for key in LATENCY:
            values[key] = float(BASE[key] * stretch * level(between[key]))
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
    model: dict[str, Any],
    seconds: int,
    drop: float,
    settings: CompareSettings,
) -> tuple[float, float]:
    """(share flagged as regression, share inconclusive) over ``pairs`` simulated pairs."""
    rng = np.random.default_rng(seed)
    flagged = inconclusive = 0
    for _ in range(pairs):
        base = simulate_side(rng, k, model, seconds, 0.0, "a")
        cand = simulate_side(rng, k, model, seconds, drop, "b")
        result = compare_runs(base, cand, settings)
        flagged += result.exit_code == 1
        inconclusive += result.exit_code == 2
    return flagged / pairs, inconclusive / pairs


def lognormal(sigma: float, within: float = 0.03) -> dict[str, Any]:
    return {"between": {m.key: sigma for m in PRIMARY_METRICS}, "within_throughput": within}


def aa_chance_worsening(
    seed: int, pairs: int, k: int, model: dict[str, Any], seconds: int
) -> dict[str, float]:
    """95th percentile, over A/A pairs, of how much worse the candidate's median looks by
    chance (the quantity the minimum effect must exceed)."""
    rng = np.random.default_rng(seed)
    worse: dict[str, list[float]] = {m.key: [] for m in PRIMARY_METRICS}
    for _ in range(pairs):
        base = simulate_side(rng, k, model, seconds, 0.0, "a")
        cand = simulate_side(rng, k, model, seconds, 0.0, "b")
        for m in PRIMARY_METRICS:
            ratio = float(np.median([r.values[m.key] for r in cand])) / float(
                np.median([r.values[m.key] for r in base])
            )
            worse[m.key].append(1 - ratio if m.higher_is_better else ratio - 1)
    return {key: float(np.quantile(v, 0.95)) for key, v in worse.items()}


def net_level_sigma(model: dict[str, Any], seconds: int, seed: int = 11) -> float:
    """The run-level throughput sigma that, together with the simulated within-run noise and
    host states, reproduces the measured between-run sigma of per-run throughput (which already
    holds the within-run part: a median of 15 noisy seconds scatters too)."""
    quiet = dict(model, between=dict(model["between"], throughput_rps=0.0))
    rng = np.random.default_rng(seed)
    medians = [
        simulate_side(rng, 1, quiet, seconds, 0.0, "q")[0].values["throughput_rps"]
        for _ in range(2000)
    ]
    within_part = float(np.std(np.log(medians), ddof=1))
    measured = model["between"]["throughput_rps"]
    return float(np.sqrt(max(0.0, measured**2 - within_part**2)))


def as_measured(model: dict[str, Any], seconds: int) -> dict[str, Any]:
    """A measured model (from run records) with its throughput level noise made net of the
    within-run part; models that are not measurements are returned unchanged."""
    if "measured" not in model:
        return model
    level = net_level_sigma(model, seconds)
    return dict(model, between=dict(model["between"], throughput_rps=level))


def model_seconds(model: dict[str, Any]) -> int:
    measured = model.get("measured", {})
    secs, warm = measured.get("seconds", SWEEP_SECONDS), measured.get("warmup", 0)
    if isinstance(secs, list):
        secs, warm = float(np.median(secs)), float(np.median(warm))
    return max(1, int(secs - warm))


def describe(model: dict[str, Any]) -> str:
    between = ", ".join(f"{k} {v:.3f}" for k, v in model["between"].items())
    states = model.get("states")
    within = states.get("within_state", 0.0) if states else model["within_throughput"]
    text = f"between {between}; within {within:.3f}"
    if model.get("kind") == "heavy":
        text += "; Student-t (3 df) between-run draws"
    if states:
        text += (
            f"; host states: {states['slow_share']:.0%} of seconds slow at "
            f"{states['slow_factor']:.2f}x, stretches {states['mean_slow_s']:.0f} s slow / "
            f"{states['mean_fast_s']:.0f} s fast"
        )
    return text


def stress_models() -> dict[str, dict[str, Any]]:
    """Noise shapes that break the assumptions of a t-test, at levels where a decision is
    possible, to check that false alarms stay under 5% whatever the shape."""
    return {
        "heavy-tailed t3, scale 0.02": dict(lognormal(0.02), kind="heavy"),
        "heavy-tailed t3, scale 0.05": dict(lognormal(0.05), kind="heavy"),
        "per-run mixture: 25% of runs 2x fast, else 1.5%": dict(
            lognormal(0.015),
            states={
                "slow_share": 0.75,
                "slow_factor": 0.5,
                "mean_slow_s": 1e9,
                "mean_fast_s": 1e9,
                "within_state": 0.03,
            },
        ),
        "per-run mixture: 10% of runs 1.3x fast, else 1.5%": dict(
            lognormal(0.015),
            states={
                "slow_share": 0.9,
                "slow_factor": 1 / 1.3,
                "mean_slow_s": 1e9,
                "mean_fast_s": 1e9,
                "within_state": 0.03,
            },
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--noise",
        type=Path,
        nargs="+",
        default=[Path(__file__).with_name("noise_model.json")],
        help="noise model files (bench/noise_probe.py)",
    )
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="runs per side (k)")
    parser.add_argument(
        "--seconds",
        type=int,
        default=None,
        help="measured seconds per simulated run (default: as in the noise model's runs)",
    )
    parser.add_argument("--sweep-pairs", type=int, default=400)
    parser.add_argument(
        "--variants", action="store_true", help="also the decisions the default was chosen over"
    )
    parser.add_argument(
        "--only", choices=("models", "stress", "sweep", "calibration"), action="append"
    )
    args = parser.parse_args()
    parts = set(args.only or ("models", "stress", "sweep", "calibration"))
    variants = VARIANTS if args.variants else {k: v for k, v in list(VARIANTS.items())[:1]}
    started = time.perf_counter()
    print(
        f"minimum effects {dict(DEFAULT_MIN_EFFECT)}; {args.runs} vs {args.runs} runs; "
        f"flagged = exit 1, inconcl. = exit 2; targets: A/A flagged <= 5%, drop flagged >= 95%"
    )
    header = f"  {'decision':<42} {'A/A flagged':>11} {'A/A inconcl.':>12} {'drop flagged':>12}"
    if "models" in parts:
        for path in args.noise:
            raw = json.loads(path.read_text(encoding="utf-8"))
            seconds = args.seconds or model_seconds(raw)
            model = as_measured(raw, seconds)
            print(
                f"\nnoise model {path} ({seconds} measured s per run; per-run throughput sigma "
                f"{raw['between']['throughput_rps']:.3f} measured, "
                f"{model['between']['throughput_rps']:.3f} of it simulated as run level, the "
                f"rest comes from the seconds): {describe(model)}"
            )
            print(header)
            for name, settings in variants.items():
                aa = rates(1, args.pairs, args.runs, model, seconds, 0.0, settings)
                ab = rates(2, args.pairs, args.runs, model, seconds, 0.10, settings)
                met = "MET" if aa[0] <= 0.05 and ab[0] >= 0.95 else "not met"
                print(f"  {name:<42} {aa[0]:>11.1%} {aa[1]:>12.1%} {ab[0]:>12.1%}  {met}")
    if "stress" in parts:
        print(f"\nstress models ({args.sweep_pairs} pairs per cell, {SWEEP_SECONDS} s per run)")
        for label, model in stress_models().items():
            print(f" {label}: {describe(model)}")
            print(header)
            for name, settings in variants.items():
                aa = rates(3, args.sweep_pairs, args.runs, model, SWEEP_SECONDS, 0.0, settings)
                ab = rates(4, args.sweep_pairs, args.runs, model, SWEEP_SECONDS, 0.10, settings)
                print(f"  {name:<42} {aa[0]:>11.1%} {aa[1]:>12.1%} {ab[0]:>12.1%}")
    if "sweep" in parts:
        print(
            f"\nsensitivity ({args.sweep_pairs} pairs per cell): lognormal, same between-run "
            f"sigma for every metric, within-run sigma 0.03, {SWEEP_SECONDS} s per run"
        )
        print(f"  {'sigma':>6} " + " ".join(f"{n[:24]:>26}" for n in variants))
        print(f"  {'':>6} " + " ".join(f"{'A/A fl. / drop fl.':>26}" for _ in variants))
        for sigma in (0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.3):
            cells = []
            for settings in variants.values():
                a = rates(
                    5, args.sweep_pairs, args.runs, lognormal(sigma), SWEEP_SECONDS, 0, settings
                )
                b = rates(
                    6, args.sweep_pairs, args.runs, lognormal(sigma), SWEEP_SECONDS, 0.1, settings
                )
                cells.append(f"{a[0]:>6.1%} / {b[0]:>6.1%} (i {a[1]:>4.0%})")
            print(f"  {sigma:>6.3f} " + " ".join(f"{c:>26}" for c in cells))
    if "calibration" in parts:
        print(
            "\nminimum-effect calibration for throughput at between sigma 0.02 / 0.03 "
            f"({args.sweep_pairs} pairs per cell, default decision)"
        )
        print(f"  {'min effect':>10} {'sigma':>6} {'A/A flagged':>12} {'drop flagged':>13}")
        for sigma in (0.02, 0.03):
            for delta in (0.0, 0.02, 0.05, 0.08):
                s = CompareSettings(min_effect=dict(DEFAULT_MIN_EFFECT, throughput_rps=delta))
                a = rates(7, args.sweep_pairs, args.runs, lognormal(sigma), SWEEP_SECONDS, 0, s)
                b = rates(8, args.sweep_pairs, args.runs, lognormal(sigma), SWEEP_SECONDS, 0.1, s)
                print(f"  {delta:>10.2f} {sigma:>6.2f} {a[0]:>12.1%} {b[0]:>13.1%}")
        print("\nA/A: 95th percentile of the chance worsening of the ratio of medians (5 vs 5)")
        models = {f"sigma {s:.2f}": lognormal(s) for s in (0.01, 0.02, 0.03)}
        for path in args.noise:
            raw = json.loads(path.read_text(encoding="utf-8"))
            models[str(path)] = as_measured(raw, args.seconds or model_seconds(raw))
        for label, model in models.items():
            seconds = args.seconds or model_seconds(model)
            q = aa_chance_worsening(9, args.sweep_pairs, args.runs, model, seconds)
            print(f"  {label}: " + ", ".join(f"{k} {v:.1%}" for k, v in q.items()))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
