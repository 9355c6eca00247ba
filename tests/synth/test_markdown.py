"""render_markdown: headings, paragraphs, fenced code with its language, lists, images, the meta
box as a definition-like list, and escaping checked with a real CommonMark parser
(markdown-it-py, installed with rich)."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_dom import parse_html
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from post_strategies import posts

from synth import (
    BulletList,
    CodeBlock,
    Figure,
    ImageSource,
    Paragraph,
    Post,
    Section,
    parse_text,
    render_markdown,
    synthesize,
)
from synth.markdown import escape_markdown

SPECIMEN = parse_text((Path(__file__).parent / "specimens" / "anp-post-000679.txt").read_text())
MD = MarkdownIt("commonmark")
SCRIPT = "<script>alert(1)</script>"


def _tokens(post: Post) -> list[Token]:
    return MD.parse(render_markdown(post))


def _flat(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flat(token.children or []))
    return out


def _inline_text(markdown_inline: str) -> str:
    """What a reader sees: render one paragraph to HTML and take its text."""
    root, _ = parse_html(MD.render(markdown_inline))
    return root.text().removesuffix("\n")


def _headings(tokens: list[Token], tag: str) -> list[str]:
    out = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == tag:
            out.append(_inline_text(tokens[index + 1].content))
    return out


def test_headings() -> None:
    tokens = _tokens(SPECIMEN)
    assert _headings(tokens, "h1") == [SPECIMEN.title]
    assert _headings(tokens, "h2") == [s.heading for s in SPECIMEN.sections] + [
        "final notes",
        "alphanode post meta",
        "Similar Posts",
    ]


def test_fenced_code_with_language() -> None:
    fences = [t for t in _tokens(SPECIMEN) if t.type == "fence"]
    block = SPECIMEN.sections[0].blocks[-1]
    assert isinstance(block, CodeBlock)
    assert [(f.info, f.content) for f in fences] == [("python", block.code + "\n")]


def test_code_containing_backticks_cannot_close_the_fence_early() -> None:
    code = "x = '```'\n````\ny = 1"
    post = SPECIMEN.model_copy(update={"lead": [CodeBlock(language="python", code=code)]})
    post = post.model_copy(
        update={"meta": post.meta.model_copy(update={"image_sources": []}), "sections": []}
    )
    fences = [t for t in _tokens(post) if t.type == "fence"]
    assert [(f.info, f.content) for f in fences] == [("python", code + "\n")]


def test_images_carry_url_and_caption() -> None:
    images = [t for t in _flat(_tokens(SPECIMEN)) if t.type == "image"]
    assert [(i.attrs["src"], i.content) for i in images] == [
        (s.url, s.caption) for s in SPECIMEN.meta.image_sources
    ]


def test_paragraphs_and_lists() -> None:
    html_root, _ = parse_html(MD.render(render_markdown(SPECIMEN)))
    paragraphs = [p.text() for p in html_root.find_all("p")]
    assert SPECIMEN.intro in paragraphs and SPECIMEN.final_notes in paragraphs
    for block in SPECIMEN.sections[0].blocks[:4]:
        assert isinstance(block, Paragraph)
        assert block.text in paragraphs
    lists = [[li.text().strip() for li in ul.elements()] for ul in html_root.find_all("ul")]
    assert SPECIMEN.meta.checklist in lists


def test_meta_box_is_a_definition_like_list() -> None:
    text = render_markdown(SPECIMEN)
    assert "\n- **topic:** reducing build time / python services\n" in text
    assert "\n- **stack:**\n  - python services\n  - backend\n  - python\n" in text
    assert "\n- **flags:**\n  - **ai generated style:** 1\n" in text
    assert "\n  - **name:** backend; **type:** area\n" in text
    assert "\n  - **seed:** 679\n" in text


def _hostile() -> Post:
    figure = Figure(
        caption="a](javascript:alert(1)) [b", source=SCRIPT, url="https://x.test/a b>.png"
    )
    meta = SPECIMEN.meta.model_copy(
        update={
            "image_sources": [
                ImageSource(source=figure.source, url=figure.url, caption=figure.caption)
            ],
            "tools": [SCRIPT, "*not bold*"],
        }
    )
    return SPECIMEN.model_copy(
        update={
            "title": f"{SCRIPT} *x* [link](http://evil.test)",
            "intro": "<img src=x onerror=alert(1)> & &amp; `code`.",
            "lead": [figure],
            "sections": [
                Section(
                    heading="# not a heading",
                    blocks=[
                        Paragraph(text="1. not a list."),
                        BulletList(items=["- nested?", SCRIPT]),
                    ],
                )
            ],
            "meta": meta,
        }
    )


def test_hostile_content_stays_text() -> None:
    post = _hostile()
    tokens = _flat(_tokens(post))
    assert [t for t in tokens if t.type in ("html_inline", "html_block")] == []
    assert [t for t in tokens if t.type == "link_open"] == []
    assert _headings(_tokens(post), "h1") == [post.title]
    assert _headings(_tokens(post), "h2")[0] == "# not a heading"
    root, _ = parse_html(MD.render(render_markdown(post)))
    images = root.find_all("img")
    assert [(i.attrs["alt"], i.attrs["src"]) for i in images] == [
        ("a](javascript:alert(1)) [b", "https://x.test/a%20b%3E.png")
    ]
    assert root.find_all("a") == []
    assert [li.text() for li in root.find_all("li") if li.text() == "*not bold*"] == ["*not bold*"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.characters(blacklist_characters="\n\r\x00\x0b", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=40,
    )
)
def test_escaped_text_renders_as_the_same_text(text: str) -> None:
    # Excluded: line breaks (not inline text), NUL (CommonMark replaces it) and a vertical tab,
    # which parsers strip at the ends of a line and refuse as a character reference.
    assert _inline_text(escape_markdown(text)) == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts())
def test_any_post_title_survives(post: Post) -> None:
    # A vertical tab at either end cannot be kept, nor a NUL anywhere (CommonMark turns it into
    # U+FFFD; see synth.markdown); everything else can.
    assume("\x0b" not in post.title[:1] + post.title[-1:])
    assume("\x00" not in post.title)
    tokens = _tokens(post)
    assert _headings(tokens, "h1") == [post.title]
    assert [t for t in _flat(tokens) if t.type in ("html_inline", "html_block")] == []


@pytest.mark.parametrize("seed", [0, 679, 2**63 - 1])
def test_synthesized_posts(seed: int) -> None:
    post = synthesize(seed)
    fences = [t for t in _tokens(post) if t.type == "fence"]
    codes = [
        b
        for b in list(post.lead) + [b for s in post.sections for b in s.blocks]
        if isinstance(b, CodeBlock)
    ]
    assert [(f.info, f.content) for f in fences] == [(c.language, c.code + "\n") for c in codes]
    assert render_markdown(post).endswith("\n")


def test_a_nul_in_a_title_renders_as_the_replacement_character() -> None:
    # The documented limit: CommonMark replaces NUL (and &#0;) with U+FFFD.
    post = synthesize(5).model_copy(update={"title": "a\x00b"})
    assert _headings(_tokens(post), "h1") == ["a\ufffdb"]
