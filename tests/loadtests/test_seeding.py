"""Seed allocation: no seed twice, none skipped, leftovers exact, order fixed by the options."""

from __future__ import annotations

import random

import pytest

from loadtests.recorder import subtract_ranges
from loadtests.seeding import SeedAllocator, SeedQueue, plan_pushes
from synth import merge_ranges, parse_seed_ranges


def local_queue(alloc, **kwargs):
    """A queue fed synchronously by the allocator, as on the local runner."""
    holder: list[SeedQueue] = []

    def ask(count):
        holder[0].feed(alloc.grant(count), exhausted=alloc.exhausted)

    holder.append(SeedQueue(ask, **kwargs))
    return holder[0]


def expand(ranges):
    return [s for a, b in ranges for s in range(a, b + 1)]


def test_grants_walk_the_ranges_in_order_across_gaps():
    alloc = SeedAllocator(parse_seed_ranges("1,3,10-20"))
    assert alloc.grant(2) == [(1, 1), (3, 3)]
    assert alloc.grant(4) == [(10, 13)]
    assert alloc.grant(100) == [(14, 20)]
    assert alloc.exhausted
    assert alloc.grant(5) == []


def test_budget_caps_the_grants():
    alloc = SeedAllocator(parse_seed_ranges("0-999"), budget=7)
    assert alloc.grant(5) == [(0, 4)]
    assert alloc.grant(5) == [(5, 6)]
    assert alloc.exhausted and alloc.granted == 7


def test_given_back_seeds_are_granted_again_first():
    alloc = SeedAllocator(parse_seed_ranges("0-99"))
    alloc.grant(10)
    alloc.give_back([(5, 9)])
    assert not alloc.exhausted
    assert alloc.grant(3) == [(5, 7)]
    assert alloc.grant(4) == [(8, 11)]
    assert alloc.returned() == []


def test_many_queues_share_one_allocator_without_duplicates_or_holes():
    """Three nodes with small blocks take seeds at random; every seed goes exactly once."""
    ranges = parse_seed_ranges("0-499,1000-1099,5000")
    alloc = SeedAllocator(ranges)
    queues = [local_queue(alloc, block=7, low_water=3) for _ in range(3)]
    rng = random.Random(4)
    sent: list[int] = []
    while True:
        live = [q for q in queues if not (q.exhausted and not q.available)]
        if not live:
            break
        q = rng.choice(live)
        got = q.take(rng.choice([1, 1, 3]))
        sent.extend(got)
    assert sorted(sent) == expand(ranges)
    assert len(sent) == len(set(sent))


def test_each_queue_hands_out_its_seeds_in_ascending_order():
    alloc = SeedAllocator(parse_seed_ranges("0-99"))
    queue = local_queue(alloc, block=10)
    taken = [queue.take_one() for _ in range(40)]
    assert taken == list(range(40))


def test_close_returns_exactly_the_unsent_tail():
    """sent = granted minus leftovers, and the leftovers lie above everything sent."""
    alloc = SeedAllocator(parse_seed_ranges("0-999"))
    queue = local_queue(alloc, block=50)
    sent = [queue.take_one() for _ in range(123)]
    left = queue.close()
    granted = [(0, alloc.granted - 1)]
    assert subtract_ranges(granted, left) == list(merge_ranges((s, s) for s in sent))
    assert min(a for a, _ in left) > max(sent)
    assert queue.take(1) == []


def test_take_returns_a_partial_batch_only_at_the_end():
    alloc = SeedAllocator(parse_seed_ranges("0-9"))
    queue = local_queue(alloc, block=4)
    assert queue.take(4) == [0, 1, 2, 3]
    assert queue.take(4) == [4, 5, 6, 7]
    assert queue.take(4) == [8, 9]
    assert queue.take(4) == []
    assert queue.take_one() is None


def test_reproducible_order():
    def run():
        alloc = SeedAllocator(parse_seed_ranges("7-30,100-120"), budget=30)
        return [alloc.grant(n) for n in (3, 5, 8, 20, 4)]

    assert run() == run()


@pytest.mark.parametrize("count", [0, -1])
def test_grant_refuses_a_non_positive_count(count):
    with pytest.raises(ValueError, match="count must be >= 1"):
        SeedAllocator(parse_seed_ranges("0-9")).grant(count)


@pytest.mark.parametrize("count", [51, 64, 99, 100, 250])
def test_take_more_than_the_low_water_asks_instead_of_waiting(count):
    """A batch bigger than the low-water mark (the default 50) while 51..count-1 seeds are
    left: the queue asks for more rather than waiting for a grant nobody asked for (this hung
    ``--batch-size 64`` runs). Asks are answered in line here, so a hang would block the test."""
    alloc = SeedAllocator(parse_seed_ranges("0-99999"))
    queue = local_queue(alloc)
    taken: list[int] = []
    for _ in range(40):
        got = queue.take(count)
        assert len(got) == count
        taken.extend(got)
    assert taken == list(range(40 * count))


def test_take_some_fills_in_line_grants_but_does_not_wait_for_a_round_trip():
    """A local queue (grants in line) gives the whole count; a worker's queue (grants come
    later, as the master's messages) gives what is here instead of waiting for more, and waits
    only when it holds nothing."""
    alloc = SeedAllocator(parse_seed_ranges("0-9999"))
    assert local_queue(alloc).take_some(1024) == list(range(1024))

    asked: list[int] = []
    worker = SeedQueue(asked.append, block=100)
    worker.feed([(5000, 5029)])
    got = worker.take_some(1024)
    assert got == list(range(5000, 5030))  # the 30 here; a grant was asked for, not awaited
    assert asked == [100]
    worker.feed([(6000, 6099)], exhausted=True)
    assert worker.take_some(1024) == list(range(6000, 6100))
    assert worker.take_some(1024) == []  # exhausted: nothing more comes


def test_take_some_after_close_gives_nothing():
    alloc = SeedAllocator(parse_seed_ranges("0-99"))
    queue = local_queue(alloc)
    queue.close()
    assert queue.take_some(10) == []


def test_a_pushed_grant_reopens_an_exhausted_queue() -> None:
    """Seeds a worker that left gave back, pushed to a worker that was told "exhausted": its
    queue hands them out, says whether more may come, and asks for more when not exhausted."""
    asked: list[int] = []
    worker = SeedQueue(asked.append, block=100)
    worker.feed([(0, 9)], exhausted=True)
    assert worker.take(20) == list(range(10))
    assert worker.take(1) == [] and worker.exhausted
    worker.feed([(50, 54)], exhausted=True, pushed=True)
    assert worker.available == 5 and worker.exhausted
    assert worker.take(10) == list(range(50, 55))  # exhausted: what is here, without waiting
    assert asked == []
    worker.feed([(70, 71)], exhausted=False, pushed=True)
    assert not worker.exhausted
    assert worker.take_one() == 70 and asked == [100]  # low: it asks again


def test_a_pushed_grant_leaves_a_request_on_its_way_pending() -> None:
    asked: list[int] = []
    worker = SeedQueue(asked.append, block=100)
    worker.feed([(0, 0)])
    assert worker.take_one() == 0 and asked == [100]  # a request is on its way
    worker.feed([(500, 502)], exhausted=False, pushed=True)
    assert worker.take(3) == [500, 501, 502]
    assert asked == [100]  # still pending: not asked twice
    worker.feed([(1, 100)])  # the answer to the request
    assert worker.take(2) == [1, 2]


def test_a_pushed_empty_grant_changes_nothing() -> None:
    worker = SeedQueue(lambda count: None, block=100)
    worker.feed([(0, 4)], exhausted=True)
    worker.feed([], exhausted=False, pushed=True)
    assert worker.exhausted and worker.available == 5


def test_feeding_a_closed_queue_is_refused_so_no_seed_is_lost_silently() -> None:
    worker = SeedQueue(lambda count: None, block=100)
    worker.feed([(0, 4)])
    assert worker.close() == [(0, 4)]
    with pytest.raises(RuntimeError, match="feed after close"):
        worker.feed([(5, 9)], pushed=True)


def test_given_back_seeds_are_planned_round_robin_in_blocks() -> None:
    """Seeds a departed worker gave back, for the workers told "exhausted": round robin, at most
    a block each, the last grant saying "exhausted" once none is left to hand out."""
    alloc = SeedAllocator(parse_seed_ranges("0-999"), budget=600)
    alloc.grant(600)
    alloc.give_back([(100, 349)])
    plan = plan_pushes(alloc, ["b", "c"], block=100)
    assert plan == [
        ("b", [(100, 199)], False),
        ("c", [(200, 299)], False),
        ("b", [(300, 349)], True),
    ]
    assert alloc.returned() == [] and alloc.exhausted and alloc.granted == 600


def test_nothing_is_planned_without_a_worker_or_without_given_back_seeds() -> None:
    alloc = SeedAllocator(parse_seed_ranges("0-99"))
    alloc.grant(100)
    assert plan_pushes(alloc, ["b"]) == []  # nothing given back
    alloc.give_back([(5, 9)])
    assert plan_pushes(alloc, []) == []
    assert alloc.returned() == [(5, 9)]  # kept by the allocator


def test_only_given_back_seeds_are_pushed_never_fresh_ones() -> None:
    """While fresh seeds remain, workers are not told "exhausted", so none is pushed to; and a
    plan hands out the given-back seeds only, leaving the fresh ones to the workers' requests."""
    alloc = SeedAllocator(parse_seed_ranges("0-999"))
    alloc.grant(300)
    alloc.give_back([(10, 19)])
    assert plan_pushes(alloc, ["b"], block=100) == [("b", [(10, 19)], False)]
    assert alloc.granted == 300
