"""PostgreSQL storage through psycopg 3 (async), with a small fixed pool of connections.

Inserts are one statement per request: ``INSERT ... SELECT FROM unnest(...) ON CONFLICT
(reference) DO NOTHING RETURNING reference``. A batch is de-duplicated and sorted by reference
first, so two concurrent batches lock their keys in the same order and cannot deadlock; the
hashes of references that were not inserted are then read back to decide unchanged/conflict.

Group commit (``storage.GroupCommit``, as the SQLite storage does): single-post imports that
reach storage in the same event-loop iteration are written together as one such batch statement.
Each group is written by its own task, so groups run concurrently on the pool's connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import psycopg

from targets.reference.storage import Group, GroupCommit, Listed, Outcome, Result, decide
from targets.reference.validation import ValidPost

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    reference  text COLLATE "C" PRIMARY KEY,
    seed       bigint NOT NULL,
    hash       text NOT NULL,
    title      text NOT NULL,
    body       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
_INSERT_ONE = (
    "INSERT INTO posts (reference, seed, hash, title, body) VALUES (%s, %s, %s, %s, %b) "
    "ON CONFLICT (reference) DO NOTHING RETURNING reference"
)
_INSERT_MANY = (
    "INSERT INTO posts (reference, seed, hash, title, body) "
    "SELECT * FROM unnest(%b::text[], %b::bigint[], %b::text[], %b::text[], %b::bytea[]) "
    "ON CONFLICT (reference) DO NOTHING RETURNING reference"
)


# Parameters marked %b travel in binary format: the post bodies (bytea) and the batch arrays are
# sent as they are, without the hex and array-literal escaping of the text format (which cost
# about a third of the server's CPU per post in a batch).


class PostgresStorage:
    """Posts in a PostgreSQL table."""

    def __init__(self, conns: list[psycopg.AsyncConnection[tuple[object, ...]]], url: str) -> None:
        self._pool: asyncio.Queue[psycopg.AsyncConnection[tuple[object, ...]]] = asyncio.Queue()
        self._all = conns
        for c in conns:
            self._pool.put_nowait(c)
        self.description = f"postgresql {_redact(url)}"
        self._group_commit = GroupCommit(self._start_group)
        self._groups: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(cls, url: str, size: int) -> PostgresStorage:
        """Connect ``size`` times (autocommit) and create the table if needed."""
        conns = []
        try:
            for _ in range(size):
                conns.append(await psycopg.AsyncConnection.connect(url, autocommit=True))
            async with conns[0].cursor() as cur:
                await cur.execute(SCHEMA)
        except BaseException:
            for c in conns:
                await c.close()
            raise
        return cls(conns, url)

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[psycopg.AsyncConnection[tuple[object, ...]]]:
        conn = await self._pool.get()
        try:
            yield conn
        finally:
            self._pool.put_nowait(conn)

    async def insert(self, posts: Sequence[ValidPost]) -> list[Result]:
        if len(posts) != 1:
            return await self._insert(posts)
        return [await self._group_commit.insert(posts[0])]

    def _start_group(self, group: Group) -> None:
        task = asyncio.ensure_future(group.settle_async(self._insert))
        self._groups.add(task)  # keep a reference until it is done
        task.add_done_callback(self._groups.discard)

    async def _insert(self, posts: Sequence[ValidPost]) -> list[Result]:
        first: dict[str, ValidPost] = {}
        for p in posts:
            first.setdefault(p.reference, p)
        unique = [first[r] for r in sorted(first)]
        async with self._conn() as conn:
            if len(unique) == 1:
                p = unique[0]
                cur = await conn.execute(
                    _INSERT_ONE, (p.reference, p.seed, p.hash, p.title, p.body)
                )
                created = {str(r[0]) for r in await cur.fetchall()}
            else:
                cur = await conn.execute(
                    _INSERT_MANY,
                    (
                        [p.reference for p in unique],
                        [p.seed for p in unique],
                        [p.hash for p in unique],
                        [p.title for p in unique],
                        [p.body for p in unique],
                    ),
                )
                created = {str(r[0]) for r in await cur.fetchall()}
            missing = [r for r in first if r not in created]
            stored: dict[str, str] = {}
            if missing:
                cur = await conn.execute(
                    "SELECT reference, hash FROM posts WHERE reference = ANY(%s)", (missing,)
                )
                stored = {str(r): str(h) for r, h in await cur.fetchall()}
        results: list[Result] = []
        seen: set[str] = set()
        for p in posts:
            ref = p.reference
            if ref in created and ref not in seen:
                results.append((Outcome.CREATED, p.hash))
            else:
                have = first[ref].hash if ref in created else stored[ref]
                results.append((decide(p.hash, have), have))
            seen.add(ref)
        return results

    async def get(self, reference: str) -> tuple[str, bytes] | None:
        async with self._conn() as conn:
            cur = await conn.execute(
                "SELECT hash, body FROM posts WHERE reference = %s", (reference,)
            )
            row = await cur.fetchone()
        return None if row is None else (str(row[0]), bytes(row[1]))  # type: ignore[call-overload]

    async def lookup(self, references: Sequence[str]) -> dict[str, bytes]:
        async with self._conn() as conn:
            cur = await conn.execute(
                "SELECT reference, body FROM posts WHERE reference = ANY(%s)",
                (list(set(references)),),
            )
            rows = await cur.fetchall()
        return {str(r): bytes(b) for r, b in rows}  # type: ignore[call-overload]

    async def listing(self, after: str | None, limit: int) -> list[Listed]:
        async with self._conn() as conn:
            cur = await conn.execute(
                "SELECT reference, hash, seed FROM posts WHERE reference > %s "
                "ORDER BY reference LIMIT %s",
                (after or "", limit),
            )
            rows = await cur.fetchall()
        return [Listed(str(r), str(h), int(s)) for r, h, s in rows]  # type: ignore[call-overload]

    async def count(self) -> int:
        async with self._conn() as conn:
            cur = await conn.execute("SELECT count(*) FROM posts")
            row = await cur.fetchone()
        return int(row[0]) if row else 0  # type: ignore[call-overload]

    async def close(self) -> None:
        if self._groups:
            await asyncio.gather(*self._groups, return_exceptions=True)
        for c in self._all:
            await c.close()


def _redact(url: str) -> str:
    """The URL without its password, for the startup line."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}" if ":" in creds else f"{scheme}{sep}{creds}@{host}"
    return url
