"""seed -> Post. (stub: being written)"""

from __future__ import annotations

from synth.model import Post

SIZES: tuple[str, ...] = ("s", "m", "l", "xl")


def synthesize(seed: int, *, size: str | None = None) -> Post:
    raise NotImplementedError
