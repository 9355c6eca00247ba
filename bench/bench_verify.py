"""Verification speed: posts read back and compared per second, measured side by side in one run.

Starts the reference site (a fresh SQLite file in a temporary folder, a free loopback port),
imports N synthesized posts, then verifies all of them several times, alternating:

- ``classic``: ``loadtests.verify.verify_posts(raw_reads=False)`` in this process: lookups of up
  to 1000 references, 8 in flight, every stored post parsed and compared with
  ``synthesize(seed)`` (the path before the raw lookup existed);
- ``raw``: ``verify_posts`` as runs use it: the lookups return each stored post's canonical
  JSON text, compared byte for byte with ``synthesize_json(seed)``; only mismatches are parsed;
- ``workers=K`` (with ``--workers K``, K > 0): ``loadtests.verify_parallel.verify_in_processes``
  with K worker processes (each on the raw path).

Prints the median posts/s of each and the ratio to ``classic``. On a shared machine the absolute
figures move with the other load; the ratio measured in the same run is the comparable figure.

    .venv/bin/python bench/bench_verify.py --posts 8000 --repeat 3
    .venv/bin/python bench/bench_verify.py --posts 8000 --workers 2 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loadtests.local_site import LocalReferenceSite, write_definition
from loadtests.verify import verify_posts
from loadtests.verify_parallel import verify_in_processes
from results import Verification
from synth import SIZES, synthesize
from targets import ReferenceTarget, load_target
from targets.importing import import_posts
from targets.transport import Sender


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=0, help="0: no multi-process mode")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", choices=SIZES, default=None, help="post size (default: mixed)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="anp-bench-verify-") as temp:
        folder = Path(temp)
        site = LocalReferenceSite(folder / "r.db", folder / "site.log")
        try:
            url = site.start()
            definition = write_definition(folder / "t.toml", "bench", url)
            target = load_target(definition)
            posts = [synthesize(seed, size=args.size) for seed in range(args.posts)]
            with Sender(url) as sender:
                # batches of 100 stay under the site's 16 MiB batch limit even for xl posts
                loader = ReferenceTarget("bench-import", url, batch_limit=100)
                acks = import_posts(loader, posts, sender=sender, concurrency=2)
            assert all(a.acknowledged for a in acks)
            ranges = ((0, args.posts - 1),)

            def serial(raw_reads: bool) -> Callable[[], Verification]:
                def run() -> Verification:
                    with Sender(url) as sender:
                        return verify_posts(
                            target,
                            sender,
                            acknowledged=ranges,
                            size=args.size,
                            raw_reads=raw_reads,
                        )

                return run

            modes: dict[str, Callable[[], Verification]] = {
                "classic": serial(False),
                "raw": serial(True),
            }
            if args.workers > 0:
                modes[f"workers={args.workers}"] = lambda: verify_in_processes(
                    str(definition),
                    target,
                    acknowledged=ranges,
                    size=args.size,
                    workers=args.workers,
                )
            rates: dict[str, list[float]] = {name: [] for name in modes}
            for _ in range(args.repeat):
                for name, run in modes.items():
                    started = time.perf_counter()
                    v = run()
                    rates[name].append(args.posts / (time.perf_counter() - started))
                    assert (v.landed, v.missing, v.corrupted) == (args.posts, 0, 0), v
        finally:
            site.stop()
    base = statistics.median(rates["classic"])
    print(
        f"verification of {args.posts} posts (size {args.size or 'mixed'}), {args.repeat} alternating repeats (median); "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    for name, values in rates.items():
        median = statistics.median(values)
        spread = f"{min(values):.0f}..{max(values):.0f}"
        print(
            f"  {name:<12} {median:8.0f} posts/s  (runs {spread:>13})   "
            f"ratio to classic {median / base:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
