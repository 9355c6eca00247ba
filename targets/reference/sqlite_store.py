"""SQLite storage: one file in WAL mode, ``synchronous=NORMAL``, one connection.

The site runs one event loop in one process, so every statement runs on the loop's thread; a
write is a few short statements that never yield, so requests never interleave inside a
transaction. ``busy_timeout`` and ``BEGIN IMMEDIATE`` keep it correct even if a second process
writes to the same file.

Group commit (``storage.GroupCommit``): single-post imports that reach storage in the same
event-loop iteration are written in ONE transaction, written synchronously in the loop's
callback, which is what makes a commit per request cheap under concurrency. Inside a group,
rows are inserted in arrival order, so two requests for one reference get created +
unchanged/conflict exactly as they would one after the other.

A group (or a batch) of more than one post is written with one existence query for its
references and one ``executemany`` for the new rows, inside ``BEGIN IMMEDIATE``.

Durability: WAL with ``synchronous=NORMAL``; automatic checkpoints every 4 MiB of WAL (SQLite's
default amount: 1000 pages of 4 KiB). A commit survives a crash of the site process; a power loss or an OS crash can roll back
the commits made since the last checkpoint synced the WAL, but never corrupts the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from targets.reference.storage import GroupCommit, Listed, Outcome, Result, decide
from targets.reference.validation import ValidPost

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    reference  TEXT PRIMARY KEY NOT NULL,
    seed       INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at TEXT NOT NULL
)
"""
_INSERT = (
    "INSERT INTO posts (reference, seed, hash, title, body, created_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (reference) DO NOTHING"
)
_HASH = "SELECT hash FROM posts WHERE reference = ?"
PAGE_SIZE = 16384
"""Page size of a new database file."""
WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024
"""WAL written between automatic checkpoints (SQLite's default: 1000 pages of 4 KiB)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SQLiteStorage:
    """Posts in a SQLite file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.description = f"sqlite {path}"
        self._group_commit = GroupCommit(lambda group: group.settle(self._write))

    @classmethod
    def open(cls, path: Path) -> SQLiteStorage:
        """Create parent directories, the file and the table as needed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        # A new file gets 16 KiB pages: a post (about 7 KB of canonical JSON) then fits in its
        # row's page instead of a chain of overflow pages (about 2 us less per post). The pragma
        # does nothing on an existing file, which keeps its page size.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.close()
            raise OSError(f"SQLite file {path} refused WAL mode (journal_mode={mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(SCHEMA)
        # Checkpoint every WAL_CHECKPOINT_BYTES of WAL whatever the page size (SQLite counts pages).
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        conn.execute(f"PRAGMA wal_autocheckpoint = {max(1, WAL_CHECKPOINT_BYTES // page_size)}")
        return cls(conn, path)

    async def insert(self, posts: Sequence[ValidPost]) -> list[Result]:
        if len(posts) != 1:
            return self._write(posts)
        return [await self._group_commit.insert(posts[0])]

    def _write(self, posts: Sequence[ValidPost]) -> list[Result]:
        """Insert ``posts`` in one transaction, in order; per post its outcome and stored hash."""
        if len(posts) == 1:
            return [self._write_one(posts[0])]
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            results = self._write_many(posts)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _write_one(self, p: ValidPost) -> Result:
        # One statement in autocommit mode is its own transaction.
        cur = self._conn.execute(_INSERT, (p.reference, p.seed, p.hash, p.title, p.body, _now()))
        if cur.rowcount == 1:
            return Outcome.CREATED, p.hash
        stored = self._conn.execute(_HASH, (p.reference,)).fetchone()[0]
        return decide(p.hash, stored), stored

    def _write_many(self, posts: Sequence[ValidPost]) -> list[Result]:
        """Inside ``BEGIN IMMEDIATE``: one query for the references already stored, then one
        ``executemany`` for the new rows. The write lock is held from the query to the commit,
        so no other writer (not even another process) can insert in between."""
        conn = self._conn
        stored = self._stored_hashes({p.reference for p in posts})
        now = _now()
        rows: list[tuple[str, int, str, str, bytes, str]] = []
        results: list[Result] = []
        for p in posts:
            known = stored.get(p.reference)
            if known is None:  # new; a later item with this reference compares with this one
                stored[p.reference] = p.hash
                rows.append((p.reference, p.seed, p.hash, p.title, p.body, now))
                results.append((Outcome.CREATED, p.hash))
            else:
                results.append((decide(p.hash, known), known))
        before = conn.total_changes
        conn.executemany(_INSERT, rows)
        if conn.total_changes - before != len(rows):
            # Cannot happen under the write lock; refuse to answer from a wrong picture.
            raise sqlite3.OperationalError("posts changed while the batch held the write lock")
        return results

    def _stored_hashes(self, references: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = sorted(references)
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT reference, hash FROM posts WHERE reference IN ({marks})", chunk
            )
            found.update(rows)
        return found

    async def get(self, reference: str) -> tuple[str, bytes] | None:
        row = self._conn.execute(
            "SELECT hash, body FROM posts WHERE reference = ?", (reference,)
        ).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    async def lookup(self, references: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        unique = sorted(set(references))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT reference, body FROM posts WHERE reference IN ({marks})", chunk
            )
            found.update((r, bytes(b)) for r, b in rows)
        return found

    async def listing(self, after: str | None, limit: int) -> list[Listed]:
        rows = self._conn.execute(
            "SELECT reference, hash, seed FROM posts WHERE reference > ? ORDER BY reference LIMIT ?",
            (after or "", limit),
        )
        return [Listed(r, h, s) for r, h, s in rows]

    async def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM posts").fetchone()[0])

    async def close(self) -> None:
        self._conn.close()
