"""What the site needs from its database, and how to open one.

Both backends store one table ``posts(reference PRIMARY KEY, seed, hash, title, body, created_at)``
and insert with ``INSERT ... ON CONFLICT (reference) DO NOTHING``; when nothing was inserted the
stored hash decides between *unchanged* (same hash) and *conflict* (different hash). Concurrent
imports of the same reference therefore never duplicate a row and never overwrite one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from targets.reference.settings import ReferenceSettings
from targets.reference.validation import ValidPost


class Outcome(Enum):
    """What an insert did."""

    CREATED = 201
    UNCHANGED = 200
    CONFLICT = 409


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of the listing."""

    reference: str
    hash: str
    seed: int


class Storage(Protocol):
    """An open posts table. Methods are coroutines; none may be called after ``close``."""

    description: str
    """Shown on startup, e.g. ``sqlite results/reference.db``."""

    async def insert(self, posts: Sequence[ValidPost]) -> list[tuple[Outcome, str]]:
        """Insert posts in one transaction; per post its outcome and the stored hash."""
        ...

    async def get(self, reference: str) -> tuple[str, bytes] | None:
        """The stored (hash, canonical JSON bytes), or None."""
        ...

    async def lookup(self, references: Sequence[str]) -> dict[str, bytes]:
        """Stored bodies for those references that exist."""
        ...

    async def listing(self, after: str | None, limit: int) -> list[Listed]:
        """Rows ordered by reference, strictly after ``after``."""
        ...

    async def count(self) -> int:
        """How many posts are stored."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


Result = tuple[Outcome, str]
"""What an insert answers for one post: its outcome and the hash stored for its reference."""


class Group:
    """Single-post imports waiting to be written together, each with the future its request awaits."""

    def __init__(self) -> None:
        self.posts: list[ValidPost] = []
        self.futures: list[asyncio.Future[Result]] = []

    def settle(self, write: Callable[[list[ValidPost]], list[Result]]) -> None:
        """Write the group with ``write`` (one transaction) and wake every request."""
        try:
            results = write(self.posts)
        except Exception as exc:  # handed to every waiting request
            self._fail(exc)
            return
        self._resolve(results)

    async def settle_async(
        self, write: Callable[[list[ValidPost]], Awaitable[list[Result]]]
    ) -> None:
        """``settle`` with a coroutine; when it is cancelled (shutdown), so are the requests."""
        try:
            results = await write(self.posts)
        except Exception as exc:
            self._fail(exc)
            return
        except BaseException:
            for future in self.futures:
                future.cancel()
            raise
        self._resolve(results)

    def _resolve(self, results: list[Result]) -> None:
        for future, result in zip(self.futures, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _fail(self, exc: Exception) -> None:
        for future in self.futures:
            if not future.done():
                future.set_exception(exc)


class GroupCommit:
    """Collects the single-post inserts of one event-loop iteration into a ``Group``.

    ``start`` is called (from ``loop.call_soon``) with each full group and must settle it: write
    it and so wake its requests.
    """

    def __init__(self, start: Callable[[Group], None]) -> None:
        self._start = start
        self._group: Group | None = None

    async def insert(self, post: ValidPost) -> Result:
        """Queue ``post`` for the next group; its outcome once that group has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        group = self._group
        if group is None:
            group = self._group = Group()
            loop.call_soon(self._flush)
        group.posts.append(post)
        group.futures.append(future)
        return await future

    def _flush(self) -> None:
        group, self._group = self._group, None
        if group is not None:
            self._start(group)


def decide(new_hash: str, stored_hash: str) -> Outcome:
    """Outcome for a reference that was already stored."""
    return Outcome.UNCHANGED if new_hash == stored_hash else Outcome.CONFLICT


async def open_storage(settings: ReferenceSettings) -> Storage:
    """Open (and create if needed) the database the settings name."""
    if settings.database_url:
        from targets.reference.postgres_store import PostgresStorage

        return await PostgresStorage.open(settings.database_url, settings.pg_pool_size)
    from targets.reference.sqlite_store import SQLiteStorage

    return SQLiteStorage.open(settings.db_path)
