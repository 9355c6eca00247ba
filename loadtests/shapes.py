"""Load shapes: steady, ramp, step and spike (the logic; ``loadtests.shape_classes`` makes them
Locust ``LoadTestShape`` classes, so this module stays importable without Locust's patching).

Each shape is a pure function ``users_at(t, peak, duration)`` (users wanted ``t`` seconds into
the run, or None once the run is over) wrapped in a ``ShapeLogic`` class. The peak is ``-u``, the
spawn rate ``-r`` and the duration ``-t``; a shape without ``-t`` lasts ``DEFAULT_DURATION_S``,
so every shaped run stops by itself.

The locustfile exposes at most one shape class (Locust uses the first it finds), chosen with
``--shape``: ``steady`` uses Locust's own plain mode (``-u``/``-r``/``-t``), so the web UI keeps
its usual start form; the others expose ``SHAPE_CLASSES[name]``.

In the open model (``--load-model open``) a shape drives the arrival rate instead of the users,
like k6's ramping-arrival-rate: ``rate_profile`` gives the shape's users over time as a fraction
of its peak, and ``loadtests.open_loop`` offers ``--arrival-rate`` times that fraction; the shape
class then holds all ``-u`` users (the pool that sends the arrivals) until the run is over.
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


RATE_CELLS = 1000
"""``rate_profile`` cuts the run into this many cells of constant rate."""


def rate_profile(name: str, duration: float) -> tuple[float, ...]:
    """The open model's arrival rate over ``duration`` seconds, as fractions of
    ``--arrival-rate``: one per cell of ``duration / RATE_CELLS`` seconds, the shape's users at
    the cell's middle for a peak of ``RATE_CELLS``, divided by that peak. So step gives 0.25,
    0.5, 0.75, 1; spike 0.2, 1 in the middle fifth, 0.2; ramp 0.001 rising to 1; steady 1."""
    users_at = SHAPES[name].users_at
    cell = duration / RATE_CELLS
    fractions = []
    for i in range(RATE_CELLS):
        users = users_at((i + 0.5) * cell, RATE_CELLS, duration)
        fractions.append((users or RATE_CELLS) / RATE_CELLS)  # never None inside the run
    return tuple(fractions)


class ShapeLogic:
    """``tick()`` for a shape; mixed into a ``LoadTestShape`` (which provides ``runner`` and
    ``get_run_time``)."""

    runner: Any = None
    get_run_time: Any
    """Provided by ``LoadTestShape``: seconds since the shape started."""

    @staticmethod
    def users_at(t: float, peak: int, duration: float) -> int | None:
        raise NotImplementedError

    def _options(self) -> Any:
        return self.runner.environment.parsed_options if self.runner else None

    def _settings(self) -> tuple[int, float, float]:
        options = self._options()
        peak = int(getattr(options, "num_users", None) or 1)
        rate = float(getattr(options, "spawn_rate", None) or 1)
        duration = float(getattr(options, "run_time", None) or DEFAULT_DURATION_S)
        return peak, rate, duration

    def tick(self) -> tuple[int, float] | None:
        peak, rate, duration = self._settings()
        users = self.users_at(self.get_run_time(), peak, duration)
        if users is None:
            return None
        if getattr(self._options(), "load_model", None) == "open":
            return peak, rate  # the shape drives the arrival rate (rate_profile), not the users
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
