"""The ``invalid`` scenario's requests: which invalid kind and seed the n-th request uses, built
cheaply.

``invalid_request(target, number, recent)`` is a pure function of its arguments (the cache below
only saves work): the n-th invalid request of a node is

- kind ``INVALID_KINDS[number % len(INVALID_KINDS)]``, so every kind comes round in the same
  fixed cycle;
- for ``changed_content``, an acknowledged seed ``recent[number % len(recent)]`` (the variant is a
  conflict only once its original landed); with nothing acknowledged yet, the next kind in the
  cycle instead;
- for a kind in ``REUSED_KINDS`` (``oversized``), the seed ``number % (len(INVALID_KINDS) *
  REUSED_SEEDS)``: the first ``REUSED_SEEDS`` requests of that kind use the seed ``number`` like
  every other kind, later ones come back to those same seeds;
- for every other kind, the seed ``number``.

The request is always ``target.invalid_request(synthesize_invalid(seed, kind))``: the same bytes
synth produces for that (kind, seed), so a run's invalid requests follow from its parameters.

Why ``oversized`` reuses seeds: its body is over 2 MiB and costs about 9 ms of CPU to build (with
the C builder; 0.07-0.14 ms for any other kind). Built for every request, inside the Locust
process, it blocked the process's event loop for that long about 30 times a second in ``anp demo``
(import:4,invalid:1): the generator, not the site, set the throughput (1,540-1,980 requests/s
against 3,290-3,670 with the reuse, 3 alternated runs each, and Locust's CPU warning gone). Building the ``REUSED_SEEDS`` variants once and sending them again costs
nothing in coverage: an invalid post is never stored (a target that wrongly accepts one shows
``unexpected_acceptance`` whichever seed it was), and its reference is shifted away from any real
post's, so a repeat cannot collide with the import scenarios. The cache holds the built
``Request`` of at most ``CACHE_LIMIT`` (kind, seed) pairs (about 2.2 MB each) for one target; a
new target object (a new run) empties it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from synth import INVALID_KINDS, synthesize_invalid
from targets.base import Request, Target

CHANGED_CONTENT = "changed_content"
"""The kind that reuses an acknowledged post's reference (a 409 once that post landed)."""
REUSED_KINDS: frozenset[str] = frozenset({"oversized"})
"""Kinds too expensive to build per request: their seeds come from a small fixed set."""
REUSED_SEEDS = 4
"""How many seeds each kind in ``REUSED_KINDS`` cycles through."""
CACHE_LIMIT = 2 * REUSED_SEEDS * len(REUSED_KINDS)
"""Built requests kept at most (a reused kind right after ``changed_content`` in the cycle could
also be reached from that kind's fallback, with seeds of its own)."""


class InvalidRequest(NamedTuple):
    """One invalid request and what a well-behaved target answers."""

    request: Request
    """What to send: ``target.invalid_request(synthesize_invalid(seed, kind))``."""
    expected: tuple[int, ...]
    """The acceptable 4xx statuses (``InvalidPost.expected_status``)."""
    kind: str
    """The invalid kind used."""
    seed: int
    """The seed used."""


def invalid_choice(number: int, recent: Sequence[tuple[int, object]]) -> tuple[str, int]:
    """The (kind, seed) of a node's ``number``-th invalid request; see the module docstring.

    ``recent`` is the node's recently acknowledged (seed, reference) pairs."""
    count = len(INVALID_KINDS)
    kind = INVALID_KINDS[number % count]
    seed = number
    if kind == CHANGED_CONTENT:
        if recent:
            return kind, recent[number % len(recent)][0]
        kind = INVALID_KINDS[(number + 1) % count]
    if kind in REUSED_KINDS:
        seed = number % (count * REUSED_SEEDS)
    return kind, seed


class _Built:
    """The built requests of ``REUSED_KINDS`` for one target, at most ``CACHE_LIMIT``."""

    def __init__(self) -> None:
        self.target: object | None = None
        self.requests: dict[tuple[str, int], InvalidRequest] = {}

    def get(self, target: Target, kind: str, seed: int) -> InvalidRequest:
        if self.target is not target:
            self.target = target
            self.requests.clear()
        key = (kind, seed)
        built = self.requests.get(key)
        if built is None:
            built = build(target, kind, seed)
            if len(self.requests) >= CACHE_LIMIT:
                del self.requests[next(iter(self.requests))]  # the oldest
            self.requests[key] = built
        return built


_BUILT = _Built()


def build(target: Target, kind: str, seed: int) -> InvalidRequest:
    """``target``'s request for ``synthesize_invalid(seed, kind)``, built now."""
    invalid = synthesize_invalid(seed, kind)
    return InvalidRequest(target.invalid_request(invalid), invalid.expected_status, kind, seed)


def invalid_request(
    target: Target, number: int, recent: Sequence[tuple[int, object]]
) -> InvalidRequest:
    """The node's ``number``-th invalid request for ``target`` (``number`` counts from 1).

    ``recent`` is the node's recently acknowledged (seed, reference) pairs, for
    ``changed_content``. Kinds in ``REUSED_KINDS`` come from a bounded cache."""
    kind, seed = invalid_choice(number, recent)
    if kind in REUSED_KINDS:
        return _BUILT.get(target, kind, seed)
    return build(target, kind, seed)


def cached_count() -> int:
    """How many built requests the cache holds now (for tests)."""
    return len(_BUILT.requests)
