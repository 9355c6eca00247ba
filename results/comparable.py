"""Refuse to compare runs whose load settings differ: their numbers measure different things."""

from __future__ import annotations

from collections.abc import Sequence

from results.errors import NotComparableError
from results.record import RunRecord

COMPARED_SETTINGS: tuple[str, ...] = (
    "users",
    "arrival_rate",
    "scenarios",
    "size",
    "load_model",
    "shape",
    "batch_size",
)
"""``LoadSettings`` fields that must be equal in every run of a comparison or a history."""


def check_comparable(baseline: Sequence[RunRecord], candidate: Sequence[RunRecord] = ()) -> None:
    """Raise :class:`NotComparableError` (exit 3) naming the first differing setting, the two
    runs and both values, when any run's load settings differ from the first baseline run's."""
    runs = [("baseline", r) for r in baseline] + [("candidate", r) for r in candidate]
    if not runs:
        return
    first_side, first = runs[0]
    reference = first.load.model_dump()
    for side, record in runs[1:]:
        settings = record.load.model_dump()
        for name in COMPARED_SETTINGS:
            if settings[name] != reference[name]:
                raise NotComparableError(
                    f"cannot compare runs with different load settings: '{name}' is "
                    f"{reference[name]!r} in {first_side} run '{first.run_id}' but "
                    f"{settings[name]!r} in {side} run '{record.run_id}'; "
                    "re-run with the same load settings"
                )
