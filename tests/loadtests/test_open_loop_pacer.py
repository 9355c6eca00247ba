"""The open model's pacer counts a slot as sent when its request starts: not when a user
reserves it, so a user killed while it sleeps until its slot, or one that reserved a slot and
then sent nothing, is not counted. Real greenlets on gevent's loop (no monkey-patching)."""

from __future__ import annotations

import time

import gevent
import pytest

from loadtests.open_loop import Pacer
from loadtests.worker_ledger import pacer_figures


def test_users_killed_while_they_wait_for_their_slot_sent_nothing() -> None:
    pacer = Pacer(200.0)  # a slot every 5 ms, the real clock and gevent.sleep
    started: list[int] = []

    def user(name: int) -> None:
        while True:
            pacer.wait()
            pacer.request_started()
            started.append(name)
            gevent.sleep(0.002)  # the request

    users = [gevent.spawn(user, n) for n in range(8)]
    gevent.sleep(0.3)
    gevent.killall(users)  # most are asleep until their next slot
    now = time.monotonic()
    sent, late, due = pacer_figures(pacer, now)
    assert sent == len(started)
    assert pacer.issued > sent  # the killed users' reservations are not counted
    assert sent <= due  # nothing was sent before it was due
    assert late == 0


def test_a_user_that_reserved_and_sent_nothing_is_not_counted() -> None:
    pacer = Pacer(1000.0)
    draining = [False]
    sent: list[int] = []

    def user() -> None:
        pacer.wait(5)  # a batch of 5 slots
        if draining[0]:
            return  # woken after the load stopped: sends nothing
        pacer.request_started()
        sent.append(5)

    gevent.joinall([gevent.spawn(user) for _ in range(4)])
    draining[0] = True
    gevent.joinall([gevent.spawn(user) for _ in range(3)])
    assert pacer.issued == 35
    assert pacer.sent == sum(sent) == 20


def test_a_timer_that_ends_early_does_not_send_early() -> None:
    """gevent's timers count from the loop's cached time: the wait sleeps until the clock says
    the slot is due."""
    now = [0.0]
    naps: list[float] = []

    def short_sleep(seconds: float) -> None:  # wakes half-way
        naps.append(seconds)
        now[0] += seconds / 2 if seconds > 0.001 else seconds

    user = gevent.getcurrent()
    pacer = Pacer(1.0, clock=lambda: now[0], sleep=short_sleep, current=lambda: user)
    pacer.wait()
    pacer.wait()  # slot 1 is due at 1.0
    assert now[0] == pytest.approx(1.0)
    assert len(naps) > 1
    pacer.request_started()
    assert pacer.sent == 1  # (the first reservation was dropped by the second wait)
