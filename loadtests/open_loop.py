"""The open load model: a fixed arrival rate of posts/s, whatever the target's latency.

How the offered load is held: each node (the local runner, or each of N workers) owns a
``Pacer`` with the rate ``arrival_rate / N`` (the master tells every worker N when the test
starts). The pacer is a token schedule: post number k of the node is due at ``start + k / rate``.
A user reserves the next slot(s) (a batch request reserves one slot per post), sleeps until
the slot is due, then sends. Users do not wait between tasks otherwise, so arrivals follow the
schedule and not the responses.

A slot counts as sent when its request starts (the user calls ``request_started``), not when it
is reserved: a user killed while it sleeps until its slot (the end of the run, a shape's ramp
down), or woken after the load stopped, or left without a seed, sent nothing, and ``sent`` says
so. A batch request counts the slots it reserved (``--batch-size`` posts).

The schedule never skips: when every user is busy (the target is slow), slots fall due while no
user is free, and the next free user sends at once; ``late`` counts requests sent whose slot
was reserved more than ``LATE_S`` after it was due (a batch request counts once). The offered
load is therefore held as long as ``users >= rate * latency`` on each node; ``late > 0`` in the
record says it was not, and then the run measured a closed system. Choose ``-u`` with headroom
(e.g. 2 * rate * expected latency).

A ``--shape`` other than steady drives the rate (``RateSchedule``, like k6's
ramping-arrival-rate): during each cell of the run the node offers its rate times the shape's
``loadtests.shapes.rate_profile`` fraction, and slot k is due when the offered arrivals since the
start reach k. Every node needs the run time for that; Locust clears ``-t`` on workers, so the
coordinator copies it into the custom option ``anp_shape_run_time``, which Locust forwards to
them with each spawn message (``share_run_time``).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any
from weakref import WeakKeyDictionary

LATE_S = 0.1
"""A slot sent later than this after it was due counts as late."""


RUN_TIME_KEY = "anp_shape_run_time"
"""The custom option that carries the coordinator's run time (seconds) to the workers."""


class RateSchedule:
    """When each slot is due under a rate that changes over the run: ``rate * fractions[i]``
    slots/s during cell ``i`` (``cell_s`` seconds each), the last cell's rate after the end."""

    def __init__(self, rate: float, fractions: Sequence[float], cell_s: float) -> None:
        if not fractions or min(fractions) <= 0 or rate <= 0 or cell_s <= 0:
            raise ValueError("a rate schedule needs a rate, a cell length and fractions > 0")
        self.rates = [rate * f for f in fractions]
        self.cell_s = cell_s
        self.cumulative = list(accumulate((r * cell_s for r in self.rates), initial=0.0))
        """Slots offered before each cell starts (and, last, by the end)."""

    def offset(self, slot: int) -> float:
        """Seconds after the start at which ``slot`` (0, 1, ...) is due."""
        cumulative = self.cumulative
        if slot >= cumulative[-1]:
            return len(self.rates) * self.cell_s + (slot - cumulative[-1]) / self.rates[-1]
        cell = bisect_right(cumulative, slot) - 1
        return cell * self.cell_s + (slot - cumulative[cell]) / self.rates[cell]


class Pacer:
    """A token schedule at ``rate`` slots/s for one node (shaped by ``schedule`` when given).

    ``wait`` reserves slots for the calling greenlet (``current``) and sleeps until they are
    due; ``request_started``, called by the same greenlet when it starts the request, counts
    them as sent. Reserved slots whose request never starts are in ``issued`` only."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        schedule: RateSchedule | None = None,
        current: Callable[[], Any] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0 posts/s, got {rate}")
        self.rate = rate
        """Slots/s (the peak when ``schedule`` shapes it)."""
        self.schedule = schedule
        self._clock = clock
        if sleep is None or current is None:
            import gevent

            sleep = gevent.sleep if sleep is None else sleep
            current = gevent.getcurrent if current is None else current
        self._sleep = sleep
        self._current = current
        self._start: float | None = None
        self._held: WeakKeyDictionary[Any, tuple[int, bool]] = WeakKeyDictionary()
        """Greenlet -> the slots it reserved and woke up for, and whether they were late; until
        its request starts (or its next ``wait``)."""
        self.issued = 0
        """Slots handed out (reserved), sent or not."""
        self.sent = 0
        """Slots whose request started."""
        self.late = 0
        """Requests sent whose slots were reserved more than LATE_S after they were due."""
        self.stopped_at: float | None = None
        """When the load stopped on this node (``stop``): no slot falls due after it."""

    @property
    def started(self) -> bool:
        """True once the first ``wait`` started the schedule."""
        return self._start is not None

    def due(self, slot: int) -> float:
        assert self._start is not None
        if self.schedule is not None:
            return self._start + self.schedule.offset(slot)
        return self._start + slot / self.rate

    def wait(self, slots: int = 1) -> None:
        """Reserve ``slots`` consecutive slots and sleep until the first is due (by ``clock``).
        They count as sent when this greenlet calls ``request_started``; not if it is killed
        while it sleeps (the sleep raises) nor if it waits again first."""
        now = self._clock()
        if self._start is None:
            self._start = now
        slot = self.issued
        self.issued += slots
        held = self._held
        me = self._current()
        held.pop(me, None)  # an earlier reservation it never sent
        due = self.due(slot)
        late = now - due > LATE_S
        delay = due - now
        while delay > 0:
            # (gevent's timers count from the loop's cached time and may end a little early)
            self._sleep(delay)
            delay = due - self._clock()
        if slots:
            held[me] = (slots, late)

    def stop(self, now: float) -> None:
        """The load stopped on this node at ``now`` (its clock): the schedule ends there."""
        if self.stopped_at is None:
            self.stopped_at = now

    def request_started(self) -> None:
        """The calling greenlet starts the request of its reserved slots: count them as sent."""
        reserved = self._held.pop(self._current(), None)
        if reserved is not None:
            slots, late = reserved
            self.sent += slots
            if late:
                self.late += 1  # a request (a batch of slots counts once, as documented)


def run_time_of(parsed_options: Any) -> float:
    """The run's duration for the shape: ``-t``, or on a worker the coordinator's (forwarded
    as ``anp_shape_run_time``), else the shapes' default."""
    from loadtests.shapes import DEFAULT_DURATION_S

    for key in ("run_time", RUN_TIME_KEY):
        value = getattr(parsed_options, key, None)
        if value:
            return float(value)
    return DEFAULT_DURATION_S


def open_pacer(arrival_rate: float, shape: str, share: float, parsed_options: Any) -> Pacer:
    """The pacer of one node: ``share`` of ``arrival_rate``, shaped by ``shape``."""
    rate = arrival_rate * share
    if shape == "steady":
        return Pacer(rate)
    from loadtests.shapes import RATE_CELLS, rate_profile

    duration = run_time_of(parsed_options)
    schedule = RateSchedule(rate, rate_profile(shape, duration), duration / RATE_CELLS)
    return Pacer(rate, schedule=schedule)


def share_run_time(environment: Any, **_: Any) -> None:
    """``test_start`` listener: on the local runner or the master, copy ``-t`` into
    ``anp_shape_run_time``; Locust forwards custom options to every worker with each spawn
    message (and clears the workers' own ``-t``)."""
    options = environment.parsed_options
    if options is not None and not getattr(options, "worker", False):
        setattr(options, RUN_TIME_KEY, getattr(options, "run_time", None))


def install(events: Any) -> None:
    """Attach ``share_run_time`` to Locust's ``test_start`` (the locustfile calls this once)."""
    events.test_start.add_listener(share_run_time)
