"""Seeds and seed ranges (synth/seeds.py): parsing, merging, iteration, and error messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synth import (
    MAX_SEED,
    SeedError,
    SeedRangeError,
    check_seed,
    count_seeds,
    format_seed_ranges,
    iter_seeds,
    merge_ranges,
    parse_seed,
    parse_seed_ranges,
    ranges_from_seeds,
    seed_at,
)

EXAMPLE = "0-99999, 5 or 1,3,10-20"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", ((5, 5),)),
        ("0-99999", ((0, 99999),)),
        ("1,3,10-20", ((1, 1), (3, 3), (10, 20))),
        ("10-20,3,1", ((1, 1), (3, 3), (10, 20))),
        ("1-5,3-8", ((1, 8),)),
        ("1,2,3", ((1, 3),)),
        (" 1 - 5 , 7 ", ((1, 5), (7, 7))),
        (f"0-{MAX_SEED}", ((0, MAX_SEED),)),
        (str(MAX_SEED), ((MAX_SEED, MAX_SEED),)),
    ],
)
def test_parse_seed_ranges(text: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert parse_seed_ranges(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"seed ranges must not be empty; expected e.g. {EXAMPLE}"),
        ("   ", f"seed ranges must not be empty; expected e.g. {EXAMPLE}"),
        (
            "abc",
            f"bad seed range 'abc' in 'abc': expected seeds in 0..{MAX_SEED} written like {EXAMPLE}",
        ),
        (
            "-5",
            f"bad seed range '-5' in '-5': expected seeds in 0..{MAX_SEED} written like {EXAMPLE}",
        ),
        ("1,,2", f"bad seed range '' in '1,,2': expected seeds in 0..{MAX_SEED}"),
        ("1-2-3", "bad seed range '1-2-3' in '1-2-3'"),
        ("1.5", "bad seed range '1.5' in '1.5'"),
        ("0x10", "bad seed range '0x10'"),
        ("1e3", "bad seed range '1e3'"),
        ("\u0663", "bad seed range '\u0663'"),
        (str(MAX_SEED + 1), f"bad seed range '{MAX_SEED + 1}'"),
        (
            "5-1",
            f"bad seed range '5-1' in '5-1': the end (1) is below the start (5); expected e.g. {EXAMPLE}",
        ),
        ("0-", "bad seed range '0-' in '0-'"),
    ],
)
def test_bad_seed_ranges_name_the_value_and_show_an_example(text: str, message: str) -> None:
    with pytest.raises(SeedRangeError) as info:
        parse_seed_ranges(text)
    assert message in str(info.value)
    assert EXAMPLE in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, f"seed must be an integer in 0..{MAX_SEED} (0 to 2**63-1), got seed=-1"),
        (MAX_SEED + 1, f"got seed={MAX_SEED + 1}"),
        (True, "got seed=True (a bool)"),
        (1.0, "got seed=1.0 (a float)"),
        ("5", "got seed='5' (a str)"),
        (None, "got seed=None (a NoneType)"),
    ],
)
def test_check_seed_refuses_non_seeds(value: object, message: str) -> None:
    with pytest.raises(SeedError) as info:
        check_seed(value)
    assert message in str(info.value)


@pytest.mark.parametrize("value", [0, 1, 679, MAX_SEED])
def test_check_seed_accepts_the_full_range(value: int) -> None:
    assert check_seed(value) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [("-3", "got '-3'"), ("x", "got 'x'"), ("", "got ''"), ("3.0", "got '3.0'")],
)
def test_parse_seed_messages(text: str, message: str) -> None:
    with pytest.raises(SeedError, match="non-negative decimal integer") as info:
        parse_seed(text)
    assert message in str(info.value)


def test_parse_seed_strips_whitespace() -> None:
    assert parse_seed(" 42\n") == 42


_pairs = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 50)).map(lambda t: (t[0], t[0] + t[1])),
    min_size=1,
    max_size=8,
)


@given(_pairs)
def test_format_is_the_inverse_of_parse(pairs: list[tuple[int, int]]) -> None:
    ranges = merge_ranges(pairs)
    assert parse_seed_ranges(format_seed_ranges(ranges)) == ranges


@given(_pairs)
def test_iteration_count_and_indexing_agree(pairs: list[tuple[int, int]]) -> None:
    ranges = merge_ranges(pairs)
    seeds = list(iter_seeds(ranges))
    assert seeds == sorted({s for a, b in pairs for s in range(a, b + 1)})
    assert count_seeds(ranges) == len(seeds)
    assert [seed_at(ranges, i) for i in range(len(seeds))] == seeds
    assert ranges_from_seeds(reversed(seeds)) == ranges
    with pytest.raises(IndexError):
        seed_at(ranges, len(seeds))
    with pytest.raises(IndexError):
        seed_at(ranges, -1)


def test_merged_ranges_are_disjoint_and_not_adjacent() -> None:
    assert merge_ranges([(5, 9), (0, 4), (20, 30), (25, 26)]) == ((0, 9), (20, 30))


def test_iter_seeds_is_lazy_over_a_huge_range() -> None:
    iterator = iter_seeds(((0, MAX_SEED),))
    assert [next(iterator) for _ in range(3)] == [0, 1, 2]
    assert count_seeds(((0, MAX_SEED),)) == MAX_SEED + 1
