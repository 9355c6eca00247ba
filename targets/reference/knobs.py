"""Fault and release knobs: deterministic injected failures, added latency, emulated slowdown.

``FailureInjector``: the n-th import request of the process (1-based, counting ``POST
/import/posts`` and ``POST /import/batch`` after authentication) fails with 503 iff
``floor(n*F) > floor((n-1)*F)``, computed exactly on the decimal value of F. Over any first N requests exactly ``floor(N*F)`` fail, whatever
the concurrency, because the counter is advanced on the event loop's single thread.

``spin``: the slowdown knob burns CPU on the event loop (not a sleep), so that a site under load
really serves fewer requests per second, as a regressed release would.
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


def slowdown_extra(handling_s: float, fraction: float) -> float:
    """Extra seconds that make a request taking ``handling_s`` take ``handling_s / (1 - F)``."""
    if fraction <= 0 or handling_s <= 0:
        return 0.0
    return handling_s * fraction / (1.0 - fraction)


def spin(seconds: float) -> None:
    """Busy-wait on the CPU for ``seconds`` (blocks the event loop on purpose)."""
    if seconds <= 0:
        return
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
