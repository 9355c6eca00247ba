"""What the coordinator knows about each node of the current test, for the end of the run:
which seeds it granted to whom, who reported, and each node's open-model schedule counters;
and the pure helpers the end of the load uses (``pacer_figures``, ``gone``).

A worker that dies without its final report (``kill -9``, a hang, a cut network) takes with it
its requests since its last periodic report and the seeds it held. The ledger lets the record say
so: the lost workers by name, and the seeds granted to them that no report lists as sent or
unused (``seeds in doubt``: each may or may not have been sent). Pure: no Locust, no gevent, so it is tested in-process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from loadtests.open_loop import Pacer
from loadtests.recorder import subtract_ranges
from synth import merge_ranges

Ranges = list[tuple[int, int]]


class WorkerLedger:
    """Per-node bookkeeping of the coordinator (see the module docstring)."""

    def __init__(self) -> None:
        self.grants: dict[str, Ranges] = {}
        """Node id -> every seed range granted to it (merged)."""
        self.reporters: set[str] = set()
        """Nodes that sent at least one report during the test."""
        self.pacers: dict[str, tuple[int, int, int]] = {}
        """Node id -> its latest ``(sent, late, due)`` (``pacer_figures``; the local runner's
        under ``local``)."""
        self.lost: list[str] = []
        """Nodes whose final report never came (set when the load is drained)."""

    def granted(self, node: str, ranges: Iterable[tuple[int, int]]) -> None:
        """Note a grant to ``node``."""
        ranges = list(ranges)
        if ranges:
            self.grants[node] = list(merge_ranges([*self.grants.get(node, ()), *ranges]))

    def reported(self, node: str, pacer: Iterable[int] | None = None) -> None:
        """Note a report from ``node``, with its ``pacer_figures`` when it paces (open model)."""
        self.reporters.add(node)
        if pacer is not None:
            latest = tuple(int(x) for x in pacer)
            if len(latest) != 3:
                raise ValueError(f"pacer figures are [sent, late, due], got {list(pacer)!r}")
            old = self.pacers.get(node, (0, 0, 0))
            # figures only grow: an older report arriving late never lowers them
            self.pacers[node] = (
                max(latest[0], old[0]),
                max(latest[1], old[1]),
                max(latest[2], old[2]),
            )

    def pacer_totals(self) -> tuple[int, int, int]:
        """``(sent, late, due)`` summed over the nodes (what each reported last)."""
        return (
            sum(f[0] for f in self.pacers.values()),
            sum(f[1] for f in self.pacers.values()),
            sum(f[2] for f in self.pacers.values()),
        )

    def in_doubt(
        self, sent: Iterable[tuple[int, int]], nodes: Iterable[str] | None = None
    ) -> Ranges:
        """Seeds granted to ``nodes`` (default: the lost ones) that no report lists as ``sent``
        (by any node). A lost worker never gave seeds back, so no other node was granted its
        seeds; and it reported no unused ones. (Seeds *other* workers gave back mid-run and this
        one was granted again are among its grants, so leftovers must not be subtracted.)"""
        chosen = self.lost if nodes is None else list(nodes)
        granted = [r for node in chosen for r in self.grants.get(node, ())]
        return subtract_ranges(merge_ranges(granted), merge_ranges(list(sent)))


def slots_due(pacer: Pacer, now: float) -> int:
    """How many slots of ``pacer``'s schedule were due by ``now`` (its clock); 0 before its
    first slot. The schedule may be shaped (``RateSchedule``), so this searches ``due``."""
    if not pacer.started:
        return 0
    if pacer.due(0) > now:
        return 0
    low, high = 1, 2  # due(low - 1) <= now; find the first slot due after now
    while pacer.due(high) <= now:
        low, high = high + 1, high * 2
    while low < high:
        middle = (low + high) // 2
        if pacer.due(middle) <= now:
            low = middle + 1
        else:
            high = middle
    return low


def pacer_figures(pacer: Pacer, now: float) -> list[int]:
    """``[sent, late, due]`` of one node's schedule at ``now``.

    ``sent`` and ``late`` count the slots whose request started (``Pacer.request_started``):
    not those reserved by a user still sleeping until they are due, killed while it slept, or
    woken after the load stopped. ``due``: the slots of the schedule due by ``now``, or by the
    moment the load stopped (``Pacer.stop``) when that was earlier: a report sent later (the
    worker's last stats) must not add slots nobody was to send."""
    if pacer.stopped_at is not None:
        now = min(now, pacer.stopped_at)
    return [pacer.sent, pacer.late, slots_due(pacer, now)]


def gone(nodes: Iterable[str], clients: Mapping[str, Any], missing_state: str) -> set[str]:
    """Those of ``nodes`` that Locust's ``clients`` (id -> worker node with a ``state``) no
    longer lists or lists in ``missing_state`` (no heartbeat)."""
    out = set()
    for node in nodes:
        client = clients.get(node)
        if client is None or client.state == missing_state:
            out.add(node)
    return out
