"""The anp page text format: ``render_text`` and its inverse ``parse_text``.

The grammar (``shared/specimens/anp-post-000679.txt`` is the reference)::

    {breadcrumb}\\n\\n{title}\\n\\n{intro}\\n\\n{body}\\n\\nfinal notes\\n\\n{final notes}
    \\n\\nalphanode post meta\\n\\n{meta lines}\\n\\nSimilar Posts{\\n  • title (reference)...}

The body is the lead blocks, then each section's heading followed by its blocks. Two neighbouring
elements are joined with one newline when both are *tight* (a figure or a bullet list) and with a
blank line otherwise. The text has no trailing newline.

What the text cannot carry, and so what a post must respect to round-trip
(``parse_text(render_text(post)) == post``):

- every code block's language is the meta box's ``code language`` (the parser assigns it);
- every figure's URL is the matching ``image sources`` entry's URL, in order (figures in the body
  and image sources in the meta box pair up one to one);
- the line rules of the grammar: single-line values, headings not ending in ".", paragraphs ending
  in ".", no two bullet lists adjacent, code chunks of at least two lines, and so on (see
  ``notes/textformat.md``).
"""

from __future__ import annotations

from synth.meta_text import parse_meta, render_meta
from synth.model import Block, BulletList, CodeBlock, Figure, Paragraph, Post, Section, SimilarPost
from synth.text_lines import BULLET, Lines, expect_blank, expect_exact, fail

__all__ = ["parse_text", "render_text"]

IMAGE_SOURCE_SEP = ". image source: "
FINAL_NOTES = "final notes"
META_HEADING = "alphanode post meta"
SIMILAR_HEADING = "Similar Posts"


# --- rendering ---------------------------------------------------------------------------------


def _render_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, CodeBlock):
        return block.code
    if isinstance(block, BulletList):
        return "\n".join(BULLET + item for item in block.items)
    return f"{block.caption}\n{block.caption}{IMAGE_SOURCE_SEP}{block.source}"


def _render_body(post: Post) -> str:
    """The body elements joined by the tight/loose rule."""
    elements: list[tuple[str, bool]] = [
        (_render_block(b), isinstance(b, BulletList | Figure)) for b in post.lead
    ]
    for section in post.sections:
        elements.append((section.heading, False))
        elements.extend(
            (_render_block(b), isinstance(b, BulletList | Figure)) for b in section.blocks
        )
    parts: list[str] = []
    previous_tight = False
    for index, (text, tight) in enumerate(elements):
        if index:
            parts.append("\n" if (tight and previous_tight) else "\n\n")
        parts.append(text)
        previous_tight = tight
    return "".join(parts)


def render_text(post: Post) -> str:
    """Render ``post`` as anp page text (no trailing newline), byte for byte like the specimen."""
    head = [post.breadcrumb, post.title, post.intro]
    body = _render_body(post)
    if body:
        head.append(body)
    head += [FINAL_NOTES, post.final_notes, META_HEADING, render_meta(post.meta), SIMILAR_HEADING]
    similar = "".join(f"\n{BULLET}{s.title} ({s.reference})" for s in post.similar_posts)
    return "\n\n".join(head) + similar


# --- parsing -----------------------------------------------------------------------------------


def _chunks(lines: Lines, end: int) -> list[tuple[int, int]]:
    """Split lines[lines.pos:end] into (start, stop) runs of non-blank lines."""
    runs: list[tuple[int, int]] = []
    index = lines.pos
    while index < end:
        if lines.items[index] == "":
            index += 1
            continue
        start = index
        while index < end and lines.items[index] != "":
            index += 1
        runs.append((start, index))
    return runs


def _tight_blocks(lines: Lines, start: int, stop: int) -> list[tuple[str, object, int]] | None:
    """Parse a run as bullet lists and figures, or return None when it is not tight content."""
    out: list[tuple[str, object, int]] = []
    index = start
    items = lines.items
    while index < stop:
        line = items[index]
        if line.startswith(BULLET):
            bullets: list[str] = []
            first = index
            while index < stop and items[index].startswith(BULLET):
                bullets.append(items[index][len(BULLET) :])
                index += 1
            out.append(("list", bullets, first))
            continue
        prefix = line + IMAGE_SOURCE_SEP
        if index + 1 < stop and items[index + 1].startswith(prefix):
            out.append(("figure", (line, items[index + 1][len(prefix) :]), index))
            index += 2
            continue
        return None
    return out


def _parse_body(lines: Lines, end: int) -> list[tuple[str, object, int]]:
    """Classify the body into (kind, value, line index) elements; kinds: paragraph, heading, code,
    list, figure. Consecutive code runs merge, keeping the blank lines between them."""
    runs = _chunks(lines, end)
    if not runs or runs[0][0] != lines.pos:
        fail(lines, lines.pos, "a body element right after the blank line that follows the intro")
    if runs[-1][1] != end:
        fail(lines, runs[-1][1] + 1, f"the {FINAL_NOTES!r} heading after one blank line")
    elements: list[tuple[str, object, int]] = []
    previous_stop = lines.pos
    previous_kind = ""
    for start, stop in runs:
        gap = start - previous_stop
        single = stop - start == 1
        tight = _tight_blocks(lines, start, stop)
        if tight is not None:
            kinds = tight
        elif single:
            text = lines.items[start]
            kinds = [("paragraph" if text.endswith(".") else "heading", text, start)]
        else:
            kinds = [("code", "\n".join(lines.items[start:stop]), start)]
        if elements and gap != 1 and not (previous_kind == "code" and kinds[0][0] == "code"):
            fail(lines, start - 1, "exactly one blank line between body elements")
        if elements and previous_kind == "code" and kinds[0][0] == "code":
            code_start = elements[-1][2]
            merged = "\n".join(lines.items[code_start:stop])
            elements[-1] = ("code", merged, code_start)
        else:
            elements.extend(kinds)
        previous_kind = kinds[-1][0]
        previous_stop = stop
    return elements


def _find_final_notes(lines: Lines) -> int:
    """Index of the body's closing ``final notes`` line: the first one-line run equal to it."""
    items = lines.items
    for index in range(lines.pos, len(items)):
        if (
            items[index] == FINAL_NOTES
            and items[index - 1] == ""
            and (index + 1 >= len(items) or items[index + 1] == "")
        ):
            return index
    fail(lines, len(items) - 1, f"a {FINAL_NOTES!r} heading line after the body")


def _build_post_body(
    elements: list[tuple[str, object, int]], language: str, urls: list[str], lines: Lines
) -> tuple[list[Block], list[Section]]:
    lead: list[Block] = []
    current: list[Block] = lead
    headings: list[str] = []
    blocks_by_section: list[list[Block]] = []
    figure_index = 0
    for kind, value, line_index in elements:
        if kind == "heading":
            assert isinstance(value, str)
            headings.append(value)
            current = []
            blocks_by_section.append(current)
        elif kind == "paragraph":
            assert isinstance(value, str)
            current.append(Paragraph(text=value))
        elif kind == "code":
            assert isinstance(value, str)
            current.append(CodeBlock(language=language, code=value))
        elif kind == "list":
            assert isinstance(value, list)
            current.append(BulletList(items=value))
        else:
            assert isinstance(value, tuple)
            caption, source = value
            if figure_index >= len(urls):
                fail(
                    lines,
                    line_index,
                    f"no more figures than 'image sources' entries in the meta box "
                    f"({len(urls)}); this is figure {figure_index + 1}",
                )
            current.append(Figure(caption=caption, source=source, url=urls[figure_index]))
            figure_index += 1
    if figure_index != len(urls):
        fail(
            lines,
            elements[-1][2] if elements else lines.pos,
            f"{len(urls)} figures to match the meta box's 'image sources', found {figure_index}",
        )
    sections = [
        Section(heading=heading, blocks=blocks)
        for heading, blocks in zip(headings, blocks_by_section, strict=True)
    ]
    return lead, sections


def parse_text(text: str) -> Post:
    """Parse anp page text back into a Post. Raises ``synth.errors.ParseError`` naming the line
    number, the line and what was expected."""
    if not isinstance(text, str):
        raise TypeError(f"parse_text expects str, got {type(text).__name__}")
    lines = Lines(text.split("\n"))
    if lines.items[0].endswith("\r"):
        fail(lines, 0, "lines ending in LF ('\\n') only, not CRLF")
    breadcrumb = lines.take("the breadcrumb line")
    expect_blank(lines, "after the breadcrumb")
    title = lines.take("the title line")
    expect_blank(lines, "after the title")
    intro = lines.take("the intro paragraph")
    expect_blank(lines, "after the intro")
    body_start = lines.pos
    final_index = _find_final_notes(lines)
    lines.pos = body_start
    elements = _parse_body(lines, final_index - 1) if final_index > body_start else []
    lines.pos = final_index + 1
    expect_blank(lines, f"after {FINAL_NOTES!r}")
    final_notes = lines.take("the final notes paragraph")
    expect_blank(lines, "after the final notes")
    expect_exact(lines, META_HEADING)
    expect_blank(lines, f"after {META_HEADING!r}")
    meta = parse_meta(lines)
    expect_blank(lines, "after the meta box")
    expect_exact(lines, SIMILAR_HEADING)
    similar: list[SimilarPost] = []
    while not lines.at_end():
        line = lines.take("a similar post")
        title_part, sep, rest = line[len(BULLET) :].partition(" (")
        if not line.startswith(BULLET) or not sep or not rest.endswith(")"):
            fail(lines, lines.pos - 1, "a similar post line '  • {title} ({reference})'")
        similar.append(SimilarPost(title=title_part, reference=rest[:-1]))
    urls = [source.url for source in meta.image_sources]
    lead, sections = _build_post_body(elements, meta.code_language, urls, lines)
    return Post(
        breadcrumb=breadcrumb,
        title=title,
        intro=intro,
        lead=lead,
        sections=sections,
        final_notes=final_notes,
        meta=meta,
        similar_posts=similar,
    )
