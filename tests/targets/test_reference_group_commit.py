"""Group commit (``storage.GroupCommit``), shared by the SQLite and PostgreSQL storages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from targets.reference.sqlite_store import SQLiteStorage
from targets.reference.storage import Group, GroupCommit, Outcome, Result
from targets.reference.validation import ValidPost


def _post(reference: str, hash_: str = "h1") -> ValidPost:
    return ValidPost(reference, hash_, 1, "a title", b"{}")


def test_inserts_of_one_loop_iteration_are_written_as_one_group_in_arrival_order() -> None:
    writes: list[list[str]] = []

    def write(posts: list[ValidPost]) -> list[Result]:
        writes.append([p.reference for p in posts])
        return [(Outcome.CREATED, p.hash + "-stored") for p in posts]

    async def run() -> tuple[list[Result], Result]:
        commit = GroupCommit(lambda group: group.settle(write))
        first = await asyncio.gather(*(commit.insert(_post(r)) for r in ("a", "b", "c")))
        later = await commit.insert(_post("d"))  # a later iteration: a group of its own
        return first, later

    first, later = asyncio.run(run())
    assert writes == [["a", "b", "c"], ["d"]]
    assert first == [(Outcome.CREATED, "h1-stored")] * 3
    assert later == (Outcome.CREATED, "h1-stored")


def test_a_failed_write_reaches_every_request_of_the_group() -> None:
    def write(posts: list[ValidPost]) -> list[Result]:
        raise OSError(f"disk full ({len(posts)} posts)")

    async def run() -> list[Result | BaseException]:
        commit = GroupCommit(lambda group: group.settle(write))
        return await asyncio.gather(
            *(commit.insert(_post(r)) for r in ("a", "b")), return_exceptions=True
        )

    results = asyncio.run(run())
    assert [str(r) for r in results] == ["disk full (2 posts)"] * 2


def test_a_cancelled_async_write_cancels_its_requests() -> None:
    started = asyncio.Event()
    written: list[list[str]] = []

    async def write(posts: list[ValidPost]) -> list[Result]:
        written.append([p.reference for p in posts])
        started.set()
        await asyncio.Event().wait()  # never set: only cancelling ends this write
        return []

    async def run() -> list[bool]:
        tasks: set[asyncio.Task[None]] = set()

        def start(group: Group) -> None:
            tasks.add(asyncio.ensure_future(group.settle_async(write)))

        commit = GroupCommit(start)
        waiting = [asyncio.ensure_future(commit.insert(_post(r))) for r in ("a", "b")]
        await asyncio.wait_for(started.wait(), 5)  # the group's write is under way
        assert len(tasks) == 1
        for task in tasks:
            task.cancel()
        # a request left waiting (its future never cancelled) fails here after 5 s, not hangs
        await asyncio.wait_for(asyncio.gather(*tasks, *waiting, return_exceptions=True), 5)
        return [w.cancelled() for w in waiting]

    assert asyncio.run(run()) == [True, True]
    assert written == [["a", "b"]]


@pytest.mark.parametrize("reverse", [False, True])
def test_sqlite_group_answers_repeated_references_as_if_one_after_the_other(
    tmp_path: Path, reverse: bool
) -> None:
    async def run() -> list[Result]:
        store = SQLiteStorage.open(tmp_path / "g.db")
        try:
            await store.insert([_post("kept", "h0")])
            posts = [_post("x", "h1"), _post("x", "h1"), _post("x", "h2"), _post("kept", "h0")]
            if reverse:
                posts.reverse()
            answers = await asyncio.gather(*(store.insert([p]) for p in posts))
            assert await store.count() == 2
            return [a[0] for a in answers]
        finally:
            await store.close()

    results = asyncio.run(run())
    if reverse:
        assert results == [
            (Outcome.UNCHANGED, "h0"),
            (Outcome.CREATED, "h2"),
            (Outcome.CONFLICT, "h2"),
            (Outcome.CONFLICT, "h2"),
        ]
    else:
        assert results == [
            (Outcome.CREATED, "h1"),
            (Outcome.UNCHANGED, "h1"),
            (Outcome.CONFLICT, "h1"),
            (Outcome.UNCHANGED, "h0"),
        ]
