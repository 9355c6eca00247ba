"""Verification's fast read path: compare canonical bytes, parse only what differs.

For adapters that can return each stored post as its exact canonical JSON text
(``SupportsRawLookup``; the reference site's ``POST /posts/lookup`` with ``"raw": true``), the
expected post is built as bytes (``synth.synthesize_json``, no models) and compared with the
stored text. An intact post costs one string comparison; only a post whose text differs is
parsed and compared field by field (``synthesize(seed)``), so the verdicts are the same as the
classic path's (``loadtests.verify``):

- equal bytes: the stored post is the expected post (same content, same hash): intact;
- different bytes: parsed; a post equal to the expected one (another JSON spelling of the same
  content) is intact, anything else (other content, other hash, not a post) is corrupted;
- null: missing; a failed request: unknown, retried once with single-post reads.

The lookups of a chunk are sent first (the references come from ``reference_of``, cheap), and
the expected bytes are synthesized piece by piece while the site answers, so the site and the
harness work at the same time; each piece's answer is judged and dropped before the next piece's
expected bytes are built, which bounds memory to the answers in flight plus one piece. A site older than the ``raw`` flag (it answers 422 naming ``raw``) is read the
classic way from then on.

The requests go through ``targets.verify_io.BoundedSender``: past the verification's bound or
after a stop request, the answers not yet in come back as failed reads (``not_sent``) at once,
and the caller (``loadtests.verify``) counts them as not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from synth import Post, synthesize, synthesize_json
from synth.generate import reference_of
from targets.base import TIMEOUT, ReadBack, Request, Response, Target
from targets.transport import Sender
from targets.verify_io import BoundedSender, chunks

Checked = tuple[str, ReadBack, Post | None]
"""One seed's outcome: its reference, what was read back, and the expected Post when it was
built (``None`` for a post found intact by its bytes, or missing: nothing more to compare)."""


@runtime_checkable
class SupportsRawLookup(Protocol):
    """Adapters that can read many stored posts back as their canonical JSON text."""

    lookup_limit: int
    """Most references one lookup request may carry."""

    def raw_lookup_request(self, references: Sequence[str]) -> Request: ...
    def raw_lookup_refused(self, response: Response) -> bool: ...
    def raw_lookup_read_backs(
        self,
        references: Sequence[str],
        response: Response,
        expected: Mapping[str, bytes],
        expected_post: Callable[[str], Post],
    ) -> list[ReadBack]: ...


class Checker(Protocol):
    """Reads a chunk of seeds back and says what was found for each (``loadtests.verify``)."""

    chunk_size: int
    """Seeds handled per call: enough to keep every request slot busy."""

    def check(self, seeds: Sequence[int], size: str | None) -> list[Checked]: ...


def uses_raw_lookup(target: Target) -> bool:
    return isinstance(target, SupportsRawLookup) and target.lookup_limit > 0


def unreadable(back: ReadBack) -> bool:
    """The read failed, so the post's state is unknown (a stored but unparsable post is not)."""
    return back.error is not None and back.copies == 0


class RawChecker:
    """``Checker`` over an adapter's raw lookup; ``fallback`` (the classic checker) takes over
    for good when the site refuses the ``raw`` flag."""

    def __init__(
        self, target: Target, sender: Sender | BoundedSender, concurrency: int, fallback: Checker
    ) -> None:
        if not isinstance(target, SupportsRawLookup):
            raise TypeError(f"{target!r} has no raw lookup")
        self.target = target
        self.raw: SupportsRawLookup = target
        self.sender = sender if isinstance(sender, BoundedSender) else BoundedSender(sender)
        self.concurrency = max(1, concurrency)
        self.fallback = fallback
        self.refused = False
        """Set once the site has refused the raw flag."""
        self.chunk_size = max(1, min(target.lookup_limit, 1000)) * self.concurrency

    def check(self, seeds: Sequence[int], size: str | None) -> list[Checked]:
        if self.refused:
            return self.fallback.check(seeds, size)
        if not seeds:
            return []
        seed_of = {reference_of(seed): seed for seed in seeds}
        refs = list(seed_of)
        pieces = chunks(refs, self.raw.lookup_limit)
        posts: dict[str, Post] = {}

        def expected_post(ref: str) -> Post:
            if ref not in posts:
                posts[ref] = synthesize(seed_of[ref], size=size)
            return posts[ref]

        backs: list[ReadBack] = []
        pending = self.sender.submit(
            [self.raw.raw_lookup_request(p) for p in pieces], concurrency=self.concurrency
        )
        for index, piece in enumerate(pieces):  # the site answers while the harness synthesizes
            if self.sender.cut():  # past the bound or stopped: the rest is not read
                backs.extend(ReadBack(ref, 0, error=TIMEOUT) for ref in piece)
                continue
            expected = {ref: synthesize_json(seed_of[ref], size=size) for ref in piece}
            response = pending.take(index)  # read answers are not kept
            if self.raw.raw_lookup_refused(response):
                self.refused = True
                break
            backs.extend(self.raw.raw_lookup_read_backs(piece, response, expected, expected_post))
        if self.refused:
            return self.fallback.check(seeds, size)
        failed = [i for i, back in enumerate(backs) if unreadable(back)]
        if failed and not self.sender.cut():  # one request each: one bad answer must not hide
            # a whole piece (not past the bound: the caller counts those as not checked)
            retry = self.sender.send_many(
                [self.target.read_request(refs[i]) for i in failed], concurrency=self.concurrency
            )
            for i, response in zip(failed, retry, strict=True):
                backs[i] = self.target.read_back(refs[i], response, expected_post(refs[i]))
        return [(ref, back, posts.get(ref)) for ref, back in zip(refs, backs, strict=True)]
