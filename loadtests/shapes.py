"""Load shapes: steady, ramp, step and spike (the logic; ``loadtests.shape_classes`` makes them
Locust ``LoadTestShape`` classes, so this module stays importable without Locust's patching).

Each shape is a pure function ``users_at(t, peak, duration)`` (users wanted ``t`` seconds into
the run, or None once the run is over) wrapped in a ``ShapeLogic`` class. The peak is ``-u``, the
spawn rate ``-r`` and the duration ``-t``; a shape without ``-t`` lasts ``DEFAULT_DURATION_S``,
so every shaped run stops by itself.

The locustfile exposes at most one shape class (Locust uses the first it finds), chosen with
``--shape``: ``steady`` uses Locust's own plain mode (``-u``/``-r``/``-t``), so the web UI keeps
its usual start form; the others expose ``SHAPE_CLASSES[name]``.
"""

from __future__ import annotations

import math
from typing import Any

DEFAULT_DURATION_S = 60.0


def steady_users(t: float, peak: int, duration: float) -> int | None:
    """``peak`` users for the whole run."""
    return None if t >= duration else peak


def ramp_users(t: float, peak: int, duration: float) -> int | None:
    """From 1 user up to ``peak`` in a straight line over the whole run."""
    if t >= duration:
        return None
    return max(1, min(peak, 1 + math.floor((peak - 1) * t / duration + 1e-9)))


def step_users(t: float, peak: int, duration: float, steps: int = 4) -> int | None:
    """``steps`` equal plateaus: peak/4, peak/2, 3*peak/4, peak (rounded up, at least 1)."""
    if t >= duration:
        return None
    index = min(steps - 1, math.floor(t * steps / duration))
    return max(1, math.ceil(peak * (index + 1) / steps))


def spike_users(t: float, peak: int, duration: float) -> int | None:
    """A fifth of ``peak`` for the first 40%, ``peak`` for the next 20%, then a fifth again."""
    if t >= duration:
        return None
    base = max(1, math.ceil(peak / 5))
    return peak if 0.4 * duration <= t < 0.6 * duration else base


class ShapeLogic:
    """``tick()`` for a shape; mixed into a ``LoadTestShape`` (which provides ``runner`` and
    ``get_run_time``)."""

    runner: Any = None
    get_run_time: Any
    """Provided by ``LoadTestShape``: seconds since the shape started."""

    @staticmethod
    def users_at(t: float, peak: int, duration: float) -> int | None:
        raise NotImplementedError

    def _settings(self) -> tuple[int, float, float]:
        options: Any = self.runner.environment.parsed_options if self.runner else None
        peak = int(getattr(options, "num_users", None) or 1)
        rate = float(getattr(options, "spawn_rate", None) or 1)
        duration = float(getattr(options, "run_time", None) or DEFAULT_DURATION_S)
        return peak, rate, duration

    def tick(self) -> tuple[int, float] | None:
        peak, rate, duration = self._settings()
        users = self.users_at(self.get_run_time(), peak, duration)
        if users is None:
            return None
        # Spike: jump at once (the spawn rate only limits the way down and other shapes).
        return users, max(rate, float(peak)) if isinstance(self, SpikeShape) else rate


class SteadyShape(ShapeLogic):
    """``-u`` users for ``-t``."""

    users_at = staticmethod(steady_users)


class RampShape(ShapeLogic):
    """A linear ramp from 1 to ``-u`` users over ``-t``."""

    users_at = staticmethod(ramp_users)


class StepShape(ShapeLogic):
    """Four plateaus up to ``-u`` users over ``-t``."""

    users_at = staticmethod(step_users)


class SpikeShape(ShapeLogic):
    """A fifth of ``-u``, a spike to ``-u`` in the middle fifth of ``-t``, then back."""

    users_at = staticmethod(spike_users)


SHAPES: dict[str, type[ShapeLogic]] = {
    "steady": SteadyShape,
    "ramp": RampShape,
    "step": StepShape,
    "spike": SpikeShape,
}
