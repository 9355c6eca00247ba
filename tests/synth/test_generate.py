"""synthesize(): argument checking, structure like the specimen, variety, sizes, page-text
constraints, purity."""

from __future__ import annotations

import random
import statistics

import pytest
from synth_seeded import posts

from synth import (
    MAX_SEED,
    SIZES,
    BulletList,
    CodeBlock,
    Figure,
    Paragraph,
    Post,
    SeedError,
    SynthError,
    canonical_json,
    synthesize,
)
from synth.data import code, prose, topics
from synth.generate import reference_of, title_of, topic_of

BAD_SEEDS = [
    (-1, "got seed=-1"),
    (MAX_SEED + 1, f"got seed={MAX_SEED + 1}"),
    (1.0, "got seed=1.0 (a float)"),
    ("5", "got seed='5' (a str)"),
    (True, "got seed=True (a bool)"),
    (None, "got seed=None"),
]


@pytest.mark.parametrize(("seed", "message"), BAD_SEEDS)
def test_bad_seeds_get_a_clear_error(seed, message) -> None:
    with pytest.raises(SeedError) as caught:
        synthesize(seed)
    assert message in str(caught.value)
    assert "0..9223372036854775807" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("size", ["xxl", "S", "", 3, "medium"])
def test_bad_sizes_name_the_value_and_the_allowed_ones(size) -> None:
    with pytest.raises(SynthError) as caught:
        synthesize(1, size=size)
    message = str(caught.value)
    assert f"size={size!r}" in message
    assert "s, m, l, xl or None" in message


def test_extreme_seeds_work() -> None:
    for seed in (0, 1, MAX_SEED - 1, MAX_SEED):
        post = synthesize(seed)
        assert post.meta.payload.seed == seed
    assert synthesize(MAX_SEED).meta.payload.source_id == f"alphanode-{MAX_SEED}"


def test_structure_mirrors_the_specimen() -> None:
    for post in posts()[:2000]:
        assert post.breadcrumb == "| |"
        assert all(isinstance(b, Figure) for b in post.lead)
        assert len(post.sections) >= 2
        last = post.sections[-1]
        assert last.heading == "implementation checklist"
        assert isinstance(last.blocks[0], BulletList)
        assert all(isinstance(b, Figure) for b in last.blocks[1:])
        for section in post.sections[:-1]:
            assert isinstance(section.blocks[0], Paragraph)
            assert not any(isinstance(b, (BulletList, Figure)) for b in section.blocks)
        assert post.intro.endswith(".") and post.final_notes.endswith(".")
        assert len(post.similar_posts) <= 3
        assert post.meta.notes[0] == prose.NOTES[0]
        assert post.meta.stack[0] in post.title


def test_title_templates_and_topic_use_problem_and_stack() -> None:
    post = synthesize(679)
    stack, problem, scenario, template = topic_of(679)
    assert post.meta.ai_outline.stack == topics.STACKS[stack].name
    assert post.meta.ai_outline.problem == topics.PROBLEMS[problem]
    assert post.meta.payload.scenario == topics.SCENARIOS[scenario]
    assert post.title == topics.TITLE_TEMPLATES[template].format(
        problem=topics.PROBLEMS[problem],
        stack=topics.STACKS[stack].name,
        scenario=topics.SCENARIOS[scenario],
    )


def test_similar_posts_name_other_seeds_titles_and_references() -> None:
    checked = 0
    for seed, post in enumerate(posts()[:300]):
        for similar in post.similar_posts:
            other = int(similar.reference.split("-")[2])
            assert other != seed
            assert similar.reference == reference_of(other)
            assert similar.title == title_of(other) == synthesize(other).title
            checked += 1
    assert checked > 200


def test_variety_meets_the_issue() -> None:
    assert len(topics.STACKS) >= 15
    assert len(topics.PROBLEMS) >= 40
    assert len(topics.SCENARIOS) >= 10
    languages = {stack.code_language for stack in topics.STACKS}
    assert len(languages) >= 8
    everything = posts()
    assert len({p.meta.stack[0] for p in everything}) == len(topics.STACKS)
    assert len({p.meta.ai_outline.problem for p in everything}) == len(topics.PROBLEMS)
    assert len({p.meta.payload.scenario for p in everything}) == len(topics.SCENARIOS)
    assert len({p.meta.code_language for p in everything}) == len(languages)
    assert len({p.title for p in everything}) > 5000


def test_code_fits_the_stack() -> None:
    for stack in topics.STACKS:
        assert stack.snippets.startswith(stack.code_language + "-"), stack
        assert len(code.SNIPPETS[stack.snippets]) >= 2
    for post in posts()[:3000]:
        stack = next(s for s in topics.STACKS if s.name == post.meta.stack[0])
        for section in post.sections:
            for block in section.blocks:
                if isinstance(block, CodeBlock):
                    assert block.code in code.SNIPPETS[stack.snippets]
                    assert block.language == stack.code_language


def test_at_least_9900_distinct_bodies_over_seeds_0_to_9999() -> None:
    bodies = {
        repr((p.intro, p.model_dump()["lead"], p.model_dump()["sections"], p.final_notes))
        for p in posts()
    }
    assert len(bodies) >= 9900


def test_sizes_grow_and_xl_is_about_100_kb() -> None:
    means = {}
    for size in ("s", "m", "l"):
        means[size] = statistics.mean(len(canonical_json(p)) for p in posts(size, 300))
    xl = [len(canonical_json(synthesize(seed, size="xl"))) for seed in range(30)]
    means["xl"] = statistics.mean(xl)
    assert means["s"] < means["m"] < means["l"] < means["xl"]
    assert min(xl) >= 85_000 and max(xl) <= 120_000
    assert 3_000 <= means["m"] <= 8_000


def test_natural_sizes_vary() -> None:
    lengths = [len(canonical_json(p)) for p in posts()[:2000]]
    assert min(lengths) < 4_000 < 15_000 < max(lengths)


def test_size_changes_the_body_only() -> None:
    for seed in (0, 679, 12345):
        variants = [synthesize(seed, size=size) for size in (None, *SIZES)]
        assert len({p.title for p in variants}) == 1
        assert len({p.meta.reference for p in variants}) == 1
        assert len({tuple(p.similar_posts) for p in variants}) == 1
        assert len({p.meta.hash for p in variants}) >= 4


def _lines_of_values(post: Post) -> list[str]:
    meta = post.meta
    values = [post.breadcrumb, post.title, post.intro, post.final_notes]
    values += [s.heading for s in post.sections]
    for block in [*post.lead, *(b for s in post.sections for b in s.blocks)]:
        if isinstance(block, Paragraph):
            values.append(block.text)
        elif isinstance(block, BulletList):
            values += block.items
        elif isinstance(block, Figure):
            values += [block.caption, block.source, block.url]
    values += [meta.topic, meta.summary, meta.ai_brief, meta.code_language, meta.difficulty]
    values += [*meta.ai_outline.model_dump().values(), *meta.stack, *meta.tools, *meta.notes]
    values += [*meta.revision.model_dump().values(), meta.reference, meta.hash]
    values += [v for e in meta.entities for v in e.model_dump().values()]
    values += [v for i in meta.image_sources for v in i.model_dump().values()]
    values += [meta.payload.source_id, meta.payload.generator, meta.payload.scenario]
    values += [v for s in post.similar_posts for v in s.model_dump().values()]
    return [str(v) for v in values]


def test_posts_obey_the_page_text_constraints() -> None:
    reserved = {"final notes", "alphanode post meta"}
    for post in posts():
        for value in _lines_of_values(post):
            assert value and "\n" not in value and "\r" not in value, value
            assert value == value.strip(), value
        for text in [post.intro, post.final_notes]:
            assert text.endswith(".")
        for section in post.sections:
            assert not section.heading.endswith(".")
            assert section.heading not in reserved
            previous = None
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    assert block.text.endswith(".") and not block.text.startswith("  • ")
                if isinstance(block, CodeBlock):
                    assert not isinstance(previous, CodeBlock)
                    for chunk in block.code.split("\n\n"):
                        lines = chunk.split("\n")
                        assert len(lines) >= 2, chunk
                        for line in lines:
                            assert line and line == line.rstrip() and "\r" not in line
                            assert not line.startswith("  • ")
                previous = block
        for similar in post.similar_posts:
            assert "(" not in similar.title


def test_synthesize_is_pure() -> None:
    state = random.getstate()
    first = synthesize(4242)
    second = synthesize(4242)
    assert random.getstate() == state  # never touches the global random
    assert first == second and first is not second
    assert canonical_json(first) == canonical_json(second)
    assert synthesize(4242, size="l") == synthesize(4242, size="l")
