"""The fast builders write exactly the bytes of the step-by-step reference builder: the pure-Python
one (``synth.build.build_json_py`` + ``synth.fast_tables``) and the C one (``synth._native``, when
built; see tests/synth/test_native.py for the skip rule). The Python builder's caches stay
bounded."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import reference_build

from synth import build, fast_tables, generate, native
from synth.build import build_json_py, draw, post_key
from synth.canonical import canonical_json
from synth.data import prose, topics
from synth.data.faker_tables import COMPANIES, PERSON_NAMES
from synth.generate import SIZES, synthesize, synthesize_json
from synth.rng import mix64, name_key
from synth.seeds import MAX_SEED
from synth.tables import F_TAILS, VERSION_KEY

EDGE_SEEDS = [0, 1, 679, 2**31 - 1, 2**32, 2**53 + 1, 2**62, MAX_SEED - 1, MAX_SEED]
Builder = Callable[[int, "str | None"], bytes]


@pytest.fixture(params=["python", "native"])
def build_json(request: pytest.FixtureRequest) -> Builder:
    """Each builder in turn; the C one skips when it is not built (fails with
    ``ANP_REQUIRE_NATIVE=1``)."""
    if request.param == "python":
        return build_json_py
    if native.build is None:
        if os.environ.get("ANP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"ANP_REQUIRE_NATIVE=1 but the C builder is not active: {native.REASON}")
        pytest.skip(f"the C builder is not active: {native.REASON}")
    return native.build


def test_natural_posts_equal_the_reference_builder_over_5000_seeds(build_json: Builder) -> None:
    for seed in [*range(5000), *EDGE_SEEDS]:
        assert build_json(seed, None) == reference_build.build_json(seed, None), seed


@pytest.mark.parametrize("size", SIZES)
def test_every_size_equals_the_reference_builder(build_json: Builder, size: str) -> None:
    count = 60 if size == "xl" else 600
    for seed in [*range(count), *EDGE_SEEDS]:
        assert build_json(seed, size) == reference_build.build_json(seed, size), (seed, size)


def test_synthesize_json_equals_canonical_json_of_synthesize(
    build_json: Builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generate, "build_json", build_json)
    for seed in [*range(0, 3000, 7), *EDGE_SEEDS]:
        for size in (None, *SIZES):
            if size == "xl" and seed % 5:
                continue
            assert synthesize_json(seed, size=size) == canonical_json(synthesize(seed, size=size))


def test_lanes_give_the_same_outputs_as_one_draw_at_a_time() -> None:
    for seed in [*range(200), *EDGE_SEEDS]:
        key = post_key(seed)
        z = ((key * fast_tables.LANE_ONES ^ fast_tables.LANE_FIELDS) + fast_tables.LANE_STEPS) & (
            fast_tables.LANE_MASK
        )
        z = ((z ^ (z >> 30)) & fast_tables.LANE_MASK) * 0xBF58476D1CE4E5B9 & fast_tables.LANE_MASK
        z = ((z ^ (z >> 27)) & fast_tables.LANE_MASK) * 0x94D049BB133111EB & fast_tables.LANE_MASK
        z = (z ^ (z >> 31)) & fast_tables.LANE_MASK
        lanes = fast_tables.unpack_lanes(z.to_bytes(fast_tables.LANE_BYTES, "little"))
        assert list(lanes) == [draw(key, field, n) for field, n in fast_tables.BATCH]


def test_tail_choices_are_the_6_bit_digits_of_the_tail_outputs() -> None:
    for seed in range(50):
        key = post_key(seed)
        for count in (1, 9, 10, 11, 20, 35, 96, 480):
            outputs = [draw(key, F_TAILS, i) for i in range(1, (count + 9) // 10 + 1)]
            expected = bytes((outputs[k // 10] >> (6 * (k % 10))) & 63 for k in range(count))
            assert fast_tables.tail_choices(outputs, count) == expected


def test_bank_walk_order_matches_the_stride_definition() -> None:
    n = fast_tables.N_BANK
    for step in range(1, n):
        for start in (0, 1, 17, n - 1):
            j0 = start * fast_tables.INVERSE[step] % n
            walk = fast_tables.ORDER[step][j0 : j0 + fast_tables.MAX_WALK]
            assert list(walk) == [(start + k * step) % n for k in range(fast_tables.MAX_WALK)]
    assert fast_tables.MAX_WALK >= 40 * 12  # the longest size profile (xl)


def test_placeholder_marks_never_occur_in_the_vocabulary() -> None:
    texts = [
        *prose.PARAGRAPHS,
        *prose.TAILS,
        *topics.PROBLEMS,
        *topics.SCENARIOS,
        *PERSON_NAMES,
        *COMPANIES,
    ]
    for text in texts:
        for mark in (fast_tables.PROBLEM, fast_tables.OWNER, fast_tables.COMPANY):
            assert mark not in text, text


def test_stack_texts_mark_exactly_the_per_post_fields() -> None:
    assert len(fast_tables.STACK_TEXTS) == len(topics.STACKS)
    for texts in fast_tables.STACK_TEXTS:
        assert len(texts.opens) == len(prose.PARAGRAPHS) and len(texts.closes) == 64
        for p, opening in enumerate(texts.opens):
            assert opening.count(fast_tables.PROBLEM) == fast_tables.OPEN_PROBLEMS[p]
            assert "{" not in opening[1:] and "}" not in opening
        for v, closing in enumerate(texts.closes):
            marked = any(
                m in closing for m in (fast_tables.PROBLEM, fast_tables.OWNER, fast_tables.COMPANY)
            )
            assert marked == bool(fast_tables.CLOSE_MARKED[v])
            assert closing.count(fast_tables.PROBLEM) == fast_tables.CLOSE_PROBLEMS[v]
            assert closing.count(fast_tables.OWNER) == fast_tables.CLOSE_OWNERS[v]
            assert closing.count(fast_tables.COMPANY) == fast_tables.CLOSE_COMPANIES[v]
            assert closing.endswith('"}') and "{" not in closing
        for template in (*texts.titles, *texts.intros, *texts.finals, *texts.summaries):
            for part in template:  # (text, text, ..., flag): every text part is filled in
                if isinstance(part, str):
                    assert "{stack}" not in part and "{language}" not in part, part


def test_streams_used_by_the_lanes_are_the_documented_ones() -> None:
    # The lanes are keyed exactly like synth.rng documents: key = mix64(name_key(v) ^ mix64(s)).
    assert post_key(679) == mix64(VERSION_KEY ^ mix64(679))
    assert fast_tables.BATCH[0] == (name_key("topic"), 1)


def test_similar_cache_is_bounded_and_does_not_change_bytes() -> None:
    build._SIMILAR.clear()
    first = [build_json_py(seed, None) for seed in range(300)]
    assert 0 < len(build._SIMILAR) <= build._SIMILAR_MAX
    # Served from the cache now: same bytes.
    assert [build_json_py(seed, None) for seed in range(300)] == first
    for seed in range(build._SIMILAR_MAX + 50, 3 * build._SIMILAR_MAX, 7):
        build_json_py(seed, None)
        assert len(build._SIMILAR) <= build._SIMILAR_MAX
