"""The coordinator's per-worker ledger (grants, reports, pacer figures) and its pure helpers:
seeds in doubt of a lost worker, the open model's sent/late/due slots, the workers Locust
already knows are gone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from loadtests.open_loop import Pacer, RateSchedule
from loadtests.worker_ledger import WorkerLedger, gone, pacer_figures, slots_due


def test_seeds_in_doubt_are_the_lost_workers_grants_not_reported_sent() -> None:
    ledger = WorkerLedger()
    ledger.granted("a", [(0, 99)])
    ledger.granted("b", [(100, 199)])
    ledger.granted("a", [(200, 299)])
    ledger.granted("b", [])  # an empty grant changes nothing
    ledger.lost = ["a"]
    sent = [(0, 49), (100, 199), (200, 209)]
    assert ledger.in_doubt(sent) == [(50, 99), (210, 299)]
    assert ledger.in_doubt(sent, nodes=["b"]) == []
    assert ledger.grants == {"a": [(0, 99), (200, 299)], "b": [(100, 199)]}


def test_seeds_another_worker_gave_back_and_a_lost_one_got_are_in_doubt() -> None:
    """Worker a left mid-run and gave 50-99 back; b got them again and was lost: 50-99 are in
    doubt although they are among a's leftovers (so leftovers are not subtracted)."""
    ledger = WorkerLedger()
    ledger.granted("a", [(0, 99)])
    ledger.granted("b", [(50, 99), (100, 149)])
    ledger.lost = ["b"]
    assert ledger.in_doubt([(0, 49), (100, 119)]) == [(50, 99), (120, 149)]


def test_pacer_figures_keep_each_nodes_latest_and_sum_over_nodes() -> None:
    ledger = WorkerLedger()
    ledger.reported("w1", [100, 3, 101])
    ledger.reported("w2", [50, 0, 50])
    ledger.reported("w1", [90, 2, 91])  # an older report arriving late never lowers a figure
    ledger.reported("w1", [120, 5, 125])
    ledger.reported("w3")  # a closed-model node reports no figures
    assert ledger.pacer_totals() == (170, 5, 175)
    assert ledger.reporters == {"w1", "w2", "w3"}
    with pytest.raises(ValueError, match=r"\[sent, late, due\], got \[1, 2\]"):
        ledger.reported("w1", [1, 2])


class FakeClock:
    """A clock that only moves when someone sleeps on it (or a test sets it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class User:
    """Stands in for a user's greenlet (the pacer keys reservations by it)."""


class Users:
    """``current`` for a pacer: which user calls it (``me``)."""

    def __init__(self) -> None:
        self.me = User()

    def __call__(self) -> object:
        return self.me


def test_pacer_figures_count_the_slots_whose_request_started() -> None:
    clock, users = FakeClock(), Users()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep, current=users)
    assert pacer_figures(pacer, 1000.0) == [0, 0, 0]  # not started
    first, second = User(), User()
    users.me = first
    pacer.wait()  # slot 0, due at once
    users.me = second
    pacer.wait()  # slot 1: sleeps to 1000.1
    assert clock.now == pytest.approx(1000.1)
    assert pacer_figures(pacer, clock.now) == [0, 0, 2]  # reserved, not sent
    pacer.request_started()  # the second user sends
    users.me = first
    pacer.request_started()
    pacer.request_started()  # counted once
    assert pacer_figures(pacer, clock.now) == [2, 0, 2]
    assert pacer.issued == 2
    assert pacer_figures(pacer, 999.0) == [2, 0, 0]  # (due by a moment before the start)
    assert pacer_figures(pacer, 1000.25) == [2, 0, 3]


def test_a_slot_reserved_late_is_late_only_when_sent() -> None:
    clock, users = FakeClock(), Users()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep, current=users)
    pacer.wait()
    pacer.request_started()
    clock.now = 1002.0
    pacer.wait()  # slot 1 was due at 1000.1: 1.9 s late; this user sends nothing
    pacer.wait(3)  # it waits again: slots 2..4, late too, and sends them (a batch: one late)
    pacer.request_started()
    assert pacer_figures(pacer, clock.now) == [4, 1, 21]
    assert pacer.issued == 5


def test_the_schedule_ends_when_the_load_stops() -> None:
    clock, users = FakeClock(), Users()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep, current=users)
    pacer.wait()
    pacer.request_started()
    pacer.stop(1000.45)
    pacer.stop(1001.0)  # the first stop holds
    assert pacer_figures(pacer, 1000.2) == [1, 0, 3]
    # a report sent later (a worker's last stats) adds no slots nobody was to send
    assert pacer_figures(pacer, 1005.0) == [1, 0, 5]


@pytest.mark.parametrize("now", [1000.0, 1000.05, 1001.0, 1003.7, 1009.99, 1010.0, 1031.0])
def test_slots_due_under_a_shape_is_the_count_of_slots_due_by_then(now: float) -> None:
    clock = FakeClock()
    schedule = RateSchedule(10.0, [0.2, 0.5, 1.0, 0.3], cell_s=2.5)
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep, schedule=schedule)
    pacer.wait()
    expected = sum(1 for k in range(10_000) if pacer.due(k) <= now)
    assert slots_due(pacer, now) == expected


def test_gone_workers_are_missing_or_unlisted() -> None:
    clients = {
        "alive": SimpleNamespace(state="running"),
        "missing": SimpleNamespace(state="missing"),
    }
    assert gone({"alive", "missing", "removed"}, clients, "missing") == {"missing", "removed"}
    assert gone(set(), clients, "missing") == set()
