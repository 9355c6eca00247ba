"""Benchmark of the target adapters' bulk paths, measured side by side in one run.

    .venv/bin/python bench/bench_targets.py [--posts 1000] [--rounds 3] [--wp-posts 100]

Against the real reference site (started here on a free loopback port, fresh SQLite file):

(a) read-back posts/s through ``POST /posts/lookup`` (``targets.verify_io``) ÷ read-back posts/s
    with one ``GET /posts/{reference}`` per post, both with 4 concurrent requests.

Against the real WordPress (when ``targets/wordpress/up.sh`` has brought it up; skipped
otherwise), with posts purged before every round:

(b) import posts/s in batches of 25 (``/wp-json/batch/v1``) ÷ posts/s one per request;
(c) read-back posts/s through the plugin's lookup (100 per request) ÷ one request per post.

Rounds alternate between the two ways so that machine noise hits both alike; figures are
medians over rounds. Exit code 0.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from synth import Post, synthesize
from targets import (
    ReferenceTarget,
    Request,
    Sender,
    Target,
    Timeouts,
    WordPressTarget,
    import_posts,
    read_back_many,
    send,
)
from targets.definitions import read_env_file

REPO = Path(__file__).resolve().parents[1]
ANP = Path(sys.executable).with_name("anp")
SEED_BASE = 6_000_000_000  # far from the seeds tests and demos use


def start_reference(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = folder / "reference.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ANP), "target", "serve", "reference", "--port", "0", "--db", str(folder / "r.db")],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        match = re.search(r"serving on (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
        if match:
            url = match.group(1)
            if send(url, Request("GET", "/health", "GET /health"), Timeouts(1, 2)).status == 200:
                return process, url
        time.sleep(0.05)
    process.terminate()
    process.wait(timeout=10)
    raise SystemExit("bench: the reference site did not start: " + log.read_text()[-1000:])


def rate(count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return count / (time.perf_counter() - started)


def read_one_by_one(target: Target, sender: Sender, references: Sequence[str]) -> None:
    answers = sender.send_many([target.read_request(r) for r in references], concurrency=4)
    backs = [target.read_back(r, a) for r, a in zip(references, answers, strict=True)]
    assert all(b.copies == 1 for b in backs), "a post did not read back"


def read_bulk(target: Target, sender: Sender, references: Sequence[str]) -> None:
    backs = read_back_many(target, references, sender=sender, concurrency=4)
    assert all(b.copies == 1 for b in backs), "a post did not read back"


def compare(
    label: str, rounds: int, first: Callable[[], float], second: Callable[[], float]
) -> None:
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        order = (first, second) if i % 2 == 0 else (second, first)
        results = [f() for f in order]
        a.append(results[0] if i % 2 == 0 else results[1])
        b.append(results[1] if i % 2 == 0 else results[0])
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{label}: {ma:9.1f} vs {mb:9.1f} posts/s  ratio {ma / mb:6.2f}x  (medians of {rounds})")


def bench_reference(posts: list[Post], rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="anp-bench-targets-") as tmp:
        process, url = start_reference(Path(tmp))
        try:
            target = ReferenceTarget("bench", url, batch_limit=500, lookup_limit=500)
            with Sender(url, max_connections=8) as sender:
                acks = import_posts(target, posts, sender=sender, concurrency=2)
                assert all(a.acknowledged for a in acks), "the reference site refused a post"
                refs = [p.meta.reference for p in posts]
                compare(
                    "(a) reference read-back, lookup vs one GET each",
                    rounds,
                    lambda: rate(len(refs), lambda: read_bulk(target, sender, refs)),
                    lambda: rate(len(refs), lambda: read_one_by_one(target, sender, refs)),
                )
        finally:
            process.terminate()
            process.wait(timeout=10)


def wordpress_target() -> WordPressTarget | None:
    file = Path(os.environ.get("ANP_WP_ROOT") or "/tmp/anp-wp") / "credentials.env"
    values = {**(read_env_file(file) if file.is_file() else {}), **os.environ}
    if not all(values.get(k) for k in ("ANP_WP_URL", "ANP_WP_USER", "ANP_WP_APP_PASSWORD")):
        return None
    target = WordPressTarget(
        "bench-wp",
        values["ANP_WP_URL"],
        user=values["ANP_WP_USER"],
        app_password=values["ANP_WP_APP_PASSWORD"],
    )
    if send(target.base_url, target.release_request(), Timeouts(2, 10)).status != 200:
        return None
    return target


def bench_wordpress(target: WordPressTarget, count: int, rounds: int) -> None:
    posts = [synthesize(SEED_BASE + 500_000 + i) for i in range(count)]
    refs = [p.meta.reference for p in posts]
    with Sender(target.base_url, Timeouts(5, 120), max_connections=4) as sender:

        def purge() -> None:
            for i in range(0, len(refs), 100):
                assert sender.send(target.purge_request(refs[i : i + 100])).status == 200

        def load(batch: bool) -> float:
            purge()
            return rate(
                count, lambda: _all_acked(import_posts(target, posts, batch=batch, sender=sender))
            )

        compare(
            "(b) wordpress import, batches of 25 vs single",
            rounds,
            lambda: load(True),
            lambda: load(False),
        )
        compare(
            "(c) wordpress read-back, lookup vs one GET each",
            rounds,
            lambda: rate(count, lambda: read_bulk(target, sender, refs)),
            lambda: rate(count, lambda: read_one_by_one(target, sender, refs)),
        )
        purge()


def _all_acked(acks: Sequence[object]) -> None:
    assert all(getattr(a, "acknowledged", False) for a in acks), "WordPress refused a post"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts for the reference site")
    parser.add_argument("--wp-posts", type=int, default=100, help="posts for WordPress")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    posts = [synthesize(SEED_BASE + i) for i in range(args.posts)]
    bench_reference(posts, args.rounds)
    target = wordpress_target()
    if target is None:
        print("(b), (c): skipped, WordPress is not up (targets/wordpress/up.sh)")
    else:
        bench_wordpress(target, args.wp_posts, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
