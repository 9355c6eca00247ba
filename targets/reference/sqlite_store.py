"""SQLite storage: one file in WAL mode, ``synchronous=NORMAL``, one connection.

The site runs one event loop in one process, so every statement runs on the loop's thread; each
call is a few short statements and does not yield, so requests never interleave inside a
transaction. ``busy_timeout`` and ``BEGIN IMMEDIATE`` keep it correct even if a second process
writes to the same file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from targets.reference.storage import Listed, Outcome, decide
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


class SQLiteStorage:
    """Posts in a SQLite file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.description = f"sqlite {path}"

    @classmethod
    def open(cls, path: Path) -> SQLiteStorage:
        """Create parent directories, the file and the table as needed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.close()
            raise OSError(f"SQLite file {path} refused WAL mode (journal_mode={mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(SCHEMA)
        return cls(conn, path)

    async def insert(self, posts: Sequence[ValidPost]) -> list[tuple[Outcome, str]]:
        conn = self._conn
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        results: list[tuple[Outcome, str]] = []
        single = len(posts) == 1
        if not single:
            conn.execute("BEGIN IMMEDIATE")
        try:
            for p in posts:
                cur = conn.execute(_INSERT, (p.reference, p.seed, p.hash, p.title, p.body, now))
                if cur.rowcount == 1:
                    results.append((Outcome.CREATED, p.hash))
                else:
                    stored = conn.execute(_HASH, (p.reference,)).fetchone()[0]
                    results.append((decide(p.hash, stored), stored))
            if not single:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

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
