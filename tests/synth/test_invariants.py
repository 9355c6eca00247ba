"""The post invariants, each checked over 10,000 seeds with code independent of the generator's
own bookkeeping, plus check_invariants catching each kind of breakage."""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from synth_seeded import SEEDS, posts

from synth import (
    GENERATOR_NAME,
    GENERATOR_VERSION,
    BulletList,
    CodeBlock,
    Figure,
    Paragraph,
    Post,
    check_invariants,
    synthesize,
)
from synth.generate import reference_of


def _figures(post: Post) -> list[Figure]:
    blocks = [*post.lead, *(b for s in post.sections for b in s.blocks)]
    return [b for b in blocks if isinstance(b, Figure)]


def _paragraph_texts(post: Post) -> list[str]:
    blocks = [*post.lead, *(b for s in post.sections for b in s.blocks)]
    return [b.text for b in blocks if isinstance(b, Paragraph)]


def _checklist(post: Post) -> list[str]:
    (section,) = [s for s in post.sections if s.heading == "implementation checklist"]
    lists = [b for b in section.blocks if isinstance(b, BulletList)]
    return lists[0].items


def test_check_invariants_is_clean_over_10000_seeds() -> None:
    broken = {
        seed: problems
        for seed, post in zip(SEEDS, posts(), strict=True)
        if (problems := check_invariants(post, seed))
    }
    assert broken == {}


@pytest.mark.parametrize("size", ["s", "m", "l"])
def test_check_invariants_is_clean_for_every_size(size: str) -> None:
    for seed, post in enumerate(posts(size, 1000)):
        assert check_invariants(post, seed) == [], (seed, size)


def test_check_invariants_is_clean_for_xl_and_extreme_seeds() -> None:
    for seed in [*range(20), 2**31, 2**53 + 1, 2**63 - 1]:
        for size in (None, "xl"):
            assert check_invariants(synthesize(seed, size=size), seed) == [], (seed, size)


def test_payload_seed_and_source_id() -> None:
    for seed, post in zip(SEEDS, posts(), strict=True):
        assert post.meta.payload.seed == seed
        assert post.meta.payload.source_id == f"alphanode-{seed:06d}"


def test_reference_reads_anp_ref_seed_nnnn_derived_from_the_seed() -> None:
    pattern = re.compile(r"anp-ref-(\d{6,})-(\d{4})")
    suffixes = set()
    for seed, post in zip(SEEDS, posts(), strict=True):
        match = pattern.fullmatch(post.meta.reference)
        assert match is not None, post.meta.reference
        assert int(match.group(1)) == seed
        assert post.meta.reference == reference_of(seed)
        suffixes.add(match.group(2))
    assert len(suffixes) > 5000  # NNNN varies with the seed, it is not a constant


def test_payload_paragraphs_counts_intro_and_body_paragraphs() -> None:
    for post in posts():
        assert post.meta.payload.paragraphs == 1 + len(_paragraph_texts(post))


def test_flags_agree_with_content() -> None:
    seen = set()
    for post in posts():
        figures = _figures(post)
        meta = post.meta
        assert meta.flags.has_images == (len(figures) > 0)
        assert meta.flags.image_heavy == (len(figures) >= 4)
        assert meta.flags.needs_human_review == (
            meta.score.quality < 60 or meta.revision.status == "draft"
        )
        assert meta.flags.ai_generated_style == ("ai generated" in meta.ai_brief)
        seen.add(tuple(meta.flags.model_dump().values()))
    assert len(seen) >= 12  # every flag takes both values in many combinations


def test_image_sources_match_the_figures_in_order() -> None:
    for post in posts():
        assert [(i.source, i.url, i.caption) for i in post.meta.image_sources] == [
            (f.source, f.url, f.caption) for f in _figures(post)
        ]


def test_meta_checklist_equals_the_body_checklist() -> None:
    for post in posts():
        assert post.meta.checklist == _checklist(post)
        assert 3 <= len(post.meta.checklist) <= 7


def test_reading_time_follows_from_the_word_count() -> None:
    for post in posts():
        prose = [post.intro, *_paragraph_texts(post), *_checklist(post), post.final_notes]
        words = sum(len(text.split()) for text in prose)
        assert post.meta.reading_time == max(1, math.ceil(words / 200))


def test_topic_reads_problem_slash_stack() -> None:
    for post in posts():
        outline = post.meta.ai_outline
        assert post.meta.topic == f"{outline.problem} / {outline.stack}"
        assert post.meta.stack[0] == outline.stack
        assert {"name": outline.problem, "type": "problem"} in [
            e.model_dump() for e in post.meta.entities
        ]


def test_hash_is_sha256_of_the_post_with_an_empty_hash() -> None:
    # Recomputed with pydantic's serializer, independently of synth.canonical.
    for post in posts():
        blank = post.model_copy(update={"meta": post.meta.model_copy(update={"hash": ""})})
        digest = hashlib.sha256(blank.model_dump_json().encode()).hexdigest()[:24]
        assert post.meta.hash == digest


def test_generator_fields_and_code_language() -> None:
    for post in posts():
        payload = post.meta.payload
        assert payload.generator == GENERATOR_NAME == "anp content synthesizer"
        assert payload.generator_version == GENERATOR_VERSION
        codes = [b for s in post.sections for b in s.blocks if isinstance(b, CodeBlock)]
        assert codes, "every post has at least one code block"
        assert {c.language for c in codes} == {post.meta.code_language}


def _break(post: Post, **meta_updates: object) -> Post:
    return post.model_copy(update={"meta": post.meta.model_copy(update=meta_updates)})


def _payload(post: Post, **updates: object) -> Post:
    return _break(post, payload=post.meta.payload.model_copy(update=updates))


BREAKAGES = [
    ("seed", lambda p: _payload(p, seed=p.meta.payload.seed + 1), "alphanode-000680"),
    ("source id", lambda p: _payload(p, source_id="alphanode-x"), "source_id"),
    ("reference", lambda p: _break(p, reference="anp-ref-999999-0000"), "reference"),
    ("paragraphs", lambda p: _payload(p, paragraphs=99), "payload.paragraphs"),
    ("generator", lambda p: _payload(p, generator="other"), "payload.generator"),
    ("version", lambda p: _payload(p, generator_version=None), "generator_version"),
    ("image sources", lambda p: _break(p, image_sources=[]), "image sources"),
    (
        "image heavy",
        lambda p: _break(
            p, flags=p.meta.flags.model_copy(update={"image_heavy": not p.meta.flags.image_heavy})
        ),
        "flags.image_heavy",
    ),
    (
        "review",
        lambda p: _break(
            p,
            flags=p.meta.flags.model_copy(
                update={"needs_human_review": not p.meta.flags.needs_human_review}
            ),
        ),
        "needs_human_review",
    ),
    (
        "ai style",
        lambda p: _break(
            p,
            flags=p.meta.flags.model_copy(
                update={"ai_generated_style": not p.meta.flags.ai_generated_style}
            ),
        ),
        "ai_generated_style",
    ),
    ("checklist", lambda p: _break(p, checklist=["something else"]), "checklist"),
    ("reading time", lambda p: _break(p, reading_time=p.meta.reading_time + 5), "reading time"),
    ("topic", lambda p: _break(p, topic="a / b"), "topic"),
    ("code language", lambda p: _break(p, code_language="cobol"), "code block"),
    ("hash", lambda p: _break(p, hash="0" * 24), "hash"),
    ("title", lambda p: p.model_copy(update={"title": "<b>title</b>"}), "title"),
]


@pytest.mark.parametrize(("name", "breaker", "needle"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_check_invariants_names_each_breakage(name, breaker, needle) -> None:
    post = synthesize(679)
    assert check_invariants(post) == []
    problems = check_invariants(breaker(post))
    assert problems, name
    assert any(needle in problem for problem in problems), problems


def test_check_invariants_with_another_seed_reports_the_mismatch() -> None:
    problems = check_invariants(synthesize(5), seed=6)
    assert any("payload.seed is 5, expected 6" in p for p in problems)
