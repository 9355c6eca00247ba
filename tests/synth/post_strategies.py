"""Hypothesis strategies for Posts that obey the page-text grammar's constraints
(notes/textformat.md), so that render_text/parse_text must round-trip them. Used by the text,
HTML and Markdown tests."""

from __future__ import annotations

from hypothesis import strategies as st

from synth.model import (
    AiOutline,
    BulletList,
    CodeBlock,
    Entity,
    Figure,
    Flags,
    ImageSource,
    Meta,
    Paragraph,
    Payload,
    Post,
    Revision,
    Score,
    Section,
    SimilarPost,
)

BULLET = "  • "
RESERVED = {"final notes", "alphanode post meta", "Similar Posts"}

# Any character except line breaks (\n, \r) and surrogates; includes HTML/Markdown-active ones.
_chars = st.characters(blacklist_characters="\n\r\f", blacklist_categories=("Cs",))
_hostile = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "a & b",
        '"quoted"',
        "'single'",
        "*bold*",
        "[x](y)",
        "`tick`",
        "# hash",
        "1. one",
        "- dash",
        "\\back",
        "<!-- c -->",
        "&amp;",
        "|pipe|",
        "~~s~~",
        "é中文",
    ]
)


def _line(min_size: int = 1) -> st.SearchStrategy[str]:
    free = st.text(_chars, min_size=min_size, max_size=24)
    return st.one_of(free, _hostile).filter(
        lambda s: len(s) >= min_size and not s.startswith(BULLET) and s not in RESERVED
    )


lines = _line()
paragraphs = lines.map(lambda s: s.rstrip(".") + ".")
headings = lines.map(lambda s: s.rstrip(".") or "h").filter(
    lambda s: s not in RESERVED and not s.startswith(BULLET)
)
_code_line = st.text(
    st.characters(blacklist_characters="\n\r\f", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
).filter(lambda s: not s.startswith(BULLET) and " image source: " not in s)
_code_chunk = st.lists(_code_line, min_size=2, max_size=4).map("\n".join)


@st.composite
def code_text(draw: st.DrawFn) -> str:
    chunks = draw(st.lists(_code_chunk, min_size=1, max_size=3))
    gaps = draw(
        st.lists(st.sampled_from(["\n\n", "\n\n\n"]), min_size=len(chunks), max_size=len(chunks))
    )
    out = chunks[0]
    for gap, chunk in zip(gaps, chunks[1:], strict=False):
        out += gap + chunk
    return out


@st.composite
def blocks(draw: st.DrawFn, language: str) -> list:
    """A block list with no two code blocks adjacent and no two bullet lists adjacent."""
    out: list = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["paragraph", "code", "list", "figure"]))
        previous = out[-1].kind if out else None
        if kind == previous and kind in ("code", "list"):
            kind = "paragraph"
        if kind == "paragraph":
            out.append(Paragraph(text=draw(paragraphs)))
        elif kind == "code":
            out.append(CodeBlock(language=language, code=draw(code_text())))
        elif kind == "list":
            out.append(BulletList(items=draw(st.lists(_line(0), min_size=1, max_size=4))))
        else:
            caption = draw(lines)
            out.append(Figure(caption=caption, source=draw(lines), url=draw(lines)))
    return out


def _figures(all_blocks: list) -> list[Figure]:
    return [b for b in all_blocks if isinstance(b, Figure)]


@st.composite
def posts(draw: st.DrawFn, with_generator_version: bool | None = None) -> Post:
    language = draw(lines)
    lead = draw(blocks(language))
    sections = [
        Section(heading=draw(headings), blocks=draw(blocks(language)))
        for _ in range(draw(st.integers(0, 3)))
    ]
    # A section that starts with code must not follow a section that ends with code (no heading
    # sits between... it does: headings separate them, so that is fine). Nothing to fix here.
    figures = _figures(lead) + [f for s in sections for f in _figures(s.blocks)]
    items = st.lists(_line(0), max_size=4)
    gv = with_generator_version
    if gv is None:
        gv = draw(st.booleans())
    meta = Meta(
        topic=draw(_line(0)),
        summary=draw(_line(0)),
        ai_outline=AiOutline(
            context=draw(_line(0)),
            problem=draw(_line(0)),
            stack=draw(_line(0)),
            recommended_action=draw(_line(0)),
        ),
        ai_brief=draw(_line(0)),
        stack=draw(items),
        tools=draw(items),
        code_language=language,
        difficulty=draw(_line(0)),
        reading_time=draw(st.integers(0, 10**6)),
        view_count=draw(st.integers(0, 10**12)),
        score=Score(
            quality=draw(st.integers(-5, 100)),
            freshness=draw(st.integers(0, 100)),
            depth=draw(st.integers(0, 100)),
            clarity=draw(st.integers(0, 100)),
        ),
        revision=Revision(
            status=draw(_line(0)), version=draw(_line(0)), last_reviewed=draw(_line(0))
        ),
        reference=draw(_line(0)),
        hash=draw(_line(0)),
        flags=Flags(
            ai_generated_style=draw(st.booleans()),
            has_images=draw(st.booleans()),
            image_heavy=draw(st.booleans()),
            needs_human_review=draw(st.booleans()),
        ),
        checklist=draw(items),
        entities=[
            Entity(name=draw(_line(0)), type=draw(_line(0))) for _ in range(draw(st.integers(0, 3)))
        ],
        image_sources=[ImageSource(source=f.source, url=f.url, caption=f.caption) for f in figures],
        payload=Payload(
            source_id=draw(_line(0)),
            generator=draw(_line(0)),
            paragraphs=draw(st.integers(0, 99)),
            scenario=draw(_line(0)),
            seed=draw(st.integers(0, 2**63 - 1)),
            generator_version=draw(_line(0)) if gv else None,
        ),
        notes=draw(items),
    )
    similar = [
        SimilarPost(
            title=draw(lines.filter(lambda s: "(" not in s)),
            reference=draw(_line(0)).replace(" (", "("),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Post(
        breadcrumb=draw(lines),
        title=draw(lines),
        intro=draw(paragraphs),
        lead=lead,
        sections=sections,
        final_notes=draw(paragraphs),
        meta=meta,
        similar_posts=similar,
    )
