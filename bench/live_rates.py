"""False-alarm and detection rates of ``anp compare`` on real runs.

Give it same-build runs of release A and of release B (for example the reference site started
with and without ``--slowdown 0.10``), made with the same load settings. It compares

- every choice of 5 A runs as the baseline against 5 of the others (A/A: any regression is a
  false alarm; both directions count, the test being one-sided), likewise for B, with the 95th
  percentile of the chance worsening of each metric's ratio (what the minimum effects must
  exceed);
- up to ``--pairs`` random (5 of A) vs (5 of B) draws with a fixed seed (A/B: detection).

Splits share runs, so they are not independent trials: read the rates as a description of these
runs, not as a precise probability.

    .venv/bin/python bench/live_rates.py --a results/runs/aa-* --b results/runs/bb-*
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

from results import CompareSettings, check_comparable, compare_runs, load_records, reduce_run
from results.metrics import PRIMARY_METRICS

BEFORE = CompareSettings(
    throughput_test="mann-whitney", weights={m.key: 1.0 for m in PRIMARY_METRICS}
)
"""The decision before the weighted Holm / Welch change (``--before``)."""


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", nargs="+", type=Path, required=True)
    parser.add_argument("--b", nargs="+", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument(
        "--before",
        action="store_true",
        help="decide with the earlier rule (equal-weight Holm, Mann-Whitney for throughput)",
    )
    args = parser.parse_args()
    settings = BEFORE if args.before else CompareSettings()
    loaded = {side: load_records(paths) for side, paths in (("A", args.a), ("B", args.b))}
    check_comparable([r for _, r in loaded["A"]], [r for _, r in loaded["B"]])
    runs = {side: [reduce_run(r, f.parent) for f, r in items] for side, items in loaded.items()}
    for side, group in runs.items():
        values = sorted(r.values["throughput_rps"] for r in group)
        print(
            f"{side}: {len(group)} runs, throughput "
            + ", ".join(f"{r.values['throughput_rps']:.0f}" for r in group)
            + f" (median {values[len(values) // 2]:.0f}), p50 ms "
            + ", ".join(f"{r.values['p50_ms']:.2f}" for r in group)
        )
        # every choice of k baseline runs, against k of the others (both directions count:
        # the test is one-sided)
        splits = (
            list(itertools.combinations(range(len(group)), args.k))
            if len(group) >= 2 * args.k
            else []
        )
        codes = []
        worse: dict[str, list[float]] = {m.key: [] for m in PRIMARY_METRICS}
        for combo in splits:
            rest = [i for i in range(len(group)) if i not in combo][: args.k]
            base, cand = [group[i] for i in combo], [group[i] for i in rest]
            result = compare_runs(base, cand, settings)
            codes.append(result.exit_code)
            for m in result.metrics:
                worse[m.spec.key].append(1 - m.ratio if m.spec.higher_is_better else m.ratio - 1)
        if codes:
            print(
                f"  {side}/{side} splits: {len(codes)}, flagged {codes.count(1) / len(codes):.1%}, "
                f"inconclusive {codes.count(2) / len(codes):.1%}, "
                f"no regression {codes.count(0) / len(codes):.1%}; 95th percentile of the "
                "chance worsening of the ratio of medians: "
                + ", ".join(f"{key} {_quantile(v, 0.95):.1%}" for key, v in worse.items())
            )
    rng = random.Random(1)
    codes = []
    ratios = []
    for _ in range(args.pairs):
        base = rng.sample(runs["A"], args.k)
        cand = rng.sample(runs["B"], args.k)
        result = compare_runs(base, cand, settings)
        codes.append(result.exit_code)
        ratios.append(result.metrics[0].ratio)
    ratios.sort()
    print(
        f"A/B draws: {len(codes)}, flagged {codes.count(1) / len(codes):.1%}, "
        f"inconclusive {codes.count(2) / len(codes):.1%}; throughput ratio B/A median "
        f"{ratios[len(ratios) // 2]:.3f} (range {ratios[0]:.3f}-{ratios[-1]:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
