"""End-to-end verification: read back every acknowledged post and compare it with synth.

For every acknowledged seed, ``synthesize(seed, size=size)`` gives the expected post and its
reference; the adapter reads the stored post back and the two are compared:

- ``copies == 0``: missing; ``copies > 1``: a duplicate (it also counts as landed);
- landed with a stored post that differs from the expected one, a stored hash that differs from
  ``meta.hash``, or ``content_ok is False``: corrupted;
- a read that itself failed (timeout, 5xx, unreadable lookup answer) is neither landed nor
  missing: it is retried once with a single-post read, and if that fails too the verification reports an ``error`` naming how many posts
  could not be read, since its counts are then incomplete.

Seeds that were sent but not acknowledged (a timeout, a reset connection, a refused request) are
read back too: those found on the target count as *landed but not acknowledged*.

Reads go through ``loadtests.verify_fast`` when the adapter can return stored posts as their
canonical JSON text (the reference site): intact posts are then recognised by their bytes and
only the others are parsed, with the same verdicts. Otherwise they go through
``targets.verify_io``: the adapter's bulk lookup (``targets.base.SupportsLookup``)
when it has one, else one request per post; either way several requests are in flight at once
(``concurrency``). A landed post whose stored body cannot be rebuilt counts as corrupted. Seeds
are handled in chunks, so memory stays flat however many posts the run imported.

The bound (``deadline_s``, ``--verify-timeout``) holds within a chunk too: every read goes
through ``targets.verify_io.BoundedSender``, whose request timeouts are capped at the time left
and which sends nothing past the bound, so a site that hangs cannot hold the verification longer
than its bound (plus a scheduling moment). ``stop`` (a Ctrl-C or SIGTERM, see
``loadtests.verify_stop``) ends it the same way at once. Reads cut short so are counted neither
as read nor as failed: the verification reports how many seeds it checked and why it stopped,
and ``anp verify`` can finish it later. All of this runs
in a plain process and under gevent's monkey-patching (inside the Locust master), because the
sender's thread pool becomes a pool of greenlets there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from loadtests.verify_fast import Checked, Checker, RawChecker, unreadable, uses_raw_lookup
from results import Verification
from synth import Post, SeedRanges, count_seeds, iter_seeds, merge_ranges, synthesize
from targets.base import ReadBack, SupportsLookup, Target
from targets.transport import Sender
from targets.verify_io import BoundedSender, RequestSender, read_back_many

VERIFY_DEADLINE_S = 600.0
"""The default bound of one verification, in seconds."""

MAX_LISTED_REFS = 1000
"""At most this many references are listed per category in the record (the counts stay exact)."""


@dataclass
class _Tally:
    acknowledged: int = 0
    landed: int = 0
    missing: int = 0
    duplicates: int = 0
    corrupted: int = 0
    landed_unacknowledged: int = 0
    unreadable: dict[str, int] = field(default_factory=dict)
    missing_refs: list[str] = field(default_factory=list)
    duplicate_refs: list[str] = field(default_factory=list)
    corrupted_refs: list[str] = field(default_factory=list)
    unacknowledged_refs: list[str] = field(default_factory=list)

    @staticmethod
    def note(refs: list[str], reference: str) -> None:
        if len(refs) < MAX_LISTED_REFS:
            refs.append(reference)


def subtract_ranges(ranges: SeedRanges, minus: SeedRanges) -> SeedRanges:
    """Seeds in ``ranges`` that are not in ``minus`` (both merged and sorted)."""
    out: list[tuple[int, int]] = []
    for first, last in ranges:
        cursor = first
        for a, b in minus:
            if b < cursor or a > last:
                continue
            if a > cursor:
                out.append((cursor, a - 1))
            cursor = max(cursor, b + 1)
            if cursor > last:
                break
        if cursor <= last:
            out.append((cursor, last))
    return merge_ranges(out)


def _chunks(ranges: SeedRanges, size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for seed in iter_seeds(ranges):
        chunk.append(seed)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def is_corrupted(expected: Post, back: ReadBack) -> bool:
    """Whether a landed post differs from what synth says it must be (or cannot be parsed)."""
    if back.error is not None or back.content_ok is False:
        return True
    if back.stored_hash is not None and back.stored_hash != expected.meta.hash:
        return True
    if back.content_ok is True:  # the adapter already compared the whole content
        return False
    return back.post is not None and back.post != expected


class _Reader:
    """Reads many posts back through one adapter (``targets.verify_io``), retrying failures once."""

    def __init__(self, target: Target, sender: RequestSender, concurrency: int) -> None:
        self.target = target
        self.sender = sender
        self.concurrency = concurrency
        per_request = target.lookup_limit if isinstance(target, SupportsLookup) else 1
        self.chunk_size = max(1, min(per_request, 1000)) * concurrency
        """Seeds handled per round: enough to keep ``concurrency`` requests busy."""

    def check(self, seeds: Sequence[int], size: str | None) -> list[Checked]:
        """``Checker.check``: synthesize the expected posts, read them back, pair them."""
        expected = _expected(seeds, size)
        backs = self.read(expected)
        return [(ref, backs[ref], post) for ref, post in expected.items()]

    def read(self, expected: dict[str, Post]) -> dict[str, ReadBack]:
        """Read all; references whose read failed are read again, one request each (one bad
        stored post can make a whole lookup answer unreadable)."""
        backs = self._read_once(expected)
        failed = [r for r in expected if unreadable(backs[r])]
        if failed and not (isinstance(self.sender, BoundedSender) and self.sender.cut()):
            responses = self.sender.send_many(
                [self.target.read_request(r) for r in failed], concurrency=self.concurrency
            )
            for ref, response in zip(failed, responses, strict=True):
                backs[ref] = self.target.read_back(ref, response, expected[ref])
        return backs

    def _read_once(self, expected: dict[str, Post]) -> dict[str, ReadBack]:
        refs = list(expected)
        backs = read_back_many(
            self.target,
            refs,
            expected=expected,
            sender=self.sender,
            concurrency=self.concurrency,
        )
        return dict(zip(refs, backs, strict=True))


def _expected(seeds: Sequence[int], size: str | None) -> dict[str, Post]:
    posts: dict[str, Post] = {}
    for seed in seeds:
        post = synthesize(seed, size=size)
        posts[post.meta.reference] = post
    return posts


def not_performed(acknowledged: Iterable[tuple[int, int]], why: str) -> Verification:
    """The verification of a run whose posts could not be read back at all (the target did not
    answer, no adapter): ``performed`` false, the true count of acknowledged posts, and ``why``
    as the error. Landed, missing and corrupted are unknown; the record model has no null for
    them, so they stay 0 and ``performed: false`` plus the error say they were not measured.
    """
    return Verification(
        performed=False,
        acknowledged=count_seeds(merge_ranges(acknowledged)),
        error=f"verification was not performed: {why}",
    )


def cut_short(interrupted: bool, deadline_s: float, checked: int, total: int) -> str:
    """Why a verification is incomplete when a stop request or its bound ended it."""
    if interrupted:
        return (
            f"verification was interrupted (Ctrl-C or SIGTERM) after checking {checked} of "
            f"{total} seeds; `anp verify` finishes it (retrying is safe)"
        )
    return (
        f"verification stopped at its {deadline_s:g} s bound (anp run --verify-timeout, "
        f"anp verify --timeout) after checking {checked} of {total} seeds; retrying with a "
        "longer bound is safe"
    )


def cut_before_reading(
    acknowledged: SeedRanges, sent: SeedRanges, *, interrupted: bool, deadline_s: float
) -> Verification:
    """The verification of a run whose stop request or bound came before the first read (the
    health check had not answered): nothing checked, the same error as ``verify_posts``'s."""
    acknowledged = merge_ranges(acknowledged)
    total = count_seeds(acknowledged) + count_seeds(
        subtract_ranges(merge_ranges(sent), acknowledged)
    )
    return Verification(
        performed=True,
        acknowledged=count_seeds(acknowledged),
        error=cut_short(interrupted, deadline_s, 0, total),
    )


def verify_posts(
    target: Target,
    sender: Sender,
    *,
    acknowledged: SeedRanges,
    sent: SeedRanges = (),
    size: str | None = None,
    concurrency: int = 8,
    deadline_s: float = VERIFY_DEADLINE_S,
    raw_reads: bool = True,
    stop: Callable[[], bool] | None = None,
    started: float | None = None,
) -> Verification:
    """Read back the acknowledged seeds (and the sent-but-unacknowledged ones) and compare.

    ``deadline_s`` bounds the whole verification, counted from ``started`` (a
    ``time.monotonic()`` value; default now), reads in flight included; past it, what was
    checked so far is reported with an ``error`` saying how far it got. ``stop()`` returning
    True ends it the same way, with an error saying it was interrupted. ``raw_reads=False``
    keeps to the classic read path even when the adapter has the fast one (for benchmarks and
    tests; the counts are the same).
    """
    started = time.monotonic() if started is None else started
    bounded = BoundedSender(sender, deadline=started + deadline_s, stop=stop)
    acknowledged = merge_ranges(acknowledged)
    unacknowledged = subtract_ranges(merge_ranges(sent), acknowledged)
    reader: Checker = _Reader(target, bounded, concurrency)
    if raw_reads and uses_raw_lookup(target):
        reader = RawChecker(target, bounded, concurrency, fallback=reader)
    tally = _Tally()
    total = count_seeds(acknowledged) + count_seeds(unacknowledged)
    checked = 0
    stopped = False
    for ranges, was_acknowledged in ((acknowledged, True), (unacknowledged, False)):
        for seeds in _chunks(ranges, reader.chunk_size):
            if bounded.cut():
                stopped = True
                break
            for ref, back, post in reader.check(seeds, size):
                if unreadable(back) and bounded.cut():
                    stopped = True  # not read, or its read was abandoned: not checked
                    continue
                _count(tally, ref, back, post, was_acknowledged)
                checked += 1
        if stopped:
            break
    errors: list[str] = []
    if tally.unreadable:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(tally.unreadable.items()))
        errors.append(
            f"{sum(tally.unreadable.values())} post(s) could not be read back ({kinds}); "
            "their state is unknown, so the counts are incomplete (retrying later is safe)"
        )
    if stopped:
        errors.append(cut_short(bounded.stopped(), deadline_s, checked, total))
    return Verification(
        performed=True,
        acknowledged=count_seeds(acknowledged),  # all of them, checked or not (cut short)
        landed=tally.landed,
        missing=tally.missing,
        duplicates=tally.duplicates,
        corrupted=tally.corrupted,
        landed_unacknowledged=tally.landed_unacknowledged,
        missing_refs=tally.missing_refs,
        duplicate_refs=tally.duplicate_refs,
        corrupted_refs=tally.corrupted_refs,
        unacknowledged_refs=tally.unacknowledged_refs,
        duration_s=round(time.monotonic() - started, 3),
        error="; ".join(errors) or None,
    )


def _count(
    tally: _Tally, ref: str, back: ReadBack, expected: Post | None, was_acknowledged: bool
) -> None:
    """Count one seed. ``expected`` may be None only when ``back`` needs no Post to be judged
    (``content_ok`` set by the adapter, or nothing stored)."""
    if was_acknowledged:
        tally.acknowledged += 1
    if unreadable(back):
        kind = back.error or "unknown"
        tally.unreadable[kind] = tally.unreadable.get(kind, 0) + 1
        return
    if back.copies == 0:
        if was_acknowledged:
            tally.missing += 1
            tally.note(tally.missing_refs, ref)
        return
    if was_acknowledged:
        tally.landed += 1
    else:
        tally.landed_unacknowledged += 1
        tally.note(tally.unacknowledged_refs, ref)
    if back.copies > 1:
        tally.duplicates += 1
        tally.note(tally.duplicate_refs, ref)
    if expected is None:  # the adapter judged the content itself (fast path)
        corrupted = back.error is not None or back.content_ok is not True
    else:
        corrupted = is_corrupted(expected, back)
    if corrupted:
        tally.corrupted += 1
        tally.note(tally.corrupted_refs, ref)
