"""The invalid scenario's requests: every kind in one fixed cycle, every request exactly synth's
variant for the seed used, ``oversized`` built for a bounded set of seeds only."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests import invalid_bodies
from loadtests.invalid_bodies import (
    CACHE_LIMIT,
    CHANGED_CONTENT,
    FIND_INTERVAL_S,
    FIND_SUFFIX,
    FIND_WINDOW,
    REUSED_KINDS,
    REUSED_SEEDS,
    StoredPosts,
    cached_count,
    invalid_choice,
    invalid_request,
    is_changed_content_turn,
)
from synth import INVALID_KINDS, canonical_json, synthesize, synthesize_invalid
from synth.generate import reference_of
from targets import load_target
from targets.base import Response, Target

KINDS = len(INVALID_KINDS)
RECENT = [(1000 + i, f"ref-{i}") for i in range(7)]
"""A node's recently acknowledged (seed, reference) pairs."""

MAPPING_HTTP = """
kind = "http"
name = "mapped"
base_url = "http://127.0.0.1:9"
[http]
method = "PUT"
path = "/import/{reference}"
mode = "mapping"
[http.body]
ref = "meta.reference"
title = "title"
"""


@pytest.fixture(params=["reference", "mapping"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    definition = tmp_path / "t.toml"
    if request.param == "reference":
        definition.write_text('kind = "reference"\nname = "r"\nbase_url = "http://127.0.0.1:9"\n')
    else:
        definition.write_text(MAPPING_HTTP)
    return load_target(definition, environ={})


def test_one_cycle_sends_every_kind() -> None:
    for start in (1, 5, 1000):
        kinds = [invalid_choice(n, RECENT)[0] for n in range(start, start + KINDS)]
        assert sorted(kinds) == sorted(INVALID_KINDS)


def test_without_an_acknowledged_post_changed_content_gives_way_to_the_next_kind() -> None:
    kinds = [invalid_choice(n, [])[0] for n in range(1, 1 + KINDS)]
    assert CHANGED_CONTENT not in kinds
    assert set(kinds) == set(INVALID_KINDS) - {CHANGED_CONTENT}
    slot = KINDS * 3 + INVALID_KINDS.index(CHANGED_CONTENT)
    assert invalid_choice(slot, []) == (INVALID_KINDS[(slot + 1) % KINDS], slot)


def test_changed_content_uses_an_acknowledged_seed() -> None:
    slot = KINDS * 2 + INVALID_KINDS.index(CHANGED_CONTENT)
    assert invalid_choice(slot, RECENT) == (CHANGED_CONTENT, RECENT[slot % len(RECENT)][0])


def test_other_kinds_use_the_request_number_as_seed_and_reused_kinds_a_bounded_set() -> None:
    reused: dict[str, set[int]] = {kind: set() for kind in REUSED_KINDS}
    for number in range(1, KINDS * REUSED_SEEDS * 6):
        kind, seed = invalid_choice(number, RECENT)
        if kind in REUSED_KINDS:
            reused[kind].add(seed)
            assert seed == number % (KINDS * REUSED_SEEDS)
            if number < KINDS * REUSED_SEEDS:
                assert seed == number  # the first ones are as for any other kind
        elif kind != CHANGED_CONTENT:
            assert seed == number
    assert {"oversized"} == REUSED_KINDS
    assert all(len(seeds) == REUSED_SEEDS for seeds in reused.values())


def test_requests_are_synths_variant_for_the_seed_used(target: Target) -> None:
    numbers = [*range(1, 2 * KINDS + 1), *range(KINDS * REUSED_SEEDS, KINDS * REUSED_SEEDS + KINDS)]
    seen = set()
    for recent in (RECENT, []):
        for number in numbers:
            got = invalid_request(target, number, recent)
            assert (got.kind, got.seed) == invalid_choice(number, recent)
            invalid = synthesize_invalid(got.seed, got.kind)
            want = target.invalid_request(invalid)
            assert got.request.body == want.body
            assert dict(got.request.headers) == dict(want.headers)
            assert (got.request.method, got.request.path, got.request.name) == (
                want.method,
                want.path,
                want.name,
            )
            assert got.expected == invalid.expected_status
            seen.add(got.kind)
    assert seen == set(INVALID_KINDS)


def test_reused_kinds_are_built_once_per_seed_and_the_cache_stays_bounded(target: Target) -> None:
    period = KINDS * REUSED_SEEDS
    first = {n: invalid_request(target, n, RECENT) for n in range(1, period + 1)}
    assert cached_count() == REUSED_SEEDS
    for number in range(period + 1, 4 * period):
        again = invalid_request(target, number, RECENT)
        if again.kind in REUSED_KINDS:
            assert again is first[number - period * ((number - 1) // period)]
        assert cached_count() == REUSED_SEEDS


def test_the_cache_never_exceeds_its_limit_and_evicts_the_oldest(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cheap kind that the changed_content fallback also reaches: seeds from two residues
    fallback = INVALID_KINDS[(INVALID_KINDS.index(CHANGED_CONTENT) + 1) % KINDS]
    monkeypatch.setattr(invalid_bodies, "REUSED_KINDS", frozenset({fallback}))
    assert CACHE_LIMIT == 2 * REUSED_SEEDS
    monkeypatch.setattr(invalid_bodies, "CACHE_LIMIT", 3)
    seeds = set()
    for number in range(1, KINDS * REUSED_SEEDS * 3):
        got = invalid_request(target, number, [])
        if got.kind == fallback:
            seeds.add(got.seed)
            assert (
                got.request.body
                == target.invalid_request(synthesize_invalid(got.seed, fallback)).body
            )
        assert cached_count() <= 3
    assert len(seeds) == 2 * REUSED_SEEDS  # more seeds than room: entries were evicted
    assert cached_count() == 3


def test_a_new_target_empties_the_cache(tmp_path: Path) -> None:
    oversized = INVALID_KINDS.index("oversized")
    definition = tmp_path / "t.toml"
    definition.write_text('kind = "reference"\nname = "r"\nbase_url = "http://127.0.0.1:9"\n')
    one = load_target(definition, environ={})
    invalid_request(one, oversized, RECENT)
    invalid_request(one, oversized + KINDS, RECENT)
    assert cached_count() == 2
    other = load_target(definition, environ={})
    got = invalid_request(other, oversized, RECENT)
    assert cached_count() == 1
    assert (
        got.request.body == other.invalid_request(synthesize_invalid(oversized, "oversized")).body
    )


# --- changed_content on a node without acknowledged posts -----------------------------------------


def test_changed_content_turns_are_those_the_cycle_gives_it() -> None:
    for number in range(1, 3 * KINDS):
        turn = invalid_choice(number, RECENT)[0] == CHANGED_CONTENT
        assert is_changed_content_turn(number) is turn


@pytest.fixture
def reference(tmp_path: Path) -> Target:
    definition = tmp_path / "r.toml"
    definition.write_text('kind = "reference"\nname = "r"\nbase_url = "http://127.0.0.1:9"\n')
    return load_target(definition, environ={})


def test_reads_to_find_a_stored_post_go_round_the_first_seeds_at_a_bounded_rate(
    reference: Target,
) -> None:
    target = reference
    stored = StoredPosts()
    seeds = ((5, 9), (100, 199))  # the first FIND_WINDOW seeds span both ranges
    window = [*range(5, 10), *range(100, 100 + FIND_WINDOW - 5)]
    asked = []
    now = 1000.0
    for _ in range(FIND_WINDOW + 3):
        assert stored.due(now)
        found = stored.find_request(target, seeds, now)
        assert found is not None
        seed, request = found
        asked.append(seed)
        read = target.read_request(reference_of(seed))
        assert (request.method, request.path, request.body) == (read.method, read.path, read.body)
        assert request.name == read.name + FIND_SUFFIX
        assert not stored.due(now + FIND_INTERVAL_S * 0.9)  # one read per interval at most
        now += FIND_INTERVAL_S
    assert asked == window + window[:3]
    assert stored.tries == FIND_WINDOW + 3


def test_a_post_read_back_stored_is_kept_and_the_reads_stop(reference: Target) -> None:
    target = reference
    stored = StoredPosts().for_test(owner := object())
    stored.note(target, 7, Response(404))
    stored.note(target, 7, Response(500, b"oops"))
    stored.note(target, 7, Response(0, error="timeout"))
    assert stored.found == []
    assert stored.due(0.0)
    post = synthesize(7)
    stored.note(target, 7, Response(200, canonical_json(post), {"x-anp-hash": post.meta.hash}))
    assert stored.found == [(7, reference_of(7))]
    assert not stored.due(10**9)  # found: no more reads
    # the next changed_content turn changes that stored post (a 409 from a sound target)
    slot = KINDS + INVALID_KINDS.index(CHANGED_CONTENT)
    got = invalid_request(target, slot, stored.found)
    assert (got.kind, got.seed, got.expected) == (CHANGED_CONTENT, 7, (409,))
    assert stored.for_test(owner) is stored and stored.found
    assert stored.for_test(object()).found == []  # a new test starts afresh


def test_changed_content_turns_are_counted_sent_or_replaced(target: Target) -> None:
    stored = StoredPosts()
    for number in range(1, 2 * KINDS + 1):
        stored.count(number, invalid_request(target, number, []).kind)
    for number in range(2 * KINDS + 1, 5 * KINDS + 1):
        stored.count(number, invalid_request(target, number, RECENT).kind)
    assert (stored.sent, stored.replaced) == (3, 2)


def test_an_adapter_that_cannot_read_back_is_never_asked(tmp_path: Path) -> None:
    definition = tmp_path / "t.toml"
    definition.write_text(MAPPING_HTTP)  # no [http.read]
    target = load_target(definition, environ={})
    stored = StoredPosts()
    assert stored.find_request(target, ((0, 99),), 0.0) is None
    assert (stored.unreadable, stored.tries, stored.due(10**9)) == (True, 0, False)


def test_read_and_reimport_want_more_stored_posts_and_each_is_kept_once(
    reference: Target,
) -> None:
    """``want`` > 1 (read, reimport): the reads go on after the first find, skip the seeds
    already found, and a post noted twice is kept once."""
    target = reference
    stored = StoredPosts()
    now = 0.0

    def stored_answer(seed: int) -> Response:
        post = synthesize(seed)
        return Response(200, canonical_json(post), {"x-anp-hash": post.meta.hash})

    found = stored.find_request(target, ((0, 99),), now)
    assert found is not None and found[0] == 0
    stored.note(target, 0, stored_answer(0))
    stored.note(target, 0, stored_answer(0))
    assert stored.found == [(0, reference_of(0))]
    assert not stored.due(now + FIND_INTERVAL_S)  # invalid wants one: done
    assert stored.due(now + FIND_INTERVAL_S, want=3)
    asked = []
    for step in range(1, 4):
        got = stored.find_request(target, ((0, 99),), now + step * FIND_INTERVAL_S)
        assert got is not None
        asked.append(got[0])
        stored.note(target, got[0], stored_answer(got[0]))
    assert 0 not in asked  # a seed already found is not read again
    assert len(stored.found) == 4 and len({seed for seed, _ in stored.found}) == 4
    assert not stored.due(10**9, want=4)
