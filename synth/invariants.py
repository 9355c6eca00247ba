"""The invariants every synthesized post keeps, as checkable rules.

``check_invariants(post)`` returns one message per broken rule (an empty list for a sound post).
Verification code can call it on a post read back from a target; the tests call it on 10,000+
seeds. Each rule is also described in docs/synth.md.

Definitions used by the rules:

- figures: the Figure blocks of ``lead`` and then of every section, in page order;
- paragraphs: the intro plus every Paragraph block of ``lead`` and the sections (final notes are
  not counted; the specimen's 7 = 1 intro + 4 + 2);
- words: ``text.count(" ") + 1`` summed over the intro, every paragraph, every checklist item
  and the final notes (code, headings, captions and meta are not prose);
- the body checklist: the items of the first bullet list in the section headed
  ``implementation checklist``.
"""

from __future__ import annotations

import re

from synth.canonical import HASH_LENGTH, post_hash
from synth.data.prose import CHECKLIST_HEADING
from synth.model import BulletList, CodeBlock, Figure, Paragraph, Post
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

WORDS_PER_MINUTE = 200
"""Reading time is ``max(1, ceil(words / WORDS_PER_MINUTE))``."""
IMAGE_HEAVY_FIGURES = 4
"""``flags.image_heavy`` is set when a post has at least this many figures."""
REVIEW_QUALITY_BELOW = 60
"""``flags.needs_human_review`` is set when ``score.quality`` is below this or the revision
status is ``draft``."""
AI_STYLE_MARKER = "ai generated"
"""``flags.ai_generated_style`` is set when the ai brief contains this phrase."""
TITLE_PATTERN = re.compile(r"[a-z0-9][a-z0-9 .:/-]*[a-z0-9]")
"""The generator's title alphabet: lowercase letters, digits, space and ``.:/-``, starting and
ending with a letter or digit. Targets may reject titles outside it (see the invalid kinds)."""
REFERENCE_PATTERN = re.compile(r"anp-ref-(\d{6,})-(\d{4})")


def figures_of(post: Post) -> list[Figure]:
    """Every figure of the body, in page order (lead first, then each section's)."""
    found = [block for block in post.lead if isinstance(block, Figure)]
    for section in post.sections:
        found.extend(block for block in section.blocks if isinstance(block, Figure))
    return found


def paragraphs_of(post: Post) -> int:
    """The intro plus every paragraph block (final notes excluded)."""
    count = 1 + sum(isinstance(block, Paragraph) for block in post.lead)
    for section in post.sections:
        count += sum(isinstance(block, Paragraph) for block in section.blocks)
    return count


def body_checklist(post: Post) -> list[str] | None:
    """The items of the first bullet list under ``implementation checklist``, or None."""
    for section in post.sections:
        if section.heading == CHECKLIST_HEADING:
            for block in section.blocks:
                if isinstance(block, BulletList):
                    return list(block.items)
    return None


def words_of(post: Post) -> int:
    """Words of prose: intro, paragraphs, checklist items and final notes."""
    texts = [post.intro, post.final_notes, *(body_checklist(post) or [])]
    for block in post.lead:
        if isinstance(block, Paragraph):
            texts.append(block.text)
    for section in post.sections:
        texts.extend(block.text for block in section.blocks if isinstance(block, Paragraph))
    return sum(text.count(" ") + 1 for text in texts)


def reading_time_for(words: int) -> int:
    """``max(1, ceil(words / WORDS_PER_MINUTE))``."""
    return max(1, -(-words // WORDS_PER_MINUTE))


def check_invariants(post: Post, seed: int | None = None) -> list[str]:
    """Every broken invariant of ``post`` as a readable message; [] when all hold.

    ``seed`` defaults to ``post.meta.payload.seed``; pass the seed you asked for to also check
    that the post belongs to it.
    """
    meta = post.meta
    payload = meta.payload
    problems: list[str] = []

    def rule(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    if seed is None:
        seed = payload.seed
    rule(payload.seed == seed, f"payload.seed is {payload.seed}, expected {seed}")
    rule(
        payload.source_id == f"alphanode-{seed:06d}",
        f"payload.source_id is {payload.source_id!r}, expected 'alphanode-{seed:06d}'",
    )
    match = REFERENCE_PATTERN.fullmatch(meta.reference)
    rule(
        match is not None and int(match.group(1)) == seed,
        f"reference {meta.reference!r} does not read anp-ref-{seed:06d}-NNNN",
    )
    rule(
        payload.generator == GENERATOR_NAME,
        f"payload.generator is {payload.generator!r}, expected {GENERATOR_NAME!r}",
    )
    rule(
        payload.generator_version == GENERATOR_VERSION,
        f"payload.generator_version is {payload.generator_version!r}, "
        f"expected {GENERATOR_VERSION!r}",
    )
    paragraphs = paragraphs_of(post)
    rule(
        payload.paragraphs == paragraphs,
        f"payload.paragraphs is {payload.paragraphs}, the body has {paragraphs}",
    )
    figures = figures_of(post)
    expected_sources = [(f.source, f.url, f.caption) for f in figures]
    actual_sources = [(i.source, i.url, i.caption) for i in meta.image_sources]
    rule(
        actual_sources == expected_sources,
        f"image sources ({len(actual_sources)}) do not match the figures ({len(figures)})",
    )
    flags = meta.flags
    rule(
        flags.has_images == bool(figures),
        f"flags.has_images is {flags.has_images} with {len(figures)} figures",
    )
    rule(
        flags.image_heavy == (len(figures) >= IMAGE_HEAVY_FIGURES),
        f"flags.image_heavy is {flags.image_heavy} with {len(figures)} figures "
        f"(rule: at least {IMAGE_HEAVY_FIGURES})",
    )
    review = meta.score.quality < REVIEW_QUALITY_BELOW or meta.revision.status == "draft"
    rule(
        flags.needs_human_review == review,
        f"flags.needs_human_review is {flags.needs_human_review} with quality "
        f"{meta.score.quality} and status {meta.revision.status!r}",
    )
    rule(
        flags.ai_generated_style == (AI_STYLE_MARKER in meta.ai_brief),
        f"flags.ai_generated_style is {flags.ai_generated_style} but the brief "
        f"{'contains' if AI_STYLE_MARKER in meta.ai_brief else 'lacks'} {AI_STYLE_MARKER!r}",
    )
    checklist = body_checklist(post)
    rule(
        checklist == meta.checklist,
        f"meta checklist {meta.checklist!r} differs from the body's {checklist!r}",
    )
    minutes = reading_time_for(words_of(post))
    rule(
        meta.reading_time == minutes,
        f"reading time is {meta.reading_time}, the word count gives {minutes}",
    )
    outline = meta.ai_outline
    rule(
        meta.topic == f"{outline.problem} / {outline.stack}",
        f"topic {meta.topic!r} does not read '{outline.problem} / {outline.stack}'",
    )
    rule(
        bool(meta.stack) and meta.stack[0] == outline.stack,
        f"stack list {meta.stack!r} does not start with {outline.stack!r}",
    )
    rule(
        outline.context == payload.scenario,
        f"ai outline context {outline.context!r} differs from payload.scenario "
        f"{payload.scenario!r}",
    )
    for section in post.sections:
        for block in section.blocks:
            if isinstance(block, CodeBlock) and block.language != meta.code_language:
                problems.append(
                    f"code block in {section.heading!r} is {block.language!r}, "
                    f"the post's code language is {meta.code_language!r}"
                )
    rule(
        TITLE_PATTERN.fullmatch(post.title) is not None,
        f"title {post.title!r} leaves the generator's alphabet (a-z 0-9 space . : / -)",
    )
    digest = post_hash(post)
    rule(
        meta.hash == digest,
        f"hash is {meta.hash!r}, the content gives {digest!r} "
        f"(sha256 of canonical JSON with hash='', first {HASH_LENGTH} hex digits)",
    )
    return problems
