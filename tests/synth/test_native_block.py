"""``synth.native.build_block``: many posts built and hashed by the C module with the GIL
released. The bytes and references are ``synthesize_json(seed)`` and ``reference_of(seed)``
for every size and extreme seeds, from several threads at once; bad arguments raise clear
errors; ``ANP_SYNTH_PURE=1`` leaves no block builder."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from synth import native, synthesize_json
from synth.generate import SIZES, reference_of
from synth.seeds import MAX_SEED

Block = Callable[[list[int], "str | None"], list[tuple[bytes, str]]]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def block() -> Block:
    if native.build_block is None:
        pytest.skip(f"no C block builder: {native.BLOCK_REASON}")
    return native.build_block


def expected(seeds: list[int], size: str | None) -> list[tuple[bytes, str]]:
    return [(synthesize_json(s, size=size), reference_of(s)) for s in seeds]


@pytest.mark.parametrize("size", [None, *SIZES])
def test_blocks_are_synthesize_json_and_reference_of(block: Block, size: str | None) -> None:
    seeds = [*range(0, 150), *range(10**9, 10**9 + 30), MAX_SEED - 2, MAX_SEED - 1, MAX_SEED]
    assert block(seeds, size) == expected(seeds, size)


def test_an_empty_block_and_a_tuple_of_seeds(block: Block) -> None:
    assert block([], None) == []
    assert block((7, 7, 3), None) == expected([7, 7, 3], None)  # type: ignore[arg-type]


def test_threads_building_at_once_get_the_same_bytes(block: Block) -> None:
    results: dict[int, list[tuple[bytes, str]]] = {}

    def run(k: int) -> None:
        results[k] = block(list(range(k * 200, k * 200 + 200)), None)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for k in range(4):
        assert results[k] == expected(list(range(k * 200, k * 200 + 200)), None)


@pytest.mark.parametrize(
    ("seeds", "size", "error", "match"),
    [
        ([1, -1], None, ValueError, "seed must be an int in 0..2\\*\\*63-1"),
        ([1, MAX_SEED + 1], None, ValueError, "seed must be an int"),
        ([1, "2"], None, TypeError, "seed must be an int"),
        ([True], None, TypeError, "seed must be an int"),
        (5, None, TypeError, "seeds must be a sequence of ints"),
        ([1], "huge", ValueError, "size must be one of"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    block: Block, seeds: object, size: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        block(seeds, size)  # type: ignore[arg-type]


def test_wrong_argument_count_is_refused(block: Block) -> None:
    with pytest.raises(TypeError, match="build_block expects 2 arguments"):
        block([1])  # type: ignore[call-arg]


def test_anp_synth_pure_leaves_no_block_builder() -> None:
    env = {**os.environ, native.PURE_ENV: "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from synth import native; print(native.build_block is None)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["True"]
