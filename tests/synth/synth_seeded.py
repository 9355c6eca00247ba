"""Shared, cached synthesized posts for the synth tests (computed once per test process)."""

from __future__ import annotations

from functools import cache

from synth import Post, synthesize

SEEDS = range(10_000)
"""The seeds every invariant is checked over (the issue asks for at least 10,000)."""


@cache
def posts(size: str | None = None, count: int = len(SEEDS)) -> tuple[Post, ...]:
    """``synthesize(seed, size=size)`` for seeds ``0..count-1``."""
    return tuple(synthesize(seed, size=size) for seed in range(count))
