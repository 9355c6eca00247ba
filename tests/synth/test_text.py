"""render_text / parse_text: round trips (grammar-level and synthesized posts), the tight/loose
joining rule, and parse errors that name the line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from post_strategies import posts

from synth import (
    SIZES,
    BulletList,
    CodeBlock,
    Figure,
    Paragraph,
    ParseError,
    Post,
    Section,
    SimilarPost,
    parse_text,
    render_text,
    synthesize,
)

SPECIMEN_TEXT = (Path(__file__).parent / "specimens" / "anp-post-000679.txt").read_text("utf-8")


def _round_trip(post: Post) -> None:
    text = render_text(post)
    parsed = parse_text(text)
    assert parsed == post
    assert render_text(parsed) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts())
def test_any_post_obeying_the_grammar_round_trips(post: Post) -> None:
    _round_trip(post)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63 - 1), st.sampled_from((None, *SIZES)))
def test_synthesized_posts_round_trip(seed: int, size: str | None) -> None:
    _round_trip(synthesize(seed, size=size))


@pytest.mark.parametrize(
    "size", [None, *(pytest.param(s, marks=pytest.mark.slow) if s == "xl" else s for s in SIZES)]
)
def test_sweep_of_2000_seeds_round_trips(size: str | None) -> None:
    failures = []
    for seed in range(2000):
        post = synthesize(seed, size=size)
        text = render_text(post)
        try:
            if parse_text(text) != post:
                failures.append((seed, "parsed post differs"))
        except ParseError as exc:
            failures.append((seed, str(exc)))
    assert failures == []


def _with_body(lead: list, sections: list[Section] | None = None) -> Post:
    base = parse_text(SPECIMEN_TEXT)
    figures = [b for b in lead if isinstance(b, Figure)]
    meta = base.meta.model_copy(
        update={
            "image_sources": [
                s for s in base.meta.image_sources if s.url in {f.url for f in figures}
            ]
        }
    )
    return base.model_copy(update={"lead": lead, "sections": sections or [], "meta": meta})


def _figure(n: int) -> Figure:
    spec = parse_text(SPECIMEN_TEXT).meta.image_sources[n]
    return Figure(caption=spec.caption, source=spec.source, url=spec.url)


def test_tight_neighbours_join_with_one_newline_loose_ones_with_a_blank_line() -> None:
    post = _with_body([BulletList(items=["a", "b"]), _figure(0), Paragraph(text="p."), _figure(1)])
    text = render_text(post)
    caption0, caption1 = _figure(0).caption, _figure(1).caption
    assert f"  • b\n{caption0}\n" in text
    assert f"image source: unsplash\n\np.\n\n{caption1}\n" in text
    _round_trip(post)


def test_code_with_several_blank_lines_stays_one_block() -> None:
    code = "def f():\n    pass\n\n\nclass C:\n    x = 1\n\ny = [\n  2]"
    post = _with_body([Paragraph(text="p."), CodeBlock(language="python", code=code)])
    parsed = parse_text(render_text(post))
    assert parsed.lead[1] == CodeBlock(language="python", code=code)


def test_empty_body_round_trips() -> None:
    _round_trip(_with_body([]))


def test_sections_without_blocks_round_trip() -> None:
    _round_trip(
        _with_body([], [Section(heading="one", blocks=[]), Section(heading="two", blocks=[])])
    )


def test_similar_posts_are_bullets_after_the_last_line() -> None:
    post = parse_text(SPECIMEN_TEXT).model_copy(
        update={"similar_posts": [SimilarPost(title="a b", reference="anp-ref-000001-0001")]}
    )
    text = render_text(post)
    assert text.endswith("\n\nSimilar Posts\n  • a b (anp-ref-000001-0001)")
    _round_trip(post)


def test_generator_version_line_appears_only_when_set() -> None:
    post = synthesize(5)
    assert post.meta.payload.generator_version is not None
    assert f"  • generator version: {post.meta.payload.generator_version}\n" in render_text(post)
    assert "generator version" not in SPECIMEN_TEXT


# --- parse errors: a table of broken texts -------------------------------------------------------

TITLE = "how to handle reducing build time in python services"

BROKEN = [
    pytest.param(
        SPECIMEN_TEXT.replace(f"{TITLE}\n\n", f"{TITLE}\n", 1),
        4,
        "a blank line after the title",
        id="missing-blank-after-title",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("reading time10", "reading timeten"),
        76,
        "reading time as a decimal integer",
        id="non-integer-reading-time",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("reading time10", "reading time010"),
        76,
        "reading time as a decimal integer",
        id="non-canonical-integer",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("has images: 1", "has images: yes"),
        91,
        "flags has images as 1 or 0",
        id="flag-not-1-or-0",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("production checks\n\n", "production checks\n\n\n"),
        14,
        "exactly one blank line between body elements",
        id="two-blank-lines-in-body",
    ),
    pytest.param(SPECIMEN_TEXT[:2000], 33, "a 'final notes' heading", id="truncated"),
    pytest.param("", 2, "a blank line after the breadcrumb", id="empty"),
    pytest.param(
        SPECIMEN_TEXT.replace("\n", "\r\n"), 1, "lines ending in LF", id="crlf-line-endings"
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("\nai brief", "\nai summary"),
        62,
        "the meta line 'ai brief'",
        id="wrong-meta-label",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("  • stack: python services\n", ""),
        60,
        "'• stack:' line of 'ai outline'",
        id="missing-keyed-field",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("    • type: area\n", ""),
        104,
        "'• type:' line of 'entities'",
        id="record-missing-a-field",
    ),
    pytest.param(
        SPECIMEN_TEXT + "\n  • broken similar post",
        135,
        "a similar post line",
        id="similar-post-without-reference",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace(
            "visual reference 5. image source: loremflickr.com",
            "visual reference 5. image source: loremflickr.com\nextra\nextra. image source: x",
        ),
        48,
        "no more figures than 'image sources' entries",
        id="more-figures-than-image-sources",
    ),
    pytest.param(
        SPECIMEN_TEXT.replace("\nalphanode post meta\n", "\nalphanode post data\n"),
        53,
        "the line 'alphanode post meta'",
        id="missing-meta-heading",
    ),
]


@pytest.mark.parametrize(("text", "line", "expected"), BROKEN)
def test_parse_errors_name_the_line_and_what_was_expected(
    text: str, line: int, expected: str
) -> None:
    with pytest.raises(ParseError) as info:
        parse_text(text)
    message = str(info.value)
    assert message.startswith(f"line {line}: expected ")
    assert expected in message
    assert ", got " in message
    assert info.value.exit_code == 2


def test_parse_error_quotes_the_offending_line() -> None:
    with pytest.raises(ParseError, match=r"got 'reading timeten'"):
        parse_text(SPECIMEN_TEXT.replace("reading time10", "reading timeten"))


def test_parse_text_refuses_bytes() -> None:
    with pytest.raises(TypeError, match="expects str, got bytes"):
        parse_text(SPECIMEN_TEXT.encode())  # type: ignore[arg-type]
