"""synthesize_invalid: every kind is deterministic, broken in exactly the documented way, and
says which 4xx a well-behaved target answers."""

from __future__ import annotations

import orjson
import pytest

from synth import (
    INVALID_KINDS,
    InvalidPost,
    SeedError,
    SynthError,
    check_invariants,
    post_from_json,
    post_hash,
    synthesize,
    synthesize_invalid,
)

REQUIRED = {
    "missing_field",
    "wrong_type",
    "empty_title",
    "oversized",
    "control_chars",
    "invalid_unicode",
    "html_injection",
    "sql_injection",
    "hash_mismatch",
    "changed_content",
    "not_json",
}
UNPARSABLE = {"missing_field", "wrong_type", "extra_field", "not_json", "invalid_unicode"}
"""Kinds whose body is not a valid Post document at all."""
TITLE_ALPHABET = {"empty_title", "control_chars", "html_injection", "sql_injection"}
"""Kinds that parse as a Post but break the title alphabet invariant."""
SOUND = {"changed_content", "oversized", "wrong_content_type"}
"""Kinds whose document is a sound post (the fault is elsewhere: history, size, header)."""
SEEDS = (0, 1, 679, 99_999, 2**63 - 1)


def test_kinds_are_sorted_and_cover_the_issue() -> None:
    assert list(INVALID_KINDS) == sorted(INVALID_KINDS)
    assert set(INVALID_KINDS) >= REQUIRED
    assert set(INVALID_KINDS) == UNPARSABLE | TITLE_ALPHABET | SOUND | {"hash_mismatch"}


@pytest.mark.parametrize("kind", INVALID_KINDS)
def test_each_kind_is_deterministic_and_documents_a_4xx(kind: str) -> None:
    for seed in SEEDS:
        first = synthesize_invalid(seed, kind)
        assert first == synthesize_invalid(seed, kind)
        assert isinstance(first, InvalidPost)
        assert first.kind == kind and first.seed == seed
        assert first.expected_status
        assert all(400 <= status < 500 for status in first.expected_status)
        assert str(first.expected_status[0]) in first.description
        assert first.reference.startswith(f"anp-ref-{seed:06d}-")
    assert synthesize_invalid(0, kind).body != synthesize_invalid(1, kind).body


@pytest.mark.parametrize("kind", sorted(UNPARSABLE))
def test_unparsable_kinds_fail_strict_validation(kind: str) -> None:
    for seed in SEEDS:
        with pytest.raises(SynthError):
            post_from_json(synthesize_invalid(seed, kind).body)


@pytest.mark.parametrize("kind", sorted(TITLE_ALPHABET))
def test_title_kinds_break_only_the_title_alphabet(kind: str) -> None:
    for seed in SEEDS:
        invalid = synthesize_invalid(seed, kind)
        post = post_from_json(invalid.body)
        problems = check_invariants(post, seed)
        assert any(p.startswith("title ") for p in problems), problems
        others = [p for p in problems if not p.startswith(("title ", "topic "))]
        assert others == [], others  # the hash was recomputed: one fault at a time


def test_hash_mismatch_breaks_only_the_hash() -> None:
    for seed in SEEDS:
        post = post_from_json(synthesize_invalid(seed, "hash_mismatch").body)
        problems = check_invariants(post, seed)
        assert len(problems) == 1 and problems[0].startswith("hash is "), problems


def test_changed_content_keeps_the_reference_with_a_correct_hash() -> None:
    for seed in SEEDS:
        invalid = synthesize_invalid(seed, "changed_content")
        original = synthesize(seed)
        post = post_from_json(invalid.body)
        assert invalid.reference == post.meta.reference == original.meta.reference
        assert post != original and post.sections != original.sections
        assert check_invariants(post, seed) == []
        assert invalid.expected_status == (409,)


def test_other_kinds_never_reuse_the_real_reference() -> None:
    for seed in SEEDS:
        real = synthesize(seed).meta.reference
        for kind in INVALID_KINDS:
            if kind != "changed_content":
                assert synthesize_invalid(seed, kind).reference != real


def test_oversized_is_a_sound_post_over_2_mib() -> None:
    invalid = synthesize_invalid(679, "oversized")
    assert len(invalid.body) > 2 * 1024 * 1024
    post = post_from_json(invalid.body)
    assert check_invariants(post, 679) == []
    assert post.meta.hash == post_hash(post)
    assert invalid.expected_status == (413,)


def test_invalid_unicode_is_not_utf8_and_has_no_document() -> None:
    for seed in SEEDS:
        invalid = synthesize_invalid(seed, "invalid_unicode")
        with pytest.raises(UnicodeDecodeError):
            invalid.body.decode("utf-8")
        assert invalid.document is None


def test_not_json_is_not_json() -> None:
    for seed in SEEDS:
        invalid = synthesize_invalid(seed, "not_json")
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(invalid.body)
        assert invalid.document is None


def test_documents_match_the_bodies() -> None:
    for kind in INVALID_KINDS:
        invalid = synthesize_invalid(5, kind)
        if invalid.document is not None:
            assert orjson.loads(invalid.body) == invalid.document


def test_injections_carry_their_payloads() -> None:
    html = [synthesize_invalid(seed, "html_injection") for seed in range(40)]
    assert all(b"<" in i.body for i in html)
    assert any(b"<script>" in i.body for i in html)
    sql = [synthesize_invalid(seed, "sql_injection") for seed in range(40)]
    assert any(b"drop table" in i.body for i in sql)
    for seed in range(20):
        title = orjson.loads(synthesize_invalid(seed, "control_chars").body)["title"]
        assert any(ord(c) < 32 or ord(c) == 127 for c in title), title


def test_wrong_content_type_sends_text_plain() -> None:
    invalid = synthesize_invalid(3, "wrong_content_type")
    assert invalid.content_type.startswith("text/plain")
    assert post_from_json(invalid.body) is not None
    assert all(
        i.content_type == "application/json"
        for i in (
            synthesize_invalid(3, kind) for kind in INVALID_KINDS if kind != "wrong_content_type"
        )
    )


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(SynthError) as caught:
        synthesize_invalid(1, "bogus")
    message = str(caught.value)
    assert "'bogus'" in message
    for kind in INVALID_KINDS:
        assert kind in message


def test_bad_seed_is_refused() -> None:
    with pytest.raises(SeedError):
        synthesize_invalid(-1, "not_json")
