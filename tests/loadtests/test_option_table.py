"""One table of harness options: Locust's parser and ``anp run``'s read it, with the same flags,
defaults and help, and ``anp run`` passes every forwarded option on to the locustfile."""

from __future__ import annotations

import argparse

from loadtests import options
from loadtests.cli import register
from loadtests.option_table import FORWARDED, HARNESS_OPTIONS, VERIFY_HELP, option
from loadtests.run_command import harness_argv, harness_namespace

NON_DEFAULT = {
    "scenario": "import:3,invalid:1",
    "seeds": "1-100",
    "max_seeds": "50",
    "load_model": "open",
    "arrival_rate": "20",
    "shape": "ramp",
    "batch_size": "5",
    "size": "s",
    "synth_processes": "1",
    "request_timeout": "10",
    "warmup": "2",
    "verify_timeout": "20m",
    "max_error_ratio": "0.01",
    "max_p50_ms": "50",
    "max_p95_ms": "250",
    "max_p99_ms": "500",
    "min_throughput": "10",
    "max_missing": "0",
    "max_corrupted": "0",
}
"""A valid value other than the default for every forwarded option."""


def actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.option_strings[0]: a for a in parser._actions if a.option_strings}


def run_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser()
    subparsers = root.add_subparsers()
    register(subparsers)
    parser = subparsers.choices["run"]
    assert isinstance(parser, argparse.ArgumentParser)
    return parser


def locust_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    options.register(parser)
    return parser


def test_locusts_parser_offers_every_row_with_its_default_and_help() -> None:
    found = actions(locust_parser())
    assert set(found) == {"-h", "--verify", *(row.flag for row in HARNESS_OPTIONS)}
    for row in HARNESS_OPTIONS:
        assert found[row.flag].default == row.default, row.flag
        text = row.help_text()
        assert found[row.flag].help == f"{text[0].upper()}{text[1:]}.", row.flag
    assert found["--verify"].default is True
    assert found["--verify"].help == f"R{VERIFY_HELP[1:]}."


def test_anp_run_offers_the_forwarded_rows_and_its_own_options() -> None:
    found = actions(run_parser())
    wrapper_only = {"-h", "--users", "--spawn-rate", "--run-time", "--processes", "--out"}
    forwarded = {row.flag for row in FORWARDED}
    assert set(found) == forwarded | wrapper_only | {
        "--target",
        "--run-id",
        "--verify",
        "--no-progress",
    }
    assert "--anp-out" not in found  # anp run writes the run folder from --out and --run-id
    for row in [*FORWARDED, option("--run-id")]:
        assert (found[row.flag].default, found[row.flag].help) == (row.default, row.help_text())
    assert found["--target"].required and found["--target"].help == option("--target").help
    assert found["--verify"].help == VERIFY_HELP


def test_every_option_shows_an_example_or_all_its_choices() -> None:
    choices = {
        "--load-model": options.LOAD_MODELS,
        "--shape": options.SHAPES,
        "--size": options.SIZES,
        "--scenario": options.SCENARIOS,
    }
    for row in HARNESS_OPTIONS:
        if row.flag in choices:
            assert all(name in row.help for name in choices[row.flag]), row.flag
        if row.flag not in choices or row.flag == "--scenario":
            assert "e.g. " in row.help, row.flag


def test_anp_run_forwards_every_option_as_given() -> None:
    assert set(NON_DEFAULT) == {row.dest for row in FORWARDED}
    args = run_parser().parse_args(
        [
            "--target",
            "t.toml",
            "--no-verify",
            *(arg for row in FORWARDED for arg in (row.flag, NON_DEFAULT[row.dest])),
        ]
    )
    argv = harness_argv(args, "/abs/t.toml", "run-1")
    child = options.read_options(locust_parser().parse_args(argv))
    assert child == options.read_options(harness_namespace(args, "/abs/t.toml", "run-1"))
    assert (child.scenarios, child.seeds_text, child.batch_size, child.verify) == (
        {"import": 3, "invalid": 1},
        "1-100",
        5,
        False,
    )
    assert child.checks.max_p99_ms == 500 and child.arrival_rate == 20
    assert child.verify_timeout == 1200


def test_empty_values_are_left_out_of_the_child_argv() -> None:
    args = run_parser().parse_args(["--target", "t.toml"])
    argv = harness_argv(args, "/abs/t.toml", "run-1")
    given = {row.flag for row in FORWARDED if row.default}
    assert [a for a in argv if a.startswith("--")] == [
        "--target",
        "--run-id",
        *(row.flag for row in FORWARDED if row.flag in given),
        "--verify",
    ]
