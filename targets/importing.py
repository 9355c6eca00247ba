"""Import posts outside Locust (tests, seeding a site, the demo): one at a time or in batches of
at most the target's ``batch_limit``, sent through ``targets.transport``."""

from __future__ import annotations

from collections.abc import Sequence

from synth import Post
from targets.base import Ack, Target
from targets.transport import Sender


def import_posts(
    target: Target,
    posts: Sequence[Post],
    *,
    batch: bool = True,
    sender: Sender | None = None,
    concurrency: int = 1,
) -> list[Ack]:
    """One Ack per post, in order. With ``batch`` and a target that has a batch endpoint, posts
    travel in batches of at most ``target.batch_limit`` (the caller's split; WordPress: 25)."""
    if not posts:
        return []
    own = sender is None
    active = sender or Sender(target.base_url, getattr(target, "timeouts", None))
    try:
        if batch and target.batch_limit > 0:
            size = target.batch_limit
            groups = [posts[i : i + size] for i in range(0, len(posts), size)]
            responses = active.send_many(
                [target.batch_request(g) for g in groups], concurrency=concurrency
            )
            acks: list[Ack] = []
            for group, response in zip(groups, responses, strict=True):
                acks.extend(target.batch_acks(group, response))
            return acks
        responses = active.send_many(
            [target.import_request(p) for p in posts], concurrency=concurrency
        )
        return [target.import_ack(p, r) for p, r in zip(posts, responses, strict=True)]
    finally:
        if own:
            active.close()


def fetch_release(target: Target, sender: Sender | None = None) -> str:
    """The site's release (raises ``TargetError`` when the site does not say)."""
    own = sender is None
    active = sender or Sender(target.base_url, getattr(target, "timeouts", None))
    try:
        return target.release(active.send(target.release_request()))
    finally:
        if own:
            active.close()
