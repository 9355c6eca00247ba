"""What the coordinator knows about each node of the current test, for the end of the run:
which seeds it granted to whom, who reported, and each node's open-model schedule counters.

A worker that dies without its final report (``kill -9``, a hang, a cut network) takes with it
its requests since its last periodic report and the seeds it held. The ledger lets the record say
so: the lost workers by name, and the seeds granted to them that no report lists as sent or
unused (``seeds in doubt``: each may or may not have been sent). Pure: no Locust, no gevent.
"""

from __future__ import annotations

from collections.abc import Iterable

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
        self.pacers: dict[str, tuple[int, int]] = {}
        """Node id -> its latest ``(sent, late)`` pacer counters (``loadtests.ending.
        pacer_counters``; the local runner's under ``local``)."""
        self.lost: list[str] = []
        """Nodes whose final report never came (set when the load is drained)."""

    def granted(self, node: str, ranges: Iterable[tuple[int, int]]) -> None:
        """Note a grant to ``node``."""
        ranges = list(ranges)
        if ranges:
            self.grants[node] = list(merge_ranges([*self.grants.get(node, ()), *ranges]))

    def reported(self, node: str, pacer: Iterable[int] | None = None) -> None:
        """Note a report from ``node``, with its pacer counters when it paces (open model)."""
        self.reporters.add(node)
        if pacer is not None:
            sent, late = (int(x) for x in pacer)
            old_sent, old_late = self.pacers.get(node, (0, 0))
            self.pacers[node] = (max(sent, old_sent), max(late, old_late))

    def pacer_totals(self) -> tuple[int, int]:
        """``(sent, late)`` summed over the nodes (what they reported last)."""
        return (
            sum(sent for sent, _ in self.pacers.values()),
            sum(late for _, late in self.pacers.values()),
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
