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

A node without acknowledged posts of its own (with ``--processes``, Locust may put every invalid
user on a worker that runs no import user) would never send ``changed_content``. There,
``StoredPosts`` finds a post of this run's seeds that the target holds by reading back, at most
every ``FIND_INTERVAL_S`` seconds, one of the first ``FIND_WINDOW`` seeds of ``--seeds`` in turn
(those are handed out first, so another node imports them in the first moments; a post an
earlier run stored counts as well; an adapter that cannot read posts back is not asked). The read
is a real request of the ``invalid`` scenario under its own name (``FIND_SUFFIX``), counted like
any other (in the open model it takes a slot of its own). A seed found stored is used for
``changed_content`` from then on (the target must answer 409): it consumes no seed, and a
well-behaved target stores no invalid post. Each node counts its ``changed_content`` turns sent
and replaced by the next kind (nothing acknowledged nor found yet): ``StoredPosts.sent`` and
``StoredPosts.replaced``, logged when its invalid users stop (``invalid: changed_content sent N,
replaced by the next kind M ...``).

The ``read`` and ``reimport`` scenarios starve the same way on such a node (they pick posts this
node saw acknowledged). They use the same ``StoredPosts``, wanting up to ``FIND_WINDOW`` posts
found stored, so they spread their requests once a few are found: their find reads are requests
of their own scenario, under the same name suffix.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from itertools import islice
from typing import NamedTuple

from synth import INVALID_KINDS, SeedRanges, iter_seeds, synthesize_invalid
from synth.generate import reference_of
from targets.base import Request, Response, Target, TargetError

log = logging.getLogger(__name__)

CHANGED_CONTENT = "changed_content"
"""The kind that reuses an acknowledged post's reference (a 409 once that post landed)."""
REUSED_KINDS: frozenset[str] = frozenset({"oversized"})
"""Kinds too expensive to build per request: their seeds come from a small fixed set."""
REUSED_SEEDS = 4
"""How many seeds each kind in ``REUSED_KINDS`` cycles through."""
CACHE_LIMIT = 2 * REUSED_SEEDS * len(REUSED_KINDS)
"""Built requests kept at most (a reused kind right after ``changed_content`` in the cycle could
also be reached from that kind's fallback, with seeds of its own)."""
FIND_WINDOW = 16
"""How many of the first seeds of ``--seeds`` a node without acknowledged posts reads back in
turn to find those the target holds (``invalid`` wants one; ``read`` and ``reimport`` want up
to all of them, to spread their requests)."""
FIND_INTERVAL_S = 0.5
"""At most one such read per node every this many seconds (until enough are found)."""
FIND_SUFFIX = " [find a stored post]"
"""Appended to the read request's name, so its statistics stay apart from the read scenario's."""


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


def is_changed_content_turn(number: int) -> bool:
    """Whether the ``number``-th invalid request is ``changed_content``'s turn in the cycle."""
    return INVALID_KINDS[number % len(INVALID_KINDS)] == CHANGED_CONTENT


class StoredPosts:
    """One node's stored posts for ``changed_content`` when it has no acknowledged post of its
    own, and its counts of ``changed_content`` turns (see the module docstring). One per test:
    ``for_test`` starts afresh when the node's recorder changes."""

    def __init__(self) -> None:
        self.owner: object | None = None
        self._reset()

    def _reset(self) -> None:
        self.found: list[tuple[int, str]] = []
        """(seed, reference) of posts read back stored (at most ``FIND_WINDOW``)."""
        self.tries = 0
        """Reads sent to find one."""
        self.unreadable = False
        """The adapter cannot read posts back: no read is tried."""
        self.next_try = 0.0
        """Monotonic time of the next read allowed."""
        self.sent = 0
        """``changed_content`` turns that sent ``changed_content``."""
        self.replaced = 0
        """``changed_content`` turns that sent the next kind instead (no post to change)."""
        self.reported = False

    def for_test(self, owner: object) -> StoredPosts:
        """This object, emptied first when ``owner`` (the node's recorder) is a new one."""
        if self.owner is not owner:
            self._reset()
            self.owner = owner
        return self

    def due(self, now: float, want: int = 1) -> bool:
        """Whether a read to find a stored post should be sent now (fewer than ``want`` are
        found)."""
        return len(self.found) < want and not self.unreadable and now >= self.next_try

    def postpone(self, now: float) -> None:
        """No read now (the node runs import users: its own acks will serve); ask again in
        ``FIND_INTERVAL_S``."""
        self.next_try = now + FIND_INTERVAL_S

    def find_request(
        self, target: Target, seeds: SeedRanges, now: float
    ) -> tuple[int, Request] | None:
        """The next seed to look for and ``target``'s read of its post, renamed with
        ``FIND_SUFFIX``; the next read is allowed ``FIND_INTERVAL_S`` from ``now``. None, and
        no read ever after, when the adapter cannot read posts back (an http target without
        ``[http.read]``)."""
        found = {seed for seed, _ in self.found}
        window = [s for s in islice(iter_seeds(seeds), FIND_WINDOW) if s not in found]
        if not window:
            return None
        seed = window[self.tries % len(window)]
        try:
            request = target.read_request(reference_of(seed))
        except TargetError as exc:
            self.unreadable = True
            log.info("invalid: changed_content cannot find a stored post on this node: %s", exc)
            return None
        self.tries += 1
        self.next_try = now + FIND_INTERVAL_S
        return seed, replace(request, name=request.name + FIND_SUFFIX)

    def note(self, target: Target, seed: int, response: Response) -> None:
        """Keep ``seed`` when ``response`` (to ``find_request``) says the target holds its post."""
        if response.status != 200 or any(seed == s for s, _ in self.found):
            return
        reference = reference_of(seed)
        back = target.read_back(reference, response)
        if back.error is None and back.copies >= 1:
            self.found.append((seed, reference))
            if len(self.found) > 1:
                return
            log.info(
                "no acknowledged post on this node; changed_content, read and reimport use "
                "posts found stored, first seed %d (found after %d read(s))",
                seed,
                self.tries,
            )

    def count(self, number: int, kind: str) -> None:
        """Count the ``number``-th request's kind if it was ``changed_content``'s turn."""
        if not is_changed_content_turn(number):
            return
        if kind == CHANGED_CONTENT:
            self.sent += 1
            return
        self.replaced += 1
        if self.replaced == 1:
            log.info(
                "invalid: changed_content's turn sent %s instead (no acknowledged post on this "
                "node and none found stored yet); such turns are counted",
                kind,
            )

    def report(self) -> None:
        """Log this node's counts once per test (when its invalid users stop)."""
        if self.reported or not (self.sent or self.replaced):
            return
        self.reported = True
        log.info(
            "invalid: changed_content sent %d, replaced by the next kind %d (no acknowledged "
            "post on this node and none found stored yet)",
            self.sent,
            self.replaced,
        )


STORED = StoredPosts()
"""This process's (one node's) instance."""
