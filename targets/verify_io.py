"""Read many posts back fast, for verification.

Where the adapter supports a lookup of many references in one request (reference:
``POST /posts/lookup``, 1000 at a time; WordPress: the plugin's ``POST /wp-json/anp/v1/lookup``,
100 at a time), references go in chunks; otherwise one read request per reference. Either way the
requests are sent concurrently through ``targets.transport`` and the ReadBacks come back in the
order of the references given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from synth import Post
from targets.base import ReadBack, SupportsLookup, Target
from targets.transport import Sender


def chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    """``items`` cut into consecutive pieces of at most ``size``."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def uses_lookup(target: Target) -> bool:
    return isinstance(target, SupportsLookup) and target.lookup_limit > 0


def read_back_many(
    target: Target,
    references: Sequence[str],
    *,
    expected: Mapping[str, Post] | None = None,
    sender: Sender | None = None,
    concurrency: int = 4,
) -> list[ReadBack]:
    """One ReadBack per reference, in order. ``expected`` (reference -> Post) lets adapters that
    cannot rebuild a Post (WordPress) judge the stored content. A ``sender`` is created for the
    target (and closed) when none is given."""
    if not references:
        return []
    own = sender is None
    active = sender or Sender(target.base_url, getattr(target, "timeouts", None))
    try:
        if uses_lookup(target):
            assert isinstance(target, SupportsLookup)
            pieces = chunks(references, target.lookup_limit)
            responses = active.send_many(
                [target.lookup_request(p) for p in pieces], concurrency=concurrency
            )
            out: list[ReadBack] = []
            for piece, response in zip(pieces, responses, strict=True):
                out.extend(target.lookup_read_backs(piece, response, expected))
            return out
        responses = active.send_many(
            [target.read_request(r) for r in references], concurrency=concurrency
        )
        return [
            target.read_back(r, response, expected.get(r) if expected else None)
            for r, response in zip(references, responses, strict=True)
        ]
    finally:
        if own:
            active.close()


def read_back_posts(
    target: Target,
    posts: Sequence[Post],
    *,
    sender: Sender | None = None,
    concurrency: int = 4,
) -> list[ReadBack]:
    """Read back these posts, judging each against itself as the expected content."""
    expected = {p.meta.reference: p for p in posts}
    return read_back_many(
        target,
        [p.meta.reference for p in posts],
        expected=expected,
        sender=sender,
        concurrency=concurrency,
    )
