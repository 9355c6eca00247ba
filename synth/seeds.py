"""Seeds and seed ranges: ``5``, ``0-99999``, ``1,3,10-20``.

Ranges are inclusive on both ends. The parsed form is a tuple of disjoint, sorted, merged
``(first, last)`` pairs, so the same set of seeds always has the same representation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from synth.errors import SeedError, SeedRangeError

MAX_SEED = 2**63 - 1
"""The largest seed accepted (seeds are integers 0..2**63-1)."""

RANGE_EXAMPLE = "0-99999, 5 or 1,3,10-20"

SeedRanges = tuple[tuple[int, int], ...]


def check_seed(seed: object) -> int:
    """Return ``seed`` if it is an integer in 0..MAX_SEED; raise SeedError otherwise.

    bool is refused (``True`` is not a seed), and so are floats, even integral ones.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        error = SeedError(
            f"seed must be an integer in 0..{MAX_SEED}, got seed={seed!r} "
            f"(a {type(seed).__name__}); retrying with the same value will fail again"
        )
        error.retry_advice = True  # the message says it; anp adds no second note
        raise error
    if seed < 0 or seed > MAX_SEED:
        raise SeedError(f"seed must be an integer in 0..{MAX_SEED} (0 to 2**63-1), got seed={seed}")
    return seed


def parse_seed(text: str) -> int:
    """Parse one seed written in decimal, as a user would type it."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise SeedError(
            f"seed must be a non-negative decimal integer in 0..{MAX_SEED}, got {text!r}"
        )
    return check_seed(int(stripped))


def check_seed_range(first: object, last: object) -> tuple[int, int]:
    """Return ``(first, last)`` if both are seeds (see :func:`check_seed`) and ``first <= last``;
    raise SeedError / SeedRangeError otherwise. For ranges given as pairs rather than text."""
    pair = check_seed(first), check_seed(last)
    if pair[1] < pair[0]:
        raise SeedRangeError(
            f"bad seed range ({first}, {last}): the end is below the start; expected "
            f"(first, last) with first <= last, e.g. (0, 99999)"
        )
    return pair


def check_seed_ranges(pairs: Iterable[tuple[int, int]]) -> SeedRanges:
    """``pairs`` as a tuple, every pair checked with :func:`check_seed_range` (order kept)."""
    return tuple(check_seed_range(first, last) for first, last in pairs)


def parse_seed_ranges(text: str) -> SeedRanges:
    """Parse ``'1,3,10-20'`` into ``((1, 1), (3, 3), (10, 20))``, merged and sorted."""
    if not isinstance(text, str) or not text.strip():
        raise SeedRangeError(f"seed ranges must not be empty; expected e.g. {RANGE_EXAMPLE}")
    pairs: list[tuple[int, int]] = []
    for part in text.split(","):
        item = part.strip()
        first_text, sep, last_text = item.partition("-")
        try:
            first = parse_seed(first_text)
            last = parse_seed(last_text) if sep else first
        except SeedError:
            raise SeedRangeError(
                f"bad seed range {item!r} in {text!r}: expected seeds in 0..{MAX_SEED} "
                f"written like {RANGE_EXAMPLE}"
            ) from None
        if last < first:
            raise SeedRangeError(
                f"bad seed range {item!r} in {text!r}: the end ({last}) is below the start "
                f"({first}); expected e.g. {RANGE_EXAMPLE}"
            )
        pairs.append(check_seed_range(first, last))
    return merge_ranges(pairs)


def merge_ranges(pairs: Iterable[tuple[int, int]]) -> SeedRanges:
    """Sort and merge overlapping or adjacent inclusive ranges."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(pairs):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def ranges_from_seeds(seeds: Iterable[int]) -> SeedRanges:
    """Compress any iterable of seeds (duplicates allowed) into merged ranges."""
    return merge_ranges((s, s) for s in seeds)


def format_seed_ranges(ranges: SeedRanges) -> str:
    """The inverse of parse_seed_ranges: ``((1, 1), (3, 5))`` -> ``'1,3-5'``."""
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def iter_seeds(ranges: SeedRanges) -> Iterator[int]:
    """Every seed in the ranges, ascending, without materialising them."""
    for first, last in ranges:
        yield from range(first, last + 1)


def count_seeds(ranges: SeedRanges) -> int:
    """How many seeds the ranges hold."""
    return sum(last - first + 1 for first, last in ranges)


def seed_at(ranges: SeedRanges, index: int) -> int:
    """The ``index``-th seed (0-based) in ascending order; IndexError past the end."""
    if index < 0:
        raise IndexError(index)
    for first, last in ranges:
        size = last - first + 1
        if index < size:
            return first + index
        index -= size
    raise IndexError("seed index past the end of the ranges")
