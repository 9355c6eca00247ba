"""The site's own counters since start, served by ``GET /stats`` for the harness's exactness test.

Counted per route template (``GET /posts/{reference}``, not the concrete path) and status.
Requests that match no route count under ``<METHOD> <unmatched>``. Every update happens on the
event loop's single thread without an ``await`` in between, so the counts are exact under any
concurrency (one uvicorn worker process; see ``targets.reference.serve``).
"""

from __future__ import annotations

from typing import Any


class Stats:
    """Counters for requests, injected failures and imported posts."""

    def __init__(self) -> None:
        self._requests: dict[str, dict[int, int]] = {}
        self.injected_failures = 0
        self.posts_created = 0
        """Posts this process stored (single and batch imports)."""
        self.posts_unchanged = 0
        """Re-imports acknowledged with 200 (same reference, same hash)."""
        self.posts_conflict = 0
        """Imports refused with 409 (same reference, different content)."""
        self.posts_invalid = 0
        """Posts refused by validation (single imports and batch items)."""

    def record(self, route: str, status: int) -> None:
        """Count one finished request."""
        by_status = self._requests.get(route)
        if by_status is None:
            by_status = self._requests[route] = {}
        by_status[status] = by_status.get(status, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """The ``/stats`` document (keys sorted so that it reads the same every time)."""
        requests = {
            route: {
                "total": sum(by.values()),
                "by_status": {str(s): by[s] for s in sorted(by)},
            }
            for route, by in sorted(self._requests.items())
        }
        return {
            "requests": requests,
            "injected_failures": self.injected_failures,
            "posts": self.posts_created,
            "posts_unchanged": self.posts_unchanged,
            "posts_conflict": self.posts_conflict,
            "posts_invalid": self.posts_invalid,
        }
