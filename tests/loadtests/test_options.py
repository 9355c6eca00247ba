"""Harness options: parsing, defaults, and usage errors that name the option and the fix."""

from __future__ import annotations

import argparse

import pytest

from loadtests.options import (
    OptionError,
    parse_duration,
    parse_scenarios,
    read_options,
    register,
    with_target_timeout,
)
from loadtests.verify import VERIFY_DEADLINE_S


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser)
    return parser.parse_args(["--target", "targets/local-reference.toml", *args])


def test_defaults():
    opts = read_options(parse())
    assert opts.scenarios == {"import": 1}
    assert opts.seeds == ((0, 999999),)
    assert opts.load_model == "closed" and opts.arrival_rate is None
    assert opts.verify is True
    assert opts.verify_timeout == VERIFY_DEADLINE_S == 600
    assert opts.run_id and opts.resolved_out_dir().parts[:2] == ("results", "runs")


def test_a_full_set():
    opts = read_options(
        parse(
            "--seeds",
            "5,1-3",
            "--scenario",
            "invalid:1, import:3",
            "--batch-size",
            "25",
            "--size",
            "l",
            "--load-model",
            "open",
            "--arrival-rate",
            "200",
            "--shape",
            "spike",
            "--max-seeds",
            "1000",
            "--request-timeout",
            "2.5",
            "--warmup",
            "1m",
            "--max-p95-ms",
            "300",
            "--max-missing",
            "0",
            "--anp-out",
            "out/x",
            "--no-verify",
            "--verify-timeout",
            "1h30m",
            "--run-id",
            "r1",
        )
    )
    assert opts.seeds == ((1, 3), (5, 5))
    assert list(opts.scenarios.items()) == [("import", 3), ("invalid", 1)]
    assert (opts.batch_size, opts.size, opts.arrival_rate, opts.shape) == (25, "l", 200.0, "spike")
    assert (opts.max_seeds, opts.seed_budget) == (1000, 4)
    assert (opts.request_timeout, opts.warmup) == (2.5, 60.0)
    assert opts.checks.max_p95_ms == 300 and opts.checks.max_missing == 0
    assert opts.checks.max_p50_ms is None
    assert str(opts.resolved_out_dir()) == "out/x" and opts.verify is False and opts.run_id == "r1"
    assert opts.verify_timeout == 5400


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--target", ""], ["--target", "target definition"]),
        (["--seeds", "9-1"], ["--seeds", "below the start"]),
        (["--scenario", "imprt"], ["--scenario", "'imprt'", "import, batch"]),
        (["--scenario", "import:0"], ["--scenario", "WEIGHT an integer >= 1"]),
        (["--scenario", "import,import"], ["--scenario", "each name once"]),
        (["--batch-size", "0"], ["--batch-size", "'0'", "an integer >= 1"]),
        (["--size", "xxl"], ["--size", "'xxl'", "s, m, l, xl"]),
        (["--load-model", "half"], ["--load-model", "closed or open"]),
        (["--load-model", "open"], ["--arrival-rate", "when --load-model open"]),
        (["--arrival-rate", "5"], ["--arrival-rate", "got '5'", "unless --load-model open"]),
        (
            ["--scenario", "read"],
            ["--scenario", "'read'", "import or batch too", "read only sends"],
        ),
        (
            ["--scenario", "invalid:1,reimport:2,read:1"],
            ["--scenario", "reimport and read only send posts this run had acknowledged"],
        ),
        (
            ["--scenario", "invalid", "--max-seeds", "10"],
            ["--max-seeds", "'10'", "no value unless the scenario mix has import or batch"],
        ),
        (
            ["--scenario", "batch", "--synth-processes", "2"],
            ["--synth-processes", "'2'", "0 unless the scenario mix has import"],
        ),
        (["--shape", "wave"], ["--shape", "'wave'", "steady, ramp, step, spike"]),
        (["--request-timeout", "soon"], ["--request-timeout", "'soon'", "duration"]),
        (["--request-timeout", "0"], ["--request-timeout", "duration > 0"]),
        (["--verify-timeout", "later"], ["--verify-timeout", "'later'", "duration"]),
        (["--verify-timeout", "0s"], ["--verify-timeout", "'0s'", "duration > 0"]),
        (["--max-error-ratio", "2"], ["--max-error-ratio", "'2'", "<= 1"]),
        (["--max-p95-ms", "fast"], ["--max-p95-ms", "'fast'", "a number of milliseconds > 0"]),
        (["--max-p50-ms", "0"], ["--max-p50-ms", "got '0'", "a number of milliseconds > 0"]),
        (["--max-p95-ms", "0"], ["--max-p95-ms", "got '0'", "a number of milliseconds > 0"]),
        (["--max-p99-ms", "0.0"], ["--max-p99-ms", "got '0.0'", "a number of milliseconds > 0"]),
        (["--max-p99-ms", "-5"], ["--max-p99-ms", "got '-5'", "a number of milliseconds > 0"]),
        (["--max-p95-ms", "nan"], ["--max-p95-ms", "got 'nan'", "a number of milliseconds > 0"]),
        (["--max-missing", "-1"], ["--max-missing", "an integer >= 0"]),
        (["--run-id", "../x"], ["--run-id", "'../x'"]),
    ],
)
def test_bad_values_name_the_option_the_value_and_the_fix(args, names):
    with pytest.raises(OptionError) as caught:
        read_options(parse(*args))
    assert caught.value.exit_code == 2
    for name in names:
        assert name in str(caught.value)
    assert "(a usage error: retrying with" in str(caught.value)
    assert "will fail again" in str(caught.value)


@pytest.mark.parametrize(
    ("args", "flag"),
    [(["--load-model", "open"], "--arrival-rate"), (["--target", ""], "--target")],
)
def test_a_missing_value_is_called_missing_not_an_empty_value(args, flag):
    ns = parse(*args)
    with pytest.raises(OptionError) as caught:
        read_options(ns)
    message = str(caught.value)
    assert message.startswith(f"{flag}: missing; expected ")
    assert "got ''" not in message
    assert message.endswith("(a usage error: retrying without it will fail again)")


def test_a_bad_seed_range_has_the_usual_usage_suffix():
    with pytest.raises(OptionError) as caught:
        read_options(parse("--seeds", "9-1"))
    assert str(caught.value).endswith(
        "(a usage error: retrying with the same value will fail again)"
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("2.5", 2.5), ("45s", 45.0), ("2m", 120.0), ("1h30m", 5400.0), ("1m30s", 90.0)],
)
def test_durations(text, seconds):
    assert parse_duration("--warmup", text) == seconds


def test_scenario_order_is_canonical():
    assert list(parse_scenarios("read:1,import:2,batch")) == ["import", "batch", "read"]


def test_the_target_definitions_read_timeout_applies_unless_the_option_is_given():
    class Timeouts:
        read_s = 7.0

    class Target:
        timeouts = Timeouts()

    assert with_target_timeout(read_options(parse()), Target()).request_timeout == 7.0
    given = read_options(parse("--request-timeout", "3"))
    assert with_target_timeout(given, Target()).request_timeout == 3.0
    assert with_target_timeout(read_options(parse()), object()).request_timeout == 30.0


@pytest.mark.parametrize("field", ["max_p50_ms", "max_p95_ms", "max_p99_ms"])
@pytest.mark.parametrize("value", ["0", "-1", "0.0", "0.001", "250"])
def test_latency_limits_accepted_on_the_command_line_as_in_a_target_definition(field, value):
    import pydantic

    from targets.definitions import ChecksDef

    try:
        ChecksDef.model_validate({field: float(value)})
        in_definition = True
    except pydantic.ValidationError:
        in_definition = False
    flag = "--" + field.replace("_", "-")
    try:
        opts = read_options(parse(flag, value))
        on_command_line = True
        assert getattr(opts.checks, field) == float(value)
    except OptionError:
        on_command_line = False
    assert on_command_line is in_definition
    assert in_definition is (float(value) > 0)
