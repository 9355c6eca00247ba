"""The open load model: a fixed arrival rate of posts/s, whatever the target's latency.

How the offered load is held: each node (the local runner, or each of N workers) owns a
``Pacer`` with the rate ``arrival_rate / N`` (the master tells every worker N when the test
starts). The pacer is a token schedule: post number k of the node is due at ``start + k / rate``.
A user reserves the next slot(s) (a batch request reserves one slot per post), sleeps until
the slot is due, then sends. Users do not wait between tasks otherwise, so arrivals follow the
schedule and not the responses.

The schedule never skips: when every user is busy (the target is slow), slots fall due while no
user is free, and the next free user sends at once; ``late`` counts slots sent more than
``LATE_S`` after they were due. The offered load is therefore held as long as
``users >= rate * latency`` on each node; ``late > 0`` in the record says it was not, and then
the run measured a closed system. Choose ``-u`` with headroom (e.g. 2 * rate * expected latency).
"""

from __future__ import annotations

import time
from collections.abc import Callable

LATE_S = 0.1
"""A slot sent later than this after it was due counts as late."""


class Pacer:
    """A token schedule at ``rate`` slots/s for one node."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0 posts/s, got {rate}")
        self.rate = rate
        self._clock = clock
        if sleep is None:
            import gevent

            sleep = gevent.sleep
        self._sleep = sleep
        self._start: float | None = None
        self.issued = 0
        """Slots handed out."""
        self.late = 0
        """Slots handed out more than LATE_S after they were due."""

    def due(self, slot: int) -> float:
        assert self._start is not None
        return self._start + slot / self.rate

    def wait(self, slots: int = 1) -> None:
        """Reserve ``slots`` consecutive slots and sleep until the first is due."""
        now = self._clock()
        if self._start is None:
            self._start = now
        slot = self.issued
        self.issued += slots
        due = self.due(slot)
        delay = due - now
        if delay > 0:
            self._sleep(delay)
        elif -delay > LATE_S:
            self.late += 1
