"""The C builder (``synth._native`` via ``synth.native``) writes exactly the bytes of the
pure-Python builder ``synth.build.build_json_py``, and the choice between them works.

Without the extension (no compiler when installing) the comparisons skip, unless
``ANP_REQUIRE_NATIVE=1`` is set: then they fail, so a machine that must have it can say so.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from synth import build, fast_tables, native
from synth.build import build_json_py, reference_py
from synth.generate import SIZES, synthesize
from synth.seeds import MAX_SEED
from synth.tables import HEADINGS, PROFILES

REPO = Path(__file__).resolve().parents[2]
Builder = Callable[[int, "str | None"], bytes]


@pytest.fixture(scope="module")
def c_build() -> Builder:
    """The C builder, or skip (fail with ``ANP_REQUIRE_NATIVE=1``) saying why it is missing."""
    if native.build is None:
        reason = f"the C builder is not active: {native.REASON}"
        if os.environ.get("ANP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"ANP_REQUIRE_NATIVE=1 but {reason}")
        pytest.skip(reason)
    return native.build


def _same(c_build: Builder, seeds: list[int], size: str | None) -> None:
    for seed in seeds:
        expected = build_json_py(seed, size)
        got = c_build(seed, size)
        if got != expected:
            at = next(
                (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
                min(len(expected), len(got)),
            )
            pytest.fail(
                f"seed {seed} size {size}: bytes differ at offset {at}: python "
                f"{expected[at - 40 : at + 40]!r} vs C {got[at - 40 : at + 40]!r}"
            )


def _doc(data: bytes) -> dict[str, Any]:
    return json.loads(data)


def _figures(doc: dict[str, Any]) -> int:
    return len(doc["meta"]["image_sources"])


EXTREME_SEEDS = sorted(
    {
        0,
        1,
        2,
        679,
        MAX_SEED,
        MAX_SEED - 1,
        *(2**k for k in range(63)),
        *(2**k - 1 for k in range(1, 64)),
        *(10**k for k in range(19)),
        *(MAX_SEED - 10**k for k in range(19)),
    }
)


def test_natural_posts_are_the_same_bytes_over_20000_seeds(c_build: Builder) -> None:
    _same(c_build, list(range(20_000)), None)


@pytest.mark.parametrize("size", SIZES)
def test_every_size_is_the_same_bytes(c_build: Builder, size: str) -> None:
    count = 100 if size == "xl" else 1000
    # spread out: 1000 consecutive seeds and 1000 seeds far apart
    seeds = [*range(count), *(seed * 0x9E3779B97F4A7C1 % MAX_SEED for seed in range(count))]
    _same(c_build, seeds, size)


@pytest.mark.parametrize("size", [None, *SIZES])
def test_extreme_seeds_are_the_same_bytes(c_build: Builder, size: str | None) -> None:
    _same(c_build, EXTREME_SEEDS, size)


def _find(size: str, wanted: Callable[[dict[str, Any]], bool], limit: int = 20_000) -> int:
    for seed in range(limit):
        if wanted(_doc(build_json_py(seed, size))):
            return seed
    raise AssertionError(f"no seed below {limit} of size {size} has the wanted shape")


@pytest.mark.parametrize("size", SIZES)
def test_posts_with_no_and_with_the_most_figures_are_the_same(c_build: Builder, size: str) -> None:
    most = PROFILES[size][4] + PROFILES[size][5]
    seeds = [_find(size, lambda d: _figures(d) == 0), _find(size, lambda d: _figures(d) == most)]
    # loremflickr figures (the "no photo" branch) take their lock number from the seed
    seeds.append(_find(size, lambda d: "loremflickr" in json.dumps(d["lead"])))
    _same(c_build, seeds, size)


def test_similar_posts_wrapping_past_the_largest_seed_are_the_same(c_build: Builder) -> None:
    seeds = list(range(MAX_SEED - 3000, MAX_SEED + 1))
    wrapped = [
        seed
        for seed in seeds[-400:]
        if any(
            int(s["reference"].split("-")[2]) < seed
            for s in _doc(build_json_py(seed, "s"))["similar_posts"]
        )
    ]
    assert wrapped, "expected similar posts that wrap to small seeds near MAX_SEED"
    _same(c_build, seeds, None)
    _same(c_build, wrapped, "s")


def test_long_posts_read_more_tail_outputs_and_are_the_same(c_build: Builder) -> None:
    # more than 20 paragraphs: the Python builder's non-inlined path; more than 30 uses a third
    # tails output, xl posts a few dozen
    lengths: dict[int, int] = {}
    for size in ("l", "xl"):
        for seed in range(200 if size == "l" else 20):
            doc = _doc(build_json_py(seed, size))
            lengths[doc["meta"]["payload"]["paragraphs"] - 1] = seed
    assert min(lengths) > 20 and max(lengths) > 300
    _same(c_build, list(range(200)), "l")


def test_xl_headings_come_round_as_parts_and_are_the_same(c_build: Builder) -> None:
    headings = len(HEADINGS)
    seeds = [
        seed
        for seed in range(40)
        if len(_doc(build_json_py(seed, "xl"))["sections"]) > headings + 1
    ]
    assert seeds, "expected xl posts with more sections than headings"
    data = build_json_py(seeds[0], "xl")
    assert b', part 2","blocks"' in data
    _same(c_build, seeds, "xl")


def test_the_hash_is_sha256_of_the_bytes_with_an_empty_hash(c_build: Builder) -> None:
    from hashlib import sha256

    for seed in (0, 679, MAX_SEED):
        full = c_build(seed, None)
        head, rest = full.split(b'"hash":"', 1)
        digest, tail = rest[:24], rest[24:]
        assert tail.startswith(b'"') and b'"hash":"' not in tail
        assert digest == sha256(head + b'"hash":"' + tail).hexdigest()[:24].encode()


@pytest.mark.parametrize(
    ("seed", "size", "error"),
    [
        (-1, None, ValueError),
        (MAX_SEED + 1, None, ValueError),
        (2**64, None, ValueError),
        (10**40, "m", ValueError),
        (-(10**40), "m", ValueError),
        (1.0, None, TypeError),
        ("5", None, TypeError),
        (True, None, TypeError),
        (None, None, TypeError),
        (5, "xxl", ValueError),
        (5, "", ValueError),
        (5, 3, ValueError),
        (5, [], ValueError),
        (5, b"m", ValueError),
    ],
)
def test_bad_arguments_raise_clear_errors(
    c_build: Builder, seed: object, size: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"seed|size"):
        c_build(seed, size)  # type: ignore[arg-type]


def test_wrong_argument_counts_and_a_second_init_are_refused(c_build: Builder) -> None:
    with pytest.raises(TypeError, match="2 arguments"):
        c_build(5)  # type: ignore[call-arg]
    module = importlib.import_module("synth._native")
    with pytest.raises(RuntimeError, match="once"):
        module.init(native.native_tables())
    assert c_build(0, None) == build_json_py(0, None)


@pytest.mark.parametrize("size", [None, *SIZES])
def test_build_ref_and_reference_match_the_python_ones(c_build: Builder, size: str | None) -> None:
    seeds = [*range(0, 300), *range(MAX_SEED - 50, MAX_SEED + 1), 999_999, 1_000_000, 10**12]
    native_ref = native.reference
    native_build_ref = native.build_ref
    assert native_ref is not None and native_build_ref is not None
    for seed in seeds:
        reference = reference_py(seed)
        assert native_ref(seed) == reference
        assert native_build_ref(seed, size) == (build_json_py(seed, size), reference)
    assert native_ref(679) == synthesize(679).meta.reference


@pytest.mark.parametrize("bad", [-1, MAX_SEED + 1, 2**64, True, 1.0, "1", None])
def test_reference_refuses_what_build_refuses(c_build: Builder, bad: object) -> None:
    assert native.reference is not None and native.build_ref is not None
    with pytest.raises((TypeError, ValueError), match="seed must be an int"):
        native.reference(bad)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError), match="seed must be an int"):
        native.build_ref(bad, None)  # type: ignore[arg-type]


def test_threads_get_the_same_bytes(c_build: Builder) -> None:
    seeds = list(range(0, 4000, 3))
    expected = [build_json_py(seed, None) for seed in seeds]
    results: dict[int, list[bytes]] = {}

    def work(n: int) -> None:
        results[n] = [c_build(seed, None) for seed in seeds]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[n] == expected for n in range(4))


def test_the_active_builder_is_the_c_one_when_it_is_built(c_build: Builder) -> None:
    assert native.ACTIVE == "native" and native.REASON == ""
    assert build.build_json is c_build


def _active_in_subprocess(env: dict[str, str]) -> list[str]:
    script = (
        "from synth import build, native, synthesize_json\n"
        "print(native.ACTIVE, build.build_json is build.build_json_py)\n"
        "print(native.REASON)\n"
        "import hashlib; print(hashlib.sha256(synthesize_json(679)).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.splitlines()


def test_anp_synth_pure_selects_the_python_builder() -> None:
    env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV}
    pure = _active_in_subprocess({**env, native.PURE_ENV: "1"})
    assert pure[0] == "python True"
    assert native.PURE_ENV in pure[1]
    default = _active_in_subprocess(env)
    assert default[0] in ("python True", "native False")  # consistent either way
    if native.build is not None:  # this process has the C builder: so must a default child
        assert default[0] == "native False"
    assert pure[2] == default[2]  # same bytes either way


@pytest.fixture
def fake_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """A stand-in for ``synth._native`` that ``native._load`` imports instead of the real one."""
    fake = SimpleNamespace(SOURCE_SHA256="", build=len, build_ref=divmod, reference=str)
    fake.init = lambda tables: None
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "synth._native", fake)
    yield fake


def test_a_stale_build_is_refused(fake_module: SimpleNamespace) -> None:
    fake_module.SOURCE_SHA256 = "0" * 64
    built, reason = native._load()
    assert built is None
    assert "rebuild" in reason and "pip install -e ." in reason


def test_a_failing_init_falls_back_and_says_why(fake_module: SimpleNamespace) -> None:
    def init(tables: object) -> None:
        raise ValueError("init: tables has no opens")

    fake_module.init = init
    built, reason = native._load()
    assert built is None and "init failed" in reason and "no opens" in reason


def test_a_missing_module_falls_back_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "synth._native", None)  # makes the import fail
    built, reason = native._load()
    assert built is None and "not built" in reason


def test_a_module_without_every_entry_point_is_refused(fake_module: SimpleNamespace) -> None:
    del fake_module.build_ref
    built, reason = native._load()
    assert built is None and "lacks build_ref" in reason and "pip install -e ." in reason


def test_a_current_fake_module_is_taken(fake_module: SimpleNamespace) -> None:
    seen: list[dict[str, object]] = []
    fake_module.init = seen.append
    built, reason = native._load()
    assert built is fake_module and reason == ""
    tables = seen[0]
    assert tables["lanes"] == fast_tables.BATCH
    assert all(isinstance(tables[k], tuple) for k in ("opens", "closes", "titles"))
