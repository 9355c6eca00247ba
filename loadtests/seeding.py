"""Seed allocation: every seed of ``--seeds`` is sent at most once, in order, by all users of all
workers together.

Mechanism (chosen over a fixed partition by worker index because the number of workers, and how
fast each one goes, is not known in advance; a partition would leave a slow worker's share unsent
while others sit idle, so "none skipped" would fail):

* one ``SeedAllocator`` lives in the local runner or in the master. It walks the seed ranges in
  ascending order and hands out *blocks* of consecutive seeds (as inclusive ranges);
* each worker keeps a ``SeedQueue``. Its users ``take()`` seeds from the front, in order. When the
  queue runs low it asks for the next block (a Locust custom message ``anp_seed_request``; the
  master answers ``anp_seed_grant`` to that worker only). The local runner calls the allocator
  in-process, through the same ``SeedQueue``;
* when the load stops, every worker reports the unused tail of its queue (``leftovers``); the
  master ``give_back``s it. Seeds given back while the run continues (a worker that leaves) are
  granted again before any fresh seed: to the next worker that asks, or, when every worker
  still running was told no more seeds would come (``exhausted``), *pushed* to those workers
  as grants nobody asked for (``SeedQueue.feed(pushed=True)`` reopens their queues).

What is guaranteed (and tested in ``tests/loadtests/test_seeding.py`` and
``test_distributed.py``):

1. no seed is handed out twice, so no seed is sent twice by ``import``/``batch``;
2. ``granted`` is always a prefix of the ordered seeds (capped by ``--max-seeds``);
3. sent = granted minus the leftovers reported at the end. The leftovers are the unused tails of
   the blocks the workers held when the load stopped: at most ``workers * (block + low_water)``
   seeds per worker's queue, plus what its import builder had taken ahead
   (``loadtests.prebuild``: at most a block and a quarter of ``THREAD_BLOCK``, and a sixteenth
   of the seed budget per block), all above every seed sent by the same worker. When the run
   ends because the seeds ran out, sent = every seed of the budget, exactly;
4. the order of grants is fixed by the run's parameters (``--seeds``, ``--max-seeds``), so the set
   sent is the first N seeds of that order minus the reported leftovers.

This module is pure apart from a ``gevent.event.Event`` users wait on while a grant is on its way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from gevent.event import Event

from synth import SeedRanges, merge_ranges

Ranges = list[tuple[int, int]]

DEFAULT_BLOCK = 100
"""Seeds per grant. Big enough that a worker at 10,000 posts/s asks 100 times a second."""


class SeedAllocator:
    """Hands out consecutive blocks of the seed ranges (local runner or master only)."""

    def __init__(self, ranges: SeedRanges, budget: int | None = None) -> None:
        total = sum(last - first + 1 for first, last in ranges)
        self._ranges = tuple(ranges)
        self.budget = total if budget is None else min(total, budget)
        """Seeds that may be handed out in total (``--max-seeds``)."""
        self.granted = 0
        """Fresh seeds handed out so far (a prefix of the ordered seeds)."""
        self._range_index = 0
        self._next_seed = ranges[0][0] if ranges else 0
        self._returned: deque[tuple[int, int]] = deque()

    @property
    def exhausted(self) -> bool:
        """No seed is left to hand out (fresh or given back)."""
        return self.granted >= self.budget and not self._returned

    def grant(self, count: int) -> Ranges:
        """Up to ``count`` seeds, as ascending inclusive ranges; ``[]`` when exhausted."""
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        out: Ranges = []
        while count and self._returned:
            first, last = self._returned.popleft()
            size = last - first + 1
            if size > count:
                self._returned.appendleft((first + count, last))
                last = first + count - 1
                size = count
            out.append((first, last))
            count -= size
        count = min(count, self.budget - self.granted)
        while count > 0:
            first, last = self._ranges[self._range_index]
            start = self._next_seed
            end = min(last, start + count - 1)
            out.append((start, end))
            taken = end - start + 1
            count -= taken
            self.granted += taken
            if end == last:
                self._range_index += 1
                if self._range_index < len(self._ranges):
                    self._next_seed = self._ranges[self._range_index][0]
            else:
                self._next_seed = end + 1
        return list(merge_ranges(out))

    def give_back(self, ranges: Ranges) -> None:
        """Seeds a worker received but never sent; they are granted again first."""
        self._returned.extend(merge_ranges(ranges))

    def returned(self) -> Ranges:
        """Seeds given back and not granted again (never sent)."""
        return list(merge_ranges(self._returned))


def plan_pushes(
    allocator: SeedAllocator, workers: list[str], block: int = DEFAULT_BLOCK
) -> list[tuple[str, Ranges, bool]]:
    """The seeds given back to ``allocator`` (and no fresh one), handed round robin to
    ``workers`` in grants of up to ``block`` seeds: ``[(worker, ranges, exhausted after this
    grant)]``. With no worker, nothing (the allocator keeps them)."""
    out: list[tuple[str, Ranges, bool]] = []
    while workers and allocator.returned():
        for worker in workers:
            held = sum(last - first + 1 for first, last in allocator.returned())
            if not held:
                break
            # only given-back seeds: fresh ones go to the workers that ask
            out.append((worker, allocator.grant(min(block, held)), allocator.exhausted))
    return out


class SeedQueue:
    """A worker's (or the local runner's) seeds, taken by its users in order.

    ``ask(count)`` requests a grant; the answer arrives through ``feed`` (synchronously for the
    local runner, from a message handler on a worker). ``take`` blocks the calling greenlet while
    a grant is on its way.
    """

    def __init__(
        self,
        ask: Callable[[int], None],
        *,
        block: int = DEFAULT_BLOCK,
        low_water: int | None = None,
    ) -> None:
        self._ask = ask
        self.block = block
        self.low_water = block // 2 if low_water is None else low_water
        self._ranges: deque[list[int]] = deque()
        self._available = 0
        self._pending = False
        self.exhausted = False
        """The allocator said no more seeds will come."""
        self._fed = Event()
        self.closed = False
        """No more seeds are handed to users (the load is stopping)."""

    @property
    def available(self) -> int:
        return self._available

    def feed(self, ranges: Ranges, *, exhausted: bool = False, pushed: bool = False) -> None:
        """Append a grant (ascending ranges). A ``pushed`` grant is one nobody asked for: seeds
        a worker that left gave back, sent by the master to a worker it had told "exhausted".
        It reopens an exhausted queue (its ``exhausted`` says whether more may come) and
        leaves a request on its way pending."""
        if self.closed:
            raise RuntimeError("feed after close: the seeds would be lost")
        for first, last in ranges:
            self._ranges.append([first, last])
            self._available += last - first + 1
        if pushed:
            if ranges:
                self.exhausted = exhausted
        else:
            self._pending = False
            if exhausted or not ranges:
                self.exhausted = True
        self._fed.set()

    def _maybe_ask(self, need: int = 0) -> None:
        """Ask for a block when the queue runs low, or holds fewer than the ``need`` seeds a
        caller waits for (a batch bigger than ``low_water``; without this it would wait for
        a grant nobody asked for)."""
        if (
            not self._pending
            and not self.exhausted
            and (self._available <= self.low_water or self._available < need)
        ):
            self._pending = True
            self._ask(self.block)

    def take(self, count: int = 1) -> list[int]:
        """Up to ``count`` seeds in order; fewer only when the seeds ran out; ``[]`` when none is
        left or the queue is closed."""
        return self._take(count, wait_for_all=True)

    def take_some(self, count: int) -> list[int]:
        """Up to ``count`` seeds in order, waiting only while none is here: grants that come in
        line (the local runner's) are asked for until ``count`` are here, but a worker does not
        wait for the master's round trips to fill a big block (a builder taking ahead must not
        hoard seeds the other users could send); ``[]`` when none is left or the queue is
        closed."""
        return self._take(count, wait_for_all=False)

    def _take(self, count: int, *, wait_for_all: bool) -> list[int]:
        while True:
            if self.closed:
                return []
            self._maybe_ask(count)
            if self._available >= count or (self.exhausted and self._available):
                break
            if self.exhausted:
                return []
            if not self._pending:
                continue  # the grant came in line and was not enough: ask again
            if self._available and not wait_for_all:
                break  # a grant is on its way: take what is here
            self._fed.clear()
            self._fed.wait()
        return self._pop(count)

    def _pop(self, count: int) -> list[int]:
        """Up to ``count`` of the seeds here, in order (asking for more when it runs low)."""
        out: list[int] = []
        ranges = self._ranges
        while count and ranges:
            head = ranges[0]
            first, last = head
            end = min(last, first + count - 1)
            out.extend(range(first, end + 1))
            count -= end - first + 1
            if end == last:
                ranges.popleft()
            else:
                head[0] = end + 1
        self._available -= len(out)
        self._maybe_ask()
        return out

    def take_one(self) -> int | None:
        """The next seed, or None when none is left (the fast path of ``take(1)``)."""
        ranges = self._ranges
        if ranges and self._available > self.low_water and not self.closed:
            head = ranges[0]
            seed = head[0]
            if seed == head[1]:
                ranges.popleft()
            else:
                head[0] = seed + 1
            self._available -= 1
            return seed
        got = self.take(1)
        return got[0] if got else None

    def close(self) -> Ranges:
        """Stop handing out seeds; return the unused ones (the leftovers) and forget them."""
        self.closed = True
        left = [(first, last) for first, last in self._ranges]
        self._ranges.clear()
        self._available = 0
        self._fed.set()
        return left

    def reopen(self) -> None:
        """Forget everything (a new test starts in the web UI)."""
        self.close()
        self.closed = False
        self.exhausted = False
        self._pending = False
