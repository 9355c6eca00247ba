"""``InlineBuilder``: the import user's requests built in blocks in the Locust process. Seeds in
order, each once, the adapter's request for ``synthesize_json(seed)``; the seeds built and not
sent are returned by ``close``, a block that fails to build reports its unbuilt seeds."""

from __future__ import annotations

import pytest

from loadtests.prebuild import InlineBuilder
from loadtests.seeding import SeedAllocator, SeedQueue
from synth import parse_seed_ranges, synthesize_json
from synth.generate import reference_of
from targets import ReferenceTarget


def local_queue(seeds: str) -> SeedQueue:
    alloc = SeedAllocator(parse_seed_ranges(seeds))
    holder: list[SeedQueue] = []

    def ask(count: int) -> None:
        holder[0].feed(alloc.grant(count), exhausted=alloc.exhausted)

    holder.append(SeedQueue(ask, block=10))
    return holder[0]


def make_json_ref(seed: int, size: str | None) -> tuple[bytes, str]:
    return synthesize_json(seed, size=size), reference_of(seed)


def test_blocks_hand_out_every_seed_once_in_order_with_the_adapters_request() -> None:
    target = ReferenceTarget("r", "http://127.0.0.1:9")
    unused: list[list[tuple[int, int]]] = []
    builder = InlineBuilder(local_queue("5-30,40-44"), target, "s", make_json_ref, unused.append, 4)
    items = []
    while (item := builder.get()) is not None:
        items.append(item)
    assert [i.seed for i in items] == [*range(5, 31), *range(40, 45)]
    assert builder.finished and unused == []
    for item in items[:3] + items[-2:]:
        expected = target.import_request_json(
            synthesize_json(item.seed, size="s"), reference_of(item.seed), item.seed
        )
        assert item.reference == reference_of(item.seed)
        assert item.request == expected


def test_close_returns_the_built_and_unsent_seeds() -> None:
    target = ReferenceTarget("r", "http://127.0.0.1:9")
    builder = InlineBuilder(local_queue("0-99"), target, None, make_json_ref, print, 16)
    first = [builder.get() for _ in range(5)]
    assert [i.seed for i in first if i is not None] == [0, 1, 2, 3, 4]
    assert not builder.finished
    assert builder.close() == [(5, 15)]
    assert builder.get() is None and builder.finished


def test_a_failed_build_reports_its_unbuilt_seeds_and_keeps_the_built_ones() -> None:
    target = ReferenceTarget("r", "http://127.0.0.1:9")

    def flaky(seed: int, size: str | None) -> tuple[bytes, str]:
        if seed == 12:
            raise RuntimeError("no body for 12")
        return make_json_ref(seed, size)

    unused: list[list[tuple[int, int]]] = []
    builder = InlineBuilder(local_queue("10-99"), target, None, flaky, unused.append, 8)
    with pytest.raises(RuntimeError, match="no body for 12"):
        builder.get()
    assert unused == [[(12, 17)]]
    assert [builder.get().seed for _ in range(2)] == [10, 11]  # type: ignore[union-attr]
    assert builder.get().seed == 18  # type: ignore[union-attr]  # the next block


def test_seeds_pushed_after_the_queue_ran_out_are_built_too() -> None:
    target = ReferenceTarget("r", "http://127.0.0.1:9")
    queue = local_queue("0-5")
    builder = InlineBuilder(queue, target, "s", make_json_ref, print, 4)
    assert [i.seed for i in iter(builder.get, None)] == list(range(6))
    queue.feed([(50, 52)], exhausted=True, pushed=True)
    builder.revive()
    assert [i.seed for i in iter(builder.get, None)] == [50, 51, 52]
    assert builder.finished
