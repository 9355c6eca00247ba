"""``ThreadBuilder``: the import user's requests built on a real OS thread of the Locust process
with ``synth.native.build_block``. Seeds in the queue's order, each once, the adapter's request
for ``synthesize_json(seed)``; ``close`` returns the seeds built or being built and not sent and
stops the thread; a block that fails reports its seeds as unused."""

from __future__ import annotations

import gevent
import pytest
from test_prebuild_inline import local_queue

from loadtests.prebuild import ThreadBuilder
from synth import native, synthesize_json
from synth.generate import reference_of
from targets import ReferenceTarget

pytestmark = pytest.mark.skipif(
    native.build_block is None, reason=f"no C block builder: {native.BLOCK_REASON}"
)
TARGET = ReferenceTarget("r", "http://127.0.0.1:9")


def builder(seeds: str, size: str | None, thread_block: int, unused: list[object]) -> ThreadBuilder:
    assert native.build_block is not None
    return ThreadBuilder(
        local_queue(seeds), TARGET, size, unused.append, native.build_block, thread_block
    )


def test_every_seed_once_in_order_with_the_adapters_request_for_synthesize_json() -> None:
    unused: list[object] = []
    source = builder("5-30,40-44,100-160", "s", 8, unused)
    items = []
    while (item := source.get()) is not None:
        items.append(item)
        gevent.sleep(0)  # let the loop deliver the thread's blocks, as Locust's requests do
    assert [i.seed for i in items] == [*range(5, 31), *range(40, 45), *range(100, 161)]
    assert source.finished and unused == []
    for item in items:
        body = synthesize_json(item.seed, size="s")
        assert item.reference == reference_of(item.seed)
        assert item.request == TARGET.import_request_json(body, item.reference, item.seed)
    assert source.close() == []


def test_close_returns_built_and_pending_seeds_and_stops_the_thread() -> None:
    unused: list[object] = []
    source = builder("0-999", None, 16, unused)
    first = [source.get() for _ in range(5)]
    assert [i.seed for i in first if i is not None] == [0, 1, 2, 3, 4]
    assert len(source.pending) == 1  # the next block was handed to the thread
    assert source.pool.size == 1
    assert not source.finished
    # 5-15 built and unsent, 16-31 handed to the thread: all come back, nothing twice
    assert source.close() == [(5, 31)]
    assert source.pool.size == 0
    assert source.get() is None and source.finished and unused == []


def test_a_failed_block_reports_its_seeds_as_unused() -> None:
    unused: list[object] = []

    def failing(seeds: list[int], size: str | None) -> list[tuple[bytes, str]]:
        raise RuntimeError(f"no bodies for {seeds[0]}")

    source = ThreadBuilder(local_queue("10-99"), TARGET, None, unused.append, failing, 8)
    with pytest.raises(RuntimeError, match="no bodies for 10"):
        source.get()
    assert unused == [[(10, 17)]]
    with pytest.raises(RuntimeError, match="no bodies for 18"):
        source.get()
    assert source.close() == []
