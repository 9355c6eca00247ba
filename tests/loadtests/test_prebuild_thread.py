"""``ThreadBuilder``: the import user's requests built on a real OS thread of the Locust process
with ``synth.native.build_block``. Seeds in the queue's order, each once, the adapter's request
for ``synthesize_json(seed)``; ``close`` returns every seed taken and not sent (built, being
built or ready); a block that fails to build reports its seeds as unused and ends the source."""

from __future__ import annotations

import threading

import gevent
import pytest
from test_prebuild_inline import local_queue

from loadtests.prebuild import THREAD_BLOCK, THREAD_BLOCK_BYTES, ThreadBuilder, thread_block_for
from synth import native, synthesize_json
from synth.generate import reference_of
from synth.native import BlockBuilder
from targets import ReferenceTarget

pytestmark = pytest.mark.skipif(
    native.build_block is None, reason=f"no C block builder: {native.BLOCK_REASON}"
)
TARGET = ReferenceTarget("r", "http://127.0.0.1:9")


def _block() -> BlockBuilder:
    assert native.build_block is not None
    return native.build_block


def builder(seeds: str, size: str | None, block: int, unused: list[object]) -> ThreadBuilder:
    return ThreadBuilder(local_queue(seeds), TARGET, size, _block(), unused.append, block)


def test_every_seed_once_in_order_with_the_adapters_request_for_synthesize_json() -> None:
    unused: list[object] = []
    source = builder("5-30,40-44,100-160", "s", 8, unused)
    items = []
    while (item := source.get()) is not None:
        items.append(item)
        gevent.sleep(0)  # let the loop run the pump, as Locust's requests do
    assert [i.seed for i in items] == [*range(5, 31), *range(40, 45), *range(100, 161)]
    assert source.finished and unused == []
    for item in items:
        body = synthesize_json(item.seed, size="s")
        assert item.reference == reference_of(item.seed)
        assert item.request == TARGET.import_request_json(body, item.reference, item.seed)
    assert source.close() == []


def test_the_posts_are_built_on_another_thread() -> None:
    threads: list[int] = []

    def recording(seeds: list[int], size: str | None) -> list[tuple[bytes, str]]:
        threads.append(threading.get_ident())
        return _block()(seeds, size)

    source = ThreadBuilder(local_queue("0-49"), TARGET, None, recording, print, 10)
    assert [source.get().seed for _ in range(3)] == [0, 1, 2]  # type: ignore[union-attr]
    source.close()
    assert threads and threading.get_ident() not in threads


def test_close_returns_the_built_and_the_building_seeds_once() -> None:
    unused: list[object] = []
    source = builder("0-999", None, 16, unused)
    first = [source.get() for _ in range(5)]
    assert [i.seed for i in first if i is not None] == [0, 1, 2, 3, 4]
    gevent.sleep(0.2)
    assert len(source.ready) == 11  # above a quarter block: the pump waits
    for _ in range(8):
        source.get()
    gevent.sleep(0.2)  # 3 left ready: the pump took and built the next block, 16-31
    assert len(source.ready) == 19 and not source.finished
    assert source.close() == [(13, 31)]
    assert source.get() is None and unused == []
    gevent.sleep(0.2)  # the pump stops; nothing more is taken
    assert source.finished and source.close() == []


def test_blocks_hold_about_the_same_bytes_whatever_the_size() -> None:
    block = _block()
    sizes = {size: thread_block_for(block, size) for size in (None, "s", "l", "xl")}
    assert sizes[None] == sizes["s"] == THREAD_BLOCK  # small posts: the most per block
    assert 16 <= sizes["xl"] < sizes["l"] < THREAD_BLOCK
    for size in ("l", "xl"):
        mean = sum(len(body) for body, _ in block(list(range(16)), size)) / 16
        assert sizes[size] * mean <= THREAD_BLOCK_BYTES < (sizes[size] + 1) * mean
    assert thread_block_for(block, "xl", most=8) == 8


def test_a_failed_block_reports_its_seeds_as_unused_and_ends_the_source() -> None:
    unused: list[object] = []

    def failing(seeds: list[int], size: str | None) -> list[tuple[bytes, str]]:
        if seeds[0] >= 18:
            raise RuntimeError(f"no bodies for {seeds[0]}")
        return _block()(seeds, size)

    source = ThreadBuilder(local_queue("10-99"), TARGET, None, failing, unused.append, 8)
    seeds = []
    while (item := source.get()) is not None:
        seeds.append(item.seed)
    assert seeds == list(range(10, 18))
    assert unused == [[(18, 25)]]
    assert source.finished and source.close() == []


def test_a_small_seed_budget_makes_small_blocks() -> None:
    """A short seed-bound run: a sixteenth of the budget at most, so the builder does not take
    the seeds of the other scenarios' users."""
    block = _block()
    assert thread_block_for(block, None, budget=1200) == 75
    assert thread_block_for(block, None, budget=10**6) == THREAD_BLOCK
    assert thread_block_for(block, None, budget=40) == 2


def test_revive_after_the_seeds_ran_out_builds_the_pushed_ones() -> None:
    """The queue ran out (the pump ended, the source is finished); seeds a departed worker gave
    back are pushed into it: ``revive`` starts the pump again and they are handed out, once."""
    queue = local_queue("0-19")
    source = ThreadBuilder(queue, TARGET, None, _block(), print, 8)
    seen = []
    while (item := source.get()) is not None:
        seen.append(item.seed)
        gevent.sleep(0)
    assert seen == list(range(20)) and source.finished
    source.revive()  # nothing new in the queue: the pump ends again at once
    assert source.get() is None and source.finished
    queue.feed([(100, 104), (200, 201)], exhausted=True, pushed=True)
    source.revive()
    source.revive()  # a second revive while the pump runs starts no second pump
    again = []
    while (item := source.get()) is not None:
        again.append(item.seed)
        gevent.sleep(0)
    assert again == [100, 101, 102, 103, 104, 200, 201] and source.finished
    assert source.close() == []


def test_revive_after_close_does_nothing() -> None:
    queue = local_queue("0-9")
    source = ThreadBuilder(queue, TARGET, None, _block(), print, 4)
    source.close()
    source.revive()
    gevent.sleep(0.05)
    assert source.get() is None and source.finished
