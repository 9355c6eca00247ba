"""What the wordpress adapter stores for a Post: pure functions, so read-back can compare.

The post body becomes an HTML fragment (WordPress's ``content``): the intro and the lead blocks,
then each section as an ``<h2>`` with its blocks, then ``final notes``. Text is HTML-escaped; the
fragment uses only tags an administrator's content keeps unchanged (WordPress stores it raw for a
user with ``unfiltered_html``, which an administrator has on a single site).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Any

from synth import Block, BulletList, CodeBlock, Figure, Paragraph, Post

META_KEYS = ("anp_reference", "anp_hash", "anp_seed", "anp_generator_version")
"""Post meta registered by the must-use plugin ``targets/wordpress/anp-loadtest.php``."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_text(block.text)}</p>"
    if isinstance(block, CodeBlock):
        language = _attr(block.language)
        return f'<pre><code class="language-{language}">{_text(block.code)}</code></pre>'
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_text(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Figure):
        return (
            f'<figure><img src="{_attr(block.url)}" alt="{_attr(block.caption)}">'
            f"<figcaption>{_text(block.caption)}. image source: {_text(block.source)}"
            "</figcaption></figure>"
        )
    raise TypeError(f"unknown block {type(block).__name__}")


def _blocks(blocks: Iterable[Block]) -> list[str]:
    return [block_html(b) for b in blocks]


def content_html(post: Post) -> str:
    """The body as an HTML fragment, one element per line."""
    parts = [f"<p>{_text(post.intro)}</p>", *_blocks(post.lead)]
    for section in post.sections:
        parts.append(f"<h2>{_text(section.heading)}</h2>")
        parts.extend(_blocks(section.blocks))
    parts.append("<h2>final notes</h2>")
    parts.append(f"<p>{_text(post.final_notes)}</p>")
    return "\n".join(parts)


def slug_for(reference: str) -> str:
    """The WordPress slug for an anp reference (WordPress lower-cases slugs itself)."""
    return re.sub(r"[^a-z0-9-]+", "-", reference.lower()).strip("-")


def post_date(post: Post) -> str | None:
    """The revision's ``last reviewed`` date as a WordPress local date-time, when it is a date."""
    day = post.meta.revision.last_reviewed
    return f"{day}T00:00:00" if _DATE.match(day) else None


def post_meta(post: Post) -> dict[str, Any]:
    return {
        "anp_reference": post.meta.reference,
        "anp_hash": post.meta.hash,
        "anp_seed": post.meta.payload.seed,
        "anp_generator_version": post.meta.payload.generator_version or "",
    }


def post_fields(post: Post) -> dict[str, Any]:
    """The JSON object for ``POST /wp/v2/posts``."""
    fields: dict[str, Any] = {
        "title": post.title,
        "content": content_html(post),
        "excerpt": post.meta.summary,
        "status": "publish",
        "slug": slug_for(post.meta.reference),
    }
    date = post_date(post)
    if date is not None:
        fields["date"] = date
    fields["meta"] = post_meta(post)
    return fields
