"""Per-field random streams: splitmix64 in pure Python, keyed by (version, seed, field).

Nothing here touches the global ``random`` module, ``hash()``, the clock or the locale, so the
numbers are the same in every process, on every machine and under any ``PYTHONHASHSEED``.

Derivation (documented in docs/synth.md):

- ``name_key(text)``: the first 8 bytes of ``blake2b(text.encode("utf-8"))``, big-endian.
- ``seed_key(version, seed) = mix64(name_key(version) ^ mix64(seed))``.
- The stream of field ``f`` starts at state ``s = seed_key ^ name_key(f)``; its ``i``-th output
  (``i = 1, 2, ...``) is ``mix64(s + i * GOLDEN mod 2**64)``: splitmix64 seeded with ``s``.

A field therefore owns its stream: adding a field, or drawing more numbers for one field, does
not shift any other field's values. Choices from a table of ``n`` entries take ``x % n`` of an
output and continue with ``x // n`` (a bias below ``n / 2**40`` for the table sizes used here).
"""

from __future__ import annotations

import hashlib

MASK64 = 0xFFFFFFFFFFFFFFFF
GOLDEN = 0x9E3779B97F4A7C15
"""The splitmix64 increment (2**64 divided by the golden ratio, odd)."""


def mix64(z: int) -> int:
    """The splitmix64 finalizer: a bijection on 64-bit integers with good avalanche."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def name_key(text: str) -> int:
    """A stable 64-bit key for a name (a field name or a version string)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def seed_key(version: str, seed: int) -> int:
    """The per-post key that every field stream of ``seed`` starts from."""
    return mix64(name_key(version) ^ mix64(seed & MASK64))


class Stream:
    """The splitmix64 stream of one field of one post.

    ``next()`` gives the next 64-bit output; ``below(n)`` an integer in ``0..n-1``. Hot paths in
    ``synth.generate`` inline the same arithmetic instead of calling these methods.
    """

    __slots__ = ("_state",)

    def __init__(self, key: int, field: str) -> None:
        self._state = key ^ name_key(field)

    def next(self) -> int:
        """The next 64-bit output."""
        self._state = (self._state + GOLDEN) & MASK64
        return mix64(self._state)

    def below(self, n: int) -> int:
        """An integer in ``0..n-1`` (``n`` must be positive and far below 2**64)."""
        return self.next() % n
