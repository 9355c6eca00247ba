"""Benchmark: the anp synthesizer against a Faker-per-post generator, side by side in one run.

    .venv/bin/python bench/bench_synth.py [--posts 2000] [--native-posts 10000] [--rounds 5]
        [--runs 1] [--with-reference]

Measured per post, for a typical post (size=None; each round takes the next ``posts``
consecutive seeds, so no round repeats an earlier round's seeds):

- ``faker``: one Faker instance (created once), ``seed_instance(seed)`` per post, then a post of
  comparable size built from Faker paragraphs, sentences, words, names and numbers, validated
  into ``synth.model.Post`` and serialized with its hash (``post_hash`` + ``canonical_json``).
- ``synthesize+canonical_json``: ``canonical_json(synthesize(seed))``, the Post model path.
- ``synthesize_json``: the bytes-only fast path used for payloads and corpora, with the active
  builder (the C module ``synth._native`` when built, see ``synth.native``; the table title says
  which).
- ``synthesize_json [python]``: the same with the pure-Python builder (``build_json_py``, what
  runs without the C module or with ``ANP_SYNTH_PURE=1``), so both ratios come from one run.
- ``reference builder`` (with ``--with-reference``): the step-by-step builder the fast path
  replaced (``tests/synth/reference_build.py``, same bytes), to show what the fast path gains.

Methods run interleaved in rounds (faker, synth, json, faker, ...) so that load from other
processes hits all of them alike; per-post times are the median of the rounds (min in brackets).
The ratio is faker time / synth time. Mean JSON sizes are printed so the "comparable size" claim
can be checked (the "per KB" column compares time per byte produced). ``--runs N`` repeats the
whole comparison N times; each table is printed with the 1-minute load average before and after
it, because on a shared machine the absolute times move a lot (the ratio much less).

The Python builder's caches are bounded: checklist fragments (by the vocabulary) and
similar-post entries by seed (at most 8192, see ``synth.build``). Because every round uses fresh
seeds, a similar-post entry is found in the cache only when a nearby seed of the same round asked
for it, as in a corpus run. The C builder has no caches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth import native
from synth.build import build_json_py
from synth.canonical import canonical_json, post_hash
from synth.generate import synthesize, synthesize_json
from synth.model import Post
from synth.seeds import check_seed
from synth.tables import NATURAL, PROFILES


def make_faker_post_bytes() -> Callable[[int], bytes]:
    """The baseline: a straightforward Faker-per-post generator with the same Post model."""
    from faker import Faker

    fake = Faker("en_US")

    def paragraph() -> str:
        return fake.paragraph(nb_sentences=6).lower()

    def generate(seed: int) -> bytes:
        fake.seed_instance(seed)
        stack = fake.word()
        problem = " ".join(fake.words(nb=2))
        size = fake.random_element(NATURAL)
        sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi = PROFILES[size]
        figures = [
            {
                "kind": "figure",
                "caption": fake.sentence(nb_words=6).rstrip(".").lower(),
                "source": "unsplash",
                "url": fake.image_url(),
            }
            for _ in range(fake.random_int(0, lead_max + check_max))
        ]
        sections: list[dict[str, Any]] = []
        paragraphs = 1
        for _ in range(fake.random_int(sec_lo, sec_hi)):
            blocks: list[dict[str, object]] = []
            for _ in range(fake.random_int(par_lo, par_hi)):
                blocks.append({"kind": "paragraph", "text": paragraph()})
                paragraphs += 1
            sections.append(
                {"heading": fake.sentence(nb_words=3).rstrip(".").lower(), "blocks": blocks}
            )
        for i in range(min(fake.random_int(code_lo, code_hi), len(sections))):
            sections[i]["blocks"].append(
                {"kind": "code", "language": "python", "code": "\n".join(fake.sentences(nb=5))}
            )
        checklist = [fake.sentence(nb_words=3).rstrip(".").lower() for _ in range(5)]
        sections.append(
            {
                "heading": "implementation checklist",
                "blocks": [{"kind": "list", "items": checklist}, *figures[lead_max:]],
            }
        )
        doc = {
            "breadcrumb": "| |",
            "title": f"how to handle {problem} in {stack}",
            "intro": paragraph(),
            "lead": figures[:lead_max],
            "sections": sections,
            "final_notes": paragraph(),
            "meta": {
                "topic": f"{problem} / {stack}",
                "summary": fake.sentence(nb_words=20).lower(),
                "ai_outline": {
                    "context": fake.sentence(nb_words=4).lower(),
                    "problem": problem,
                    "stack": stack,
                    "recommended_action": fake.sentence(nb_words=6).lower(),
                },
                "ai_brief": fake.sentence(nb_words=25).lower(),
                "stack": [stack, fake.word(), fake.word()],
                "tools": fake.words(nb=6),
                "code_language": "python",
                "difficulty": fake.random_element(("beginner", "intermediate", "advanced")),
                "reading_time": fake.random_int(1, 15),
                "view_count": fake.random_int(0, 999_999),
                "score": {
                    "quality": fake.random_int(40, 100),
                    "freshness": fake.random_int(0, 100),
                    "depth": fake.random_int(20, 100),
                    "clarity": fake.random_int(40, 100),
                },
                "revision": {
                    "status": "reviewed",
                    "version": fake.numerify("#.#.#"),
                    "last_reviewed": fake.date(),
                },
                "reference": f"anp-ref-{seed:06d}-{fake.random_int(0, 9999):04d}",
                "hash": "",
                "flags": {
                    "ai_generated_style": True,
                    "has_images": bool(figures),
                    "image_heavy": len(figures) >= 4,
                    "needs_human_review": fake.boolean(),
                },
                "checklist": checklist,
                "entities": [
                    {"name": fake.name(), "type": "person"},
                    {"name": fake.company(), "type": "organization"},
                    {"name": problem, "type": "problem"},
                ],
                "image_sources": [
                    {"source": f["source"], "url": f["url"], "caption": f["caption"]}
                    for f in figures
                ],
                "payload": {
                    "source_id": f"alphanode-{seed:06d}",
                    "generator": "faker baseline",
                    "paragraphs": paragraphs,
                    "scenario": fake.sentence(nb_words=4).lower(),
                    "seed": seed,
                    "generator_version": None,
                },
                "notes": [fake.sentence(nb_words=10).lower() for _ in range(3)],
            },
            "similar_posts": [],
        }
        post = Post.model_validate(doc)
        post = post.model_copy(
            update={"meta": post.meta.model_copy(update={"hash": post_hash(post)})}
        )
        return canonical_json(post)

    return generate


def _synth(seed: int) -> bytes:
    return canonical_json(synthesize(seed))


def _synthesize_json_py(seed: int) -> bytes:
    """``synthesize_json(seed)`` with the pure-Python builder (the same checks, then the build)."""
    return build_json_py(check_seed(seed), None)


def measure(func: Callable[[int], bytes], seeds: range) -> tuple[float, int]:
    """Seconds per post over ``seeds`` and the total bytes produced."""
    total = 0
    started = time.perf_counter()
    for seed in seeds:
        total += len(func(seed))
    return (time.perf_counter() - started) / len(seeds), total


def _reference_json() -> Callable[[int], bytes]:
    """The step-by-step reference builder kept as a test oracle (same bytes, slower)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "synth"))
    from reference_build import build_json  # type: ignore[import-not-found]

    def generate(seed: int) -> bytes:
        return bytes(build_json(seed, None))

    return generate


def compare(args: argparse.Namespace, faker_post: Callable[[int], bytes], run: int) -> None:
    """One side-by-side comparison: interleaved rounds, then a table of medians and ratios."""
    methods: dict[str, tuple[Callable[[int], bytes], int]] = {
        "faker per post": (faker_post, args.faker_posts),
        "synthesize+canonical_json": (_synth, args.posts),
        f"synthesize_json [{native.ACTIVE}]": (
            synthesize_json,
            args.native_posts if native.ACTIVE == "native" else args.posts,
        ),
        "synthesize_json [python]": (_synthesize_json_py, args.posts),
    }
    if args.with_reference:
        methods["reference builder"] = (_reference_json(), args.posts)
    for func, _ in methods.values():  # warm up imports and caches, far from measured seeds
        measure(func, range(10**12, 10**12 + 20))
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in methods}
    sizes: dict[str, float] = {}
    stride = max(count for _, count in methods.values())
    for r in range(args.rounds):
        start = (run * args.rounds + r) * stride
        for name, (func, count) in methods.items():
            seeds = range(start, start + count)
            per_post, total = measure(func, seeds)
            times[name].append(per_post)
            sizes[name] = total / len(seeds)
    load_after = os.getloadavg()[0]

    baseline = statistics.median(times["faker per post"])
    baseline_per_kb = baseline / sizes["faker per post"] * 1024
    print(
        f"python {sys.version.split()[0]}, builder {native.ACTIVE}"
        f"{f' ({native.REASON})' if native.REASON else ''}, {args.rounds} interleaved rounds, "
        f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after"
    )
    print(
        f"{'method':26} {'us/post (min)':>19} {'posts/s':>8} {'mean bytes':>10} "
        f"{'speed-up':>8} {'per KB':>7}"
    )
    for name, values in times.items():
        median = statistics.median(values)
        per_kb = median / sizes[name] * 1024
        print(
            f"{name:26} {median * 1e6:9.1f} ({min(values) * 1e6:7.1f}) {1 / median:8.0f} "
            f"{sizes[name]:10.0f} {baseline / median:7.1f}x {baseline_per_kb / per_kb:6.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="synthesizer vs Faker-per-post benchmark")
    parser.add_argument("--posts", type=int, default=2000, help="posts per round for synth")
    parser.add_argument("--faker-posts", type=int, default=200, help="posts per round for Faker")
    parser.add_argument(
        "--native-posts",
        type=int,
        default=10000,
        help="posts per round for synthesize_json with the C builder (it is fast: more posts "
        "keep a round long enough to time)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1, help="whole comparisons to print")
    parser.add_argument(
        "--with-reference", action="store_true", help="also time the step-by-step reference builder"
    )
    args = parser.parse_args(argv)

    faker_post = make_faker_post_bytes()
    for run in range(args.runs):
        if args.runs > 1:
            print(f"--- run {run + 1} of {args.runs}")
        compare(args, faker_post, run)
    print("speed-up: faker median time per post / method's; per KB: the same per byte produced")
    return 0


if __name__ == "__main__":
    sys.exit(main())
