"""Is the target there? One health request before any load is sent.

Used by ``anp run`` before it starts Locust, and by the locustfile itself under plain
``locust --headless``, so that an unreachable target fails at once (exit 3) instead of after a
whole run of connection errors.
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
