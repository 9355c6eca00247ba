"""Markdown (CommonMark) rendering of a Post.

Layout: the breadcrumb as an emphasised line, ``# title``, the intro, the lead blocks, ``## heading``
per section, then ``## final notes``, ``## alphanode post meta`` and ``## Similar Posts``.

- Code blocks are fenced with the language as the info string; the fence is one backtick longer
  than the longest run of backticks inside the code, so code can never close it early.
- Figures are ``![caption](<url>)`` followed by an emphasised ``caption. image source: source``
  line.
- The meta box is a definition-like list: ``- **label:** value`` for scalars; arrays and keyed
  groups are nested lists under ``- **label:**``; each record of a list of records is one nested
  item ``**key:** value; **key:** value``.
- Every text is escaped: Markdown-active characters (``\\ ` * _ [ ] < > | & ~ !`` and ``#``) get a
  backslash anywhere, and a line-start ``+``, ``-``, ``=`` or ordered-list marker (``1.``) is
  escaped too, so that text renders as the same text and never as HTML, links or structure.
  Whitespace at either end becomes numeric character references so that it is not stripped
  (except a vertical tab, which CommonMark parsers refuse as a reference). A NUL character
  cannot survive Markdown at all: CommonMark replaces it, and the reference ``&#0;``, with
  U+FFFD. Synthesized posts never contain one; a hand-made ``Post`` with one renders U+FFFD.

The output ends with a newline.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from synth.meta_text import META_FIELDS, label
from synth.model import Block, BulletList, CodeBlock, Meta, Paragraph, Post

__all__ = ["escape_markdown", "render_markdown"]

_ACTIVE = re.compile(r"([\\`*_\[\]<>|&~!#])")
_LINE_START = re.compile(r"^([ \t]*)([+\-=]|\d+[.)])")
# What CommonMark parsers strip from the ends of a paragraph or heading (JavaScript's trim()).
_TRIMMED = "[ \t\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_EDGE_SPACE = re.compile(f"^{_TRIMMED}+|{_TRIMMED}+$")
_BACKTICKS = re.compile(r"`+")
_URL_UNSAFE = re.compile(r"[\s<>\\]")


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that CommonMark shows it literally as inline text: backslashes before
    active characters, and leading/trailing whitespace as numeric character references
    (Markdown would strip them otherwise)."""
    escaped = _ACTIVE.sub(r"\\\1", text)
    escaped = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)
    return _EDGE_SPACE.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), escaped)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _url(url: str) -> str:
    return "<" + _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url) + ">"


def _fence(code: str, language: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[\s`]+", "-", language)
    return f"{fence}{info}\n{code}\n{fence}"


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return escape_markdown(block.text)
    if isinstance(block, CodeBlock):
        return _fence(block.code, block.language)
    if isinstance(block, BulletList):
        return "\n".join(f"- {escape_markdown(item)}" for item in block.items)
    caption = escape_markdown(block.caption)
    source = escape_markdown(block.source)
    return f"![{caption}]({_url(block.url)})\n*{caption}. image source: {source}*"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return escape_markdown(str(value))


def _fields(model: BaseModel) -> list[tuple[str, str]]:
    return [
        (label(name), _value(getattr(model, name)))
        for name in type(model).model_fields
        if getattr(model, name) is not None
    ]


def _meta(meta: Meta) -> str:
    lines: list[str] = []
    for name, shape, _model in META_FIELDS:
        value = getattr(meta, name)
        key = f"**{label(name)}:**"
        if shape in ("scalar", "int"):
            lines.append(f"- {key} {_value(value)}")
            continue
        lines.append(f"- {key}")
        if shape == "items":
            lines.extend(f"  - {escape_markdown(item)}" for item in value)
        elif shape == "keyed":
            lines.extend(f"  - **{k}:** {v}" for k, v in _fields(value))
        else:
            for record in value:
                lines.append("  - " + "; ".join(f"**{k}:** {v}" for k, v in _fields(record)))
    return "\n".join(lines)


def render_markdown(post: Post) -> str:
    """Render ``post`` as a CommonMark document (str, ending with a newline)."""
    parts = [
        f"*{escape_markdown(post.breadcrumb)}*" if post.breadcrumb.strip() else "",
        f"# {escape_markdown(post.title)}",
        escape_markdown(post.intro),
    ]
    parts.extend(_block(b) for b in post.lead)
    for section in post.sections:
        parts.append(f"## {escape_markdown(section.heading)}")
        parts.extend(_block(b) for b in section.blocks)
    parts += ["## final notes", escape_markdown(post.final_notes)]
    parts += ["## alphanode post meta", _meta(post.meta), "## Similar Posts"]
    similar = [
        f"- {escape_markdown(s.title)} ({escape_markdown(s.reference)})" for s in post.similar_posts
    ]
    if similar:
        parts.append("\n".join(similar))
    return "\n\n".join(p for p in parts if p) + "\n"
