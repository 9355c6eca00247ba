"""Verification speed: posts read back and compared per second, measured side by side in one run.

Starts the reference site (a fresh SQLite file in a temporary folder, a free loopback port),
imports N synthesized posts, then verifies all of them several times, alternating:

- ``serial``: ``loadtests.verify.verify_posts`` in this process (lookups of up to 1000
  references, 8 in flight);
- ``workers=K``: ``loadtests.verify_parallel.verify_in_processes`` with K worker processes.

Prints the median posts/s of each and the ratio to serial. On a shared machine the absolute
figures move with the other load; the ratio measured in the same run is the comparable figure.

    .venv/bin/python bench/bench_verify.py --posts 8000 --workers 2 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from loadtests.local_site import LocalReferenceSite, write_definition
from loadtests.verify import verify_posts
from loadtests.verify_parallel import verify_in_processes
from synth import synthesize
from targets import load_target
from targets.importing import import_posts
from targets.transport import Sender


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anp-bench-verify-") as temp:
        folder = Path(temp)
        site = LocalReferenceSite(folder / "r.db", folder / "site.log")
        try:
            url = site.start()
            definition = write_definition(folder / "t.toml", "bench", url)
            target = load_target(definition)
            posts = [synthesize(seed) for seed in range(args.posts)]
            with Sender(url) as sender:
                acks = import_posts(target, posts, sender=sender, concurrency=2)
            assert all(a.acknowledged for a in acks)
            ranges = ((0, args.posts - 1),)
            rates: dict[str, list[float]] = {"serial": [], f"workers={args.workers}": []}
            for _ in range(args.repeat):
                with Sender(url) as sender:
                    started = time.perf_counter()
                    v = verify_posts(target, sender, acknowledged=ranges)
                    rates["serial"].append(args.posts / (time.perf_counter() - started))
                assert v.landed == args.posts and v.corrupted == 0
                started = time.perf_counter()
                p = verify_in_processes(
                    str(definition), target, acknowledged=ranges, workers=args.workers
                )
                rates[f"workers={args.workers}"].append(
                    args.posts / (time.perf_counter() - started)
                )
                assert p.landed == args.posts and p.corrupted == 0
        finally:
            site.stop()
    base = statistics.median(rates["serial"])
    print(f"verification of {args.posts} posts, {args.repeat} alternating repeats (median)")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"  {name:<12} {median:8.0f} posts/s   ratio to serial {median / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
