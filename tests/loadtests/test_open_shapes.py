"""The open model with a shape: the shape drives the arrival rate (like k6's
ramping-arrival-rate), not a flat ``--arrival-rate`` under a header that names the shape."""

from __future__ import annotations

import argparse

import pytest
from lt_support import run_locust

from loadtests.open_loop import Pacer, RateSchedule, open_pacer, run_time_of, share_run_time
from loadtests.shapes import RATE_CELLS, SHAPES, rate_profile


def test_rate_profiles_follow_the_shapes_as_fractions_of_their_peak():
    step = rate_profile("step", 8.0)
    assert len(step) == RATE_CELLS
    assert sorted(set(step)) == [0.25, 0.5, 0.75, 1.0]
    assert step[0] == 0.25 and step[249] == 0.25 and step[250] == 0.5 and step[-1] == 1.0
    spike = rate_profile("spike", 10.0)
    assert spike[399] == 0.2 and spike[400] == 1.0 and spike[599] == 1.0 and spike[600] == 0.2
    ramp = rate_profile("ramp", 10.0)
    assert ramp[0] == 0.001 and ramp == tuple(sorted(ramp)) and ramp[-1] > 0.99
    assert set(rate_profile("steady", 10.0)) == {1.0}


def offered(pacer: Pacer, until: float) -> list[int]:
    """Slots due in each whole second of [0, until), from a pacer whose clock never waits."""
    now = [0.0]
    pacer._clock = lambda: now[0]
    pacer.wait(0)  # start at 0
    per_second = [0] * int(until)
    slot = 0
    while (due := pacer.due(slot)) < until:
        per_second[int(due)] += 1
        slot += 1
    return per_second


def near(got: list[int], expected: list[int]) -> bool:
    """Per-second counts within one slot of ``expected`` (a slot due exactly on a second's
    boundary may land on either side of it)."""
    return len(got) == len(expected) and all(
        abs(g - e) <= 1 for g, e in zip(got, expected, strict=True)
    )


def test_a_step_schedule_offers_the_shape_per_second():
    options = argparse.Namespace(run_time=8)
    pacer = open_pacer(300.0, "step", 1.0, options)
    assert near(offered(pacer, 8.0), [75, 75, 150, 150, 225, 225, 300, 300])
    half = open_pacer(300.0, "step", 0.5, options)  # one of two workers
    assert near(offered(half, 8.0), [38, 38, 75, 75, 112, 112, 150, 150])
    flat = open_pacer(300.0, "steady", 1.0, options)
    assert flat.schedule is None and offered(flat, 3.0) == [300, 300, 300]


def test_schedule_keeps_the_last_rate_after_the_end_and_refuses_zero():
    schedule = RateSchedule(10.0, [0.5, 1.0], 1.0)  # 5 slots, then 10 slots/s
    assert [schedule.offset(k) for k in (0, 4, 5, 14, 15, 25)] == [0.0, 0.8, 1.0, 1.9, 2.0, 3.0]
    with pytest.raises(ValueError):
        RateSchedule(10.0, [0.0, 1.0], 1.0)


def test_workers_learn_the_run_time_from_the_coordinator():
    master = argparse.Namespace(worker=False, run_time=12)
    share_run_time(argparse.Namespace(parsed_options=master))
    # what a worker takes from the master's spawn message: the options that are not Locust's
    # own (worker and run_time are; importing Locust here would monkey-patch the test process)
    forwarded = {k: v for k, v in vars(master).items() if k not in {"worker", "run_time"}}
    assert forwarded == {"anp_shape_run_time": 12}
    worker = argparse.Namespace(worker=True, run_time=None, **forwarded)  # -t cleared on workers
    assert run_time_of(worker) == 12.0
    assert run_time_of(None) == 60.0  # the shapes' default


def test_shape_classes_hold_every_user_in_the_open_model():
    class Options:
        num_users = 8
        spawn_rate = 2
        run_time = 40
        load_model = "open"

    class Runner:
        class environment:  # stands in for Locust's attribute
            parsed_options = Options()

    def tick(name, elapsed):
        class Clocked(SHAPES[name]):
            def get_run_time(self):
                return elapsed

        shape = Clocked()
        shape.runner = Runner()
        return shape.tick()

    assert [tick(name, 1) for name in ("step", "ramp", "spike")] == [(8, 2.0)] * 3
    assert tick("step", 41) is None


@pytest.mark.integration
def test_open_step_run_offers_the_shaped_rate_per_second(start_site, tmp_path):
    """Per-second requests of a real run follow 25, 50, 75, 100/s; the site counts the same."""
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "-u",
        "20",
        "-r",
        "20",
        "-t",
        "8s",
        "--load-model",
        "open",
        "--arrival-rate",
        "100",
        "--shape",
        "step",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["load"]["shape"] == "step"
    per_second: dict[int, int] = {}
    for endpoint in m["endpoints"]:
        for second, ok, failed in endpoint["per_second"]:
            per_second[second] = per_second.get(second, 0) + ok + failed
    expected = [25, 25, 50, 50, 75, 75, 100, 100]
    for second, rate in enumerate(expected):
        assert abs(per_second.get(second, 0) - rate) <= 2, (second, per_second)
    sent = sum(per_second.values())
    assert sent <= sum(expected) + 100  # at most the next second after -t, never a flat 800
    assert site.stats()["requests"]["POST /import/posts"]["total"] == sent
