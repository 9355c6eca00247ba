"""Load shapes: each one bounded in time, with the users it promises."""

from __future__ import annotations

import pytest

from loadtests.shapes import SHAPES, ramp_users, spike_users, steady_users, step_users


@pytest.mark.parametrize("users_at", [steady_users, ramp_users, step_users, spike_users])
def test_every_shape_ends_at_its_duration(users_at):
    assert users_at(59.9, 40, 60.0) is not None
    assert users_at(60.0, 40, 60.0) is None
    assert users_at(1e6, 40, 60.0) is None


def test_steady_holds_the_peak():
    assert {steady_users(t, 10, 30.0) for t in range(30)} == {10}


def test_ramp_rises_from_one_to_the_peak():
    values = [ramp_users(t / 10, 50, 100.0) for t in range(1000)]
    assert values[0] == 1
    assert max(values) in (49, 50)
    assert values == sorted(values)


def test_step_has_four_plateaus():
    assert [step_users(t, 40, 40.0) for t in (0, 9, 10, 19, 20, 30, 39)] == [
        10,
        10,
        20,
        20,
        30,
        40,
        40,
    ]


def test_spike_jumps_in_the_middle_fifth():
    assert spike_users(0, 50, 100.0) == 10
    assert spike_users(39.9, 50, 100.0) == 10
    assert spike_users(40, 50, 100.0) == 50
    assert spike_users(59.9, 50, 100.0) == 50
    assert spike_users(60, 50, 100.0) == 10


def test_shape_classes_read_locust_options():
    class Options:
        num_users = 8
        spawn_rate = 2
        run_time = 40

    class Env:
        parsed_options = Options()

    class Runner:
        environment = Env()

    def make(name, elapsed):
        class Clocked(SHAPES[name]):
            def get_run_time(self):
                return elapsed

        shape = Clocked()
        shape.runner = Runner()
        return shape

    assert make("step", 0).tick() == (2, 2.0)
    assert make("step", 41).tick() is None
    assert make("spike", 20).tick() == (8, 8.0)
    assert make("spike", 1).tick() == (2, 8.0)
    assert make("ramp", 0).tick() == (1, 2.0)
