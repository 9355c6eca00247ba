"""Write ``digests-{GENERATOR_VERSION}.json``: sha256 of synthesized bytes for a fixed seed list.

Run it only when the generator's output is meant to change, and only after bumping
``synth.version.GENERATOR_VERSION`` (the file name carries the version, so an old golden file
stays as a record of what the previous version produced):

    .venv/bin/python tests/synth/golden/make_golden.py

``tests/synth/test_determinism.py`` recomputes every digest and fails on any drift.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from synth.canonical import canonical_json
from synth.generate import SIZES, synthesize
from synth.invalid import INVALID_KINDS, synthesize_invalid
from synth.seeds import MAX_SEED
from synth.version import GENERATOR_VERSION

HERE = Path(__file__).resolve().parent


def golden_seeds() -> list[int]:
    """0..99, landmarks, and 150 seeds spread over the whole range by a fixed LCG."""
    seeds = list(range(100))
    seeds += [679, 1000, 9999, 10**6, 10**9 + 7, 2**31 - 1, 2**32, 2**53 + 1, 2**62, MAX_SEED - 1]
    seeds.append(MAX_SEED)
    state = 20261204
    for _ in range(150):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        seeds.append(state >> 1)
    return sorted(set(seeds))


SIZED_SEEDS = (0, 1, 2, 679, 10**6, 2**53 + 1, MAX_SEED)
"""Seeds whose every size preset is recorded too."""
INVALID_SEEDS = (0, 679, MAX_SEED)
"""Seeds whose every invalid kind is recorded."""


def compute() -> dict[str, object]:
    """The golden document for the installed generator."""
    posts = {
        str(seed): hashlib.sha256(canonical_json(synthesize(seed))).hexdigest()
        for seed in golden_seeds()
    }
    sized = {
        f"{seed}:{size}": hashlib.sha256(canonical_json(synthesize(seed, size=size))).hexdigest()
        for seed in SIZED_SEEDS
        for size in SIZES
    }
    invalid = {
        f"{seed}:{kind}": hashlib.sha256(synthesize_invalid(seed, kind).body).hexdigest()
        for seed in INVALID_SEEDS
        for kind in INVALID_KINDS
    }
    return {
        "generator_version": GENERATOR_VERSION,
        "what": "sha256 of canonical_json(synthesize(seed[, size])) and of "
        "synthesize_invalid(seed, kind).body",
        "posts": posts,
        "sized": sized,
        "invalid": invalid,
    }


def golden_path() -> Path:
    return HERE / f"digests-{GENERATOR_VERSION}.json"


def main() -> int:
    target = golden_path()
    text = json.dumps(compute(), indent=1, sort_keys=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=".digests.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
