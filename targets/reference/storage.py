"""What the site needs from its database, and how to open one.

Both backends store one table ``posts(reference PRIMARY KEY, seed, hash, title, body, created_at)``
and insert with ``INSERT ... ON CONFLICT (reference) DO NOTHING``; when nothing was inserted the
stored hash decides between *unchanged* (same hash) and *conflict* (different hash). Concurrent
imports of the same reference therefore never duplicate a row and never overwrite one.
"""

from __future__ import annotations

from collections.abc import Sequence
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
