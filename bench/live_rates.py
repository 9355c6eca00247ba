"""False-alarm and detection rates of ``anp compare`` on real runs.

Give it same-build runs of release A and of release B (for example the reference site started
with and without ``--slowdown 0.10``), made with the same load settings. It compares

- every split of the A runs into 5 vs 5 (A/A: any regression is a false alarm), likewise for B;
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

from results import check_comparable, compare_runs, load_records, reduce_run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", nargs="+", type=Path, required=True)
    parser.add_argument("--b", nargs="+", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=500)
    args = parser.parse_args()
    loaded = {side: load_records(paths) for side, paths in (("A", args.a), ("B", args.b))}
    check_comparable([r for _, r in loaded["A"]], [r for _, r in loaded["B"]])
    runs = {side: [reduce_run(r, f.parent) for f, r in items] for side, items in loaded.items()}
    for side, group in runs.items():
        print(
            f"{side}: {len(group)} runs, throughput "
            + ", ".join(f"{r.values['throughput_rps']:.0f}" for r in group)
        )
        splits = (
            [
                combo
                for combo in itertools.combinations(range(len(group)), args.k)
                if 0 in combo  # each split once: the half holding run 0 is the baseline
            ]
            if len(group) >= 2 * args.k
            else []
        )
        codes = []
        for combo in splits:
            rest = [i for i in range(len(group)) if i not in combo][: args.k]
            base, cand = [group[i] for i in combo], [group[i] for i in rest]
            codes.append(compare_runs(base, cand).exit_code)
        if codes:
            print(
                f"  {side}/{side} splits: {len(codes)}, flagged {codes.count(1) / len(codes):.1%}, "
                f"inconclusive {codes.count(2) / len(codes):.1%}, "
                f"no regression {codes.count(0) / len(codes):.1%}"
            )
    rng = random.Random(1)
    codes = []
    ratios = []
    for _ in range(args.pairs):
        base = rng.sample(runs["A"], args.k)
        cand = rng.sample(runs["B"], args.k)
        result = compare_runs(base, cand)
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
