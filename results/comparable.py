"""Refuse to compare runs whose load settings differ: their numbers measure different things."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from results.errors import NotComparableError
from results.record import LoadSettings, RunRecord

COMPARED_SETTINGS: tuple[str, ...] = (
    "users",
    "arrival_rate",
    "scenarios",
    "size",
    "load_model",
    "shape",
    "batch_size",
    "processes",
    "run_time_s",
    "seeds",
)
"""``LoadSettings`` fields that must be equal in every run of a comparison or a history.

``seeds`` is compared by the **number** of seeds offered (the bound on how many posts a run can
import), not by the ranges themselves: k runs made with identical settings against fresh sites
(``scripts/ci-loadtest``) stay comparable, and so do runs given disjoint ranges of the same size
against one long-lived site."""


def seed_count(seeds: str) -> int | None:
    """How many seeds ``seeds`` (e.g. ``0-999999`` or ``1,3,10-20``) offers, or None when the
    text cannot be parsed (then the text itself is compared)."""
    from synth.seeds import count_seeds, parse_seed_ranges

    try:
        return count_seeds(parse_seed_ranges(seeds))
    except ValueError:
        return None


def _value(load: LoadSettings, name: str) -> object:
    value = getattr(load, name)
    if name == "seeds":
        count = seed_count(value)
        return value if count is None else count
    return value


def _shown(load: LoadSettings, name: str) -> str:
    value = _value(load, name)
    if name == "seeds" and isinstance(value, int):
        return f"{value} ({load.seeds!r})"
    return repr(value)


def check_comparable(
    baseline: Sequence[RunRecord],
    candidate: Sequence[RunRecord] = (),
    *,
    purpose: Literal["compare", "history"] = "compare",
) -> None:
    """Raise :class:`NotComparableError` (exit 3) naming the first differing setting, the two
    runs and both values, when any run's load settings differ from the first run's.

    ``purpose="history"`` words the message for ``anp history``, whose runs have no baseline or
    candidate side (pass them all as ``baseline``)."""
    runs = [("baseline", r) for r in baseline] + [("candidate", r) for r in candidate]
    if not runs:
        return
    first_side, first = runs[0]
    for side, record in runs[1:]:
        for name in COMPARED_SETTINGS:
            if _value(record.load, name) == _value(first.load, name):
                continue
            label = "'seeds' (the number of seeds offered)" if name == "seeds" else f"'{name}'"
            if purpose == "history":
                raise NotComparableError(
                    f"cannot put runs with different load settings in one history: {label} is "
                    f"{_shown(first.load, name)} in run '{first.run_id}' but "
                    f"{_shown(record.load, name)} in run '{record.run_id}'; give anp history "
                    "only runs made with the same load settings"
                )
            raise NotComparableError(
                f"cannot compare runs with different load settings: {label} is "
                f"{_shown(first.load, name)} in {first_side} run '{first.run_id}' but "
                f"{_shown(record.load, name)} in {side} run '{record.run_id}'; "
                "re-run with the same load settings"
            )
