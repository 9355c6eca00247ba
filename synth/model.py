"""The Post model: every element of an anp post page (see shared/specimens/anp-post-000679.txt).

Field order is the canonical JSON key order, so do not reorder fields without bumping
``GENERATOR_VERSION``. Every model forbids unknown keys, so that a target or a corpus file with an
extra or misspelt key is caught instead of silently dropped.

The text labels used by the page format are given in each field's description.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- body blocks -------------------------------------------------------------------------------


class Paragraph(_Model):
    """One paragraph of prose, a single line in the page text."""

    kind: Literal["paragraph"] = "paragraph"
    text: str


class CodeBlock(_Model):
    """A code block. In the page text it appears as its raw lines; its language is the meta box's
    ``code language``."""

    kind: Literal["code"] = "code"
    language: str
    code: str


class BulletList(_Model):
    """A bullet list, rendered as ``  • item`` lines."""

    kind: Literal["list"] = "list"
    items: list[str]


class Figure(_Model):
    """An image figure: rendered as the caption line, then ``{caption}. image source: {source}``.
    The URL is not shown in the body text; it appears in the meta box's ``image sources``."""

    kind: Literal["figure"] = "figure"
    caption: str
    source: str
    url: str


Block = Annotated[Paragraph | CodeBlock | BulletList | Figure, Field(discriminator="kind")]


class Section(_Model):
    """A body section: a heading line followed by its blocks."""

    heading: str
    blocks: list[Block]


# --- the "alphanode post meta" box -------------------------------------------------------------


class AiOutline(_Model):
    """``ai outline`` bullets: ``context:``, ``problem:``, ``stack:``, ``recommended action:``."""

    context: str
    problem: str
    stack: str
    recommended_action: str


class Score(_Model):
    """``score`` bullets, each an integer 0..100."""

    quality: int
    freshness: int
    depth: int
    clarity: int


class Revision(_Model):
    """``revision`` bullets: ``status:``, ``version:``, ``last reviewed:`` (ISO date)."""

    status: str
    version: str
    last_reviewed: str


class Flags(_Model):
    """``flags`` bullets, rendered as 1/0."""

    ai_generated_style: bool
    has_images: bool
    image_heavy: bool
    needs_human_review: bool


class Entity(_Model):
    """One ``entities`` item, rendered as ``    • name: …`` then ``    • type: …``."""

    name: str
    type: str


class ImageSource(_Model):
    """One ``image sources`` item: ``source:``, ``url:``, ``caption:`` bullets."""

    source: str
    url: str
    caption: str


class Payload(_Model):
    """``payload`` bullets. ``generator version`` is absent from the specimen (None there) and
    present in every synthesized post."""

    source_id: str
    generator: str
    paragraphs: int
    scenario: str
    seed: int
    generator_version: str | None = None


class Meta(_Model):
    """The ``alphanode post meta`` box, in page order. Scalar labels run straight into their value
    (``topicreducing build time / python services``); list labels stand on their own line."""

    topic: str
    summary: str
    ai_outline: AiOutline
    ai_brief: str
    stack: list[str]
    tools: list[str]
    code_language: str
    difficulty: str
    reading_time: int
    view_count: int
    score: Score
    revision: Revision
    reference: str
    hash: str
    flags: Flags
    checklist: list[str]
    entities: list[Entity]
    image_sources: list[ImageSource]
    payload: Payload
    notes: list[str]


class SimilarPost(_Model):
    """An entry under ``Similar Posts``."""

    title: str
    reference: str


class Post(_Model):
    """A whole anp post page.

    ``lead`` holds the blocks between the intro and the first section heading (the specimen has
    two figures there). ``final_notes`` is the paragraph under the ``final notes`` heading.
    """

    breadcrumb: str
    title: str
    intro: str
    lead: list[Block]
    sections: list[Section]
    final_notes: str
    meta: Meta
    similar_posts: list[SimilarPost]
