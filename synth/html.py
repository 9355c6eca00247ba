"""HTML5 rendering of a Post: one standalone, well-formed page.

Layout: ``<nav class="breadcrumb">``, then an ``<article>`` holding the title (``<h1>``), the intro,
the lead blocks, one ``<section>`` per body section, the final notes and the meta box
(``<aside class="post-meta">``: a ``<dl>`` in which every array is a ``<ul>`` and every keyed
group or record is a nested ``<dl>``), then ``<section class="similar-posts">``.

Every piece of content goes through :func:`html.escape` (quotes included), so a title holding
``<script>`` arrives as text. Image URLs are the only external references; a URL whose scheme is
not http or https is not put into ``src`` (it is kept, escaped, in ``data-blocked-src``). The page
carries ``<meta name="anp:seed">`` and ``<meta name="anp:reference">`` so that a corpus reader can
tell which seed a page came from. The output ends with a newline.
"""

from __future__ import annotations

import re
from html import escape

from pydantic import BaseModel

from synth.meta_text import META_FIELDS, label
from synth.model import Block, BulletList, CodeBlock, Figure, Meta, Paragraph, Post

__all__ = ["render_html"]

_SAFE_URL = re.compile(r"https?://", re.IGNORECASE)
_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_+#.-]+")


def _e(text: str) -> str:
    return escape(text, quote=True)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return _e(str(value))


def language_class(language: str) -> str:
    """The ``class`` of a code element: ``language-`` plus the language, with characters that
    cannot sit in a class name replaced by ``-`` (``objective c`` -> ``language-objective-c``)."""
    return "language-" + (_CLASS_UNSAFE.sub("-", language) or "none")


def _figure(figure: Figure) -> str:
    caption = _e(figure.caption)
    if _SAFE_URL.match(figure.url):
        src = f'src="{_e(figure.url)}"'
    else:
        src = f'data-blocked-src="{_e(figure.url)}"'
    return (
        f'<figure>\n<img {src} alt="{caption}" loading="lazy">\n'
        f'<figcaption>{caption} <span class="image-source">image source: '
        f"{_e(figure.source)}</span></figcaption>\n</figure>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, CodeBlock):
        return (
            f'<pre><code class="{_e(language_class(block.language))}">{_e(block.code)}</code></pre>'
        )
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_e(item)}</li>\n" for item in block.items)
        return f"<ul>\n{items}</ul>"
    return _figure(block)


def _fields_dl(model: BaseModel) -> str:
    rows = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is not None:
            rows.append(f"<dt>{_e(label(name))}</dt><dd>{_value(value)}</dd>\n")
    return "<dl>\n" + "".join(rows) + "</dl>"


def _meta(meta: Meta) -> str:
    rows = []
    for name, shape, _model in META_FIELDS:
        value = getattr(meta, name)
        css = name.replace("_", "-")
        if shape in ("scalar", "int"):
            body = _value(value)
        elif shape == "items":
            body = "<ul>\n" + "".join(f"<li>{_e(item)}</li>\n" for item in value) + "</ul>"
        elif shape == "keyed":
            body = _fields_dl(value)
        else:
            body = "<ul>\n" + "".join(f"<li>{_fields_dl(r)}</li>\n" for r in value) + "</ul>"
        rows.append(f'<dt>{_e(label(name))}</dt>\n<dd class="meta-{css}">{body}</dd>\n')
    return (
        '<aside class="post-meta">\n<h2>alphanode post meta</h2>\n<dl>\n'
        + "".join(rows)
        + "</dl>\n</aside>"
    )


def render_html(post: Post) -> str:
    """Render ``post`` as a complete HTML5 document (str, ending with a newline)."""
    out = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(post.title)}</title>",
        f'<meta name="description" content="{_e(post.meta.summary)}">',
        f'<meta name="anp:reference" content="{_e(post.meta.reference)}">',
        f'<meta name="anp:seed" content="{post.meta.payload.seed}">',
        "</head>",
        "<body>",
        f'<nav class="breadcrumb" aria-label="breadcrumb">{_e(post.breadcrumb)}</nav>',
        f'<article class="anp-post" data-reference="{_e(post.meta.reference)}">',
        f"<h1>{_e(post.title)}</h1>",
        f'<p class="intro">{_e(post.intro)}</p>',
    ]
    out.extend(_block(b) for b in post.lead)
    for section in post.sections:
        out.append(f"<section>\n<h2>{_e(section.heading)}</h2>")
        out.extend(_block(b) for b in section.blocks)
        out.append("</section>")
    out.append(
        f'<section class="final-notes">\n<h2>final notes</h2>\n<p>{_e(post.final_notes)}</p>\n'
        "</section>"
    )
    out.append(_meta(post.meta))
    out.append("</article>")
    similar = "".join(
        f'<li>{_e(s.title)} <span class="reference">({_e(s.reference)})</span></li>\n'
        for s in post.similar_posts
    )
    out.append(f'<section class="similar-posts">\n<h2>Similar Posts</h2>\n<ul>\n{similar}</ul>')
    out.append("</section>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
