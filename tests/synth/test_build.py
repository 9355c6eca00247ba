"""The builder's tables: JSON-safe vocabulary, prime banks, snippets that survive the page-text
grammar, and caches bounded by the vocabulary."""

from __future__ import annotations

import orjson
import pytest

from synth import build, tables
from synth.data import code, images, prose, topics
from synth.data.faker_tables import COMPANIES, PERSON_NAMES

VOCABULARY = {
    "paragraphs": prose.PARAGRAPHS,
    "tails": prose.TAILS,
    "headings": prose.HEADINGS,
    "checklist": prose.CHECKLIST_ITEMS,
    "notes": prose.NOTES,
    "problems": topics.PROBLEMS,
    "scenarios": topics.SCENARIOS,
    "titles": topics.TITLE_TEMPLATES,
    "intros": topics.INTRO_TEMPLATES,
    "finals": topics.FINAL_TEMPLATES,
    "summaries": topics.SUMMARY_TEMPLATES,
    "focus": topics.SUMMARY_FOCUS,
    "briefs": topics.BRIEF_TEMPLATES,
    "actions": topics.ACTIONS,
    "tools": topics.COMMON_TOOLS,
    "people": PERSON_NAMES,
    "companies": COMPANIES,
    "stacks": tuple(v for s in topics.STACKS for v in (s.name, s.area, s.language, *s.tools)),
    "images": (*images.UNSPLASH_PHOTOS, *images.LOREMFLICKR_TAGS, *images.CAPTION_KINDS),
}


@pytest.mark.parametrize("name", sorted(VOCABULARY))
def test_vocabulary_is_json_safe_single_line_text(name: str) -> None:
    # The builder writes these strings into JSON verbatim: they must need no escaping.
    for value in VOCABULARY[name]:
        assert orjson.dumps(value)[1:-1].decode() == value, value
        assert value == value.strip() and "  " not in value, value


def test_banks_walked_by_stride_have_prime_sizes() -> None:
    def is_prime(n: int) -> bool:
        return n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))

    for bank in (prose.PARAGRAPHS, prose.TAILS, prose.HEADINGS, prose.CHECKLIST_ITEMS):
        assert is_prime(len(bank)), len(bank)


def test_prose_shapes() -> None:
    for text in (*prose.PARAGRAPHS, *prose.TAILS, *topics.INTRO_TEMPLATES, *topics.FINAL_TEMPLATES):
        assert text.endswith("."), text
    for heading in prose.HEADINGS:
        assert not heading.endswith(".")
        assert heading not in {"final notes", "alphanode post meta", prose.CHECKLIST_HEADING}
    assert sum("ai generated" in brief for brief in topics.BRIEF_TEMPLATES) not in (
        0,
        len(topics.BRIEF_TEMPLATES),
    )


@pytest.mark.parametrize("family", sorted(code.SNIPPETS))
def test_every_snippet_survives_the_page_text_grammar(family: str) -> None:
    for snippet in code.SNIPPETS[family]:
        assert "\r" not in snippet
        for chunk in snippet.split("\n\n"):
            lines = chunk.split("\n")
            assert len(lines) >= 2, chunk
            for line in lines:
                assert line, chunk  # no runs of blank lines inside a snippet
                assert line == line.rstrip(), line
                assert not line.startswith("  • "), line


def test_per_stack_tables_are_fully_formatted() -> None:
    for per_stack in (*tables.BANK_BY_STACK, *tables.TAILS_BY_STACK):
        for entry in per_stack:
            if entry is not None:
                assert "{" not in entry[0] and "}" not in entry[0]
    for stack_i, stack in enumerate(topics.STACKS):
        for block in tables.CODE_BLOCKS[stack_i]:
            assert orjson.loads(block)["language"] == stack.code_language


def test_checklist_cache_is_bounded_by_the_vocabulary() -> None:
    for seed in range(3000):
        build.build_json(seed, None)
    assert (
        len(build._CHECKLISTS) <= len(prose.CHECKLIST_ITEMS) * (len(prose.CHECKLIST_ITEMS) - 1) * 8
    )
