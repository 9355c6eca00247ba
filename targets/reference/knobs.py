"""Fault and release knobs: deterministic injected failures, added latency, emulated slowdown.

``FailureInjector``: the n-th import request of the process (1-based, counting ``POST
/import/posts`` and ``POST /import/batch`` after authentication) fails with 503 iff
``floor(n*F) > floor((n-1)*F)``, computed exactly on the decimal value of F. Over any first N requests exactly ``floor(N*F)`` fail, whatever
the concurrency, because the counter is advanced on the event loop's single thread.

``Slowdown`` (``--slowdown F``): just before each response starts, the site measures the CPU
time the process used since the previous response started (this request's own handling, plus
whatever else ran in between, minus earlier spins) and burns ``t*F/(1-F)`` more CPU on the event
loop (a busy loop, not a sleep). Every CPU-second of real work thus costs ``1/(1-F)`` seconds,
so a saturated site serves ``(1-F)`` times the requests per second (``bench/bench_reference.py``
measures it), and a lone request takes about ``1/(1-F)`` as long. Measuring process CPU time
rather than each request's wall time matters: under concurrency a request's wall time includes
other requests' work (and their spins), which would make the slowdown feed on itself.
"""

from __future__ import annotations

import time
from fractions import Fraction


class FailureInjector:
    """The per-process import-request counter behind ``--fail-rate``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        # Exact arithmetic on the decimal the user typed: 0.29 is 29/100, not 0.28999...
        frac = Fraction(str(rate))
        self._num, self._den = frac.numerator, frac.denominator
        self.seen = 0
        """Import requests counted so far."""
        self.injected = 0
        """How many of them were failed on purpose."""

    def next_fails(self) -> bool:
        """Count one import request; True when this one must fail."""
        self.seen += 1
        n = self.seen
        if self._num == 0:
            return False
        fails = (n * self._num) // self._den > ((n - 1) * self._num) // self._den
        if fails:
            self.injected += 1
        return fails


class Slowdown:
    """The ``--slowdown`` knob's CPU accounting (one per process, used on the loop's thread)."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction
        self._mark = time.process_time()
        self.spun = 0.0
        """Total CPU seconds burnt on purpose."""

    def apply(self) -> None:
        """Burn ``F/(1-F)`` of the CPU time used since the last call."""
        work = time.process_time() - self._mark
        extra = slowdown_extra(work, self.fraction)
        spin(extra)
        self.spun += extra
        self._mark = time.process_time()


def slowdown_extra(handling_s: float, fraction: float) -> float:
    """Extra seconds that make a request taking ``handling_s`` take ``handling_s / (1 - F)``."""
    if fraction <= 0 or handling_s <= 0:
        return 0.0
    return handling_s * fraction / (1.0 - fraction)


def spin(seconds: float) -> None:
    """Burn ``seconds`` of this process's CPU time in a busy loop (blocks the event loop on
    purpose). Counted in CPU time, so that a busy machine does not shorten the burn."""
    if seconds <= 0:
        return
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
