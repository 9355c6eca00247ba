"""Is the target there? One health request before any load is sent.

Used by ``anp run`` before it starts Locust, and by the locustfile itself under plain
``locust --headless``, so that an unreachable target fails at once (exit 3) instead of after a
whole run of connection errors. ``stored_before`` warns ``anp run`` when the seeds it is about
to import are already on the target.
"""

from __future__ import annotations

from typing import Any


def health_failure(target: Any, timeout_s: float = 5.0) -> str | None:
    """None when the target answers its health request with a status below 400; otherwise a
    sentence naming the target, its URL and what failed."""
    from targets.transport import Sender, Timeouts

    with Sender(target.base_url, Timeouts(connect_s=timeout_s, read_s=timeout_s)) as sender:
        health = sender.send(target.health_request())
    if health.status != 0 and health.status < 400:
        return None
    why = health.error or f"HTTP {health.status}"
    return (
        f"target {target.name!r} at {target.base_url} is unreachable ({why}) before the run "
        "started; start the site first (for the reference site: anp target serve reference "
        "--port PORT) and retry: nothing was sent"
    )


STORED_SAMPLE = 16
"""How many of the first seeds ``stored_before`` reads back."""


def stored_before(
    target: Any, seeds: Any, *, size: str | None = None, sample: int = STORED_SAMPLE
) -> str | None:
    """A warning when the target already holds posts of the first ``sample`` seeds of ``seeds``
    (an earlier run against the same database): their imports will be answered "unchanged",
    which costs the site far less than an import, so the run would measure re-imports. None
    when none of them is stored, or when they could not be read (the load reports that itself).
    """
    from loadtests.verify import verify_posts
    from synth import iter_seeds, merge_ranges
    from targets.transport import Sender, Timeouts

    first: list[tuple[int, int]] = []
    for seed in iter_seeds(merge_ranges(seeds)):
        first.append((seed, seed))
        if len(first) == sample:
            break
    if not first:
        return None
    try:
        with Sender(target.base_url, Timeouts(connect_s=5.0, read_s=10.0)) as sender:
            found = verify_posts(target, sender, acknowledged=merge_ranges(first), size=size)
    except Exception:  # a probe only; the run itself reports a target that misbehaves
        return None
    if found.error is not None or found.landed == 0:
        return None
    return (
        f"target {target.name!r} already holds {found.landed} of the first {len(first)} posts "
        "of --seeds (an earlier run imported them): their imports will be answered "
        "'unchanged', which is much cheaper than an import, so this run measures re-imports; "
        "for import figures use a fresh database or seeds not imported before"
    )
