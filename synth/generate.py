"""seed -> Post: the anp content synthesizer.

``synthesize(seed)`` is a pure function of (``GENERATOR_VERSION``, seed[, size]). Each field draws
from its own splitmix64 stream (``synth.rng``), picks entries from the vocabulary tables in
``synth.data`` and assembles a post shaped like the specimen. The invariants it keeps are listed
in ``synth.invariants`` (which checks them) and in docs/synth.md.

Speed: posts are built with ``synth.construct.make`` (no per-post validation; the tests prove
every post valid) and the hash is computed from orjson bytes, so a typical post costs tens of
microseconds.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import orjson

from synth.canonical import model_default
from synth.construct import make
from synth.data import code, images, prose, topics
from synth.data.faker_tables import COMPANIES, PERSON_NAMES
from synth.errors import SynthError
from synth.invariants import (
    AI_STYLE_MARKER,
    IMAGE_HEAVY_FIGURES,
    REVIEW_QUALITY_BELOW,
    reading_time_for,
)
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
from synth.rng import GOLDEN, MASK64, mix64, name_key
from synth.seeds import MAX_SEED, check_seed
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

SIZES: tuple[str, ...] = ("s", "m", "l", "xl")
"""Size presets: ``s`` (about 2.5 KB of canonical JSON), ``m`` (about 6 KB, like the specimen),
``l`` (about 25 KB), ``xl`` (about 100 KB). ``None`` picks s, m or l from the seed."""

BREADCRUMB = "| |"
"""The breadcrumb line of every post (as in the specimen)."""

FIRST_REVIEW_DATE = date(2024, 1, 1)
REVIEW_DAYS = 1035
"""``revision.last_reviewed`` is FIRST_REVIEW_DATE plus 0..REVIEW_DAYS-1 days (from the seed)."""

# (regular sections min/max, paragraphs per section min/max, lead figures max,
#  checklist figures max, code blocks min/max)
_PROFILES: dict[str, tuple[int, int, int, int, int, int, int, int]] = {
    "s": (1, 2, 1, 2, 1, 1, 1, 1),
    "m": (2, 3, 2, 4, 2, 3, 1, 1),
    "l": (6, 8, 4, 7, 3, 3, 2, 3),
    "xl": (30, 34, 8, 11, 3, 4, 8, 10),
}
_NATURAL = ("s", "s", "m", "m", "m", "m", "m", "l", "m", "l")
"""size=None: the seed picks a profile from this list (20% s, 60% m, 20% l)."""

_VERSION_KEY = name_key(GENERATOR_VERSION)


def _field(name: str) -> int:
    return name_key(name)


_F_TOPIC = _field("topic")
_F_REFERENCE = _field("reference")
_F_SIZE = _field("size")
_F_LAYOUT = _field("layout")
_F_PARAGRAPHS = _field("paragraphs")
_F_TAILS = _field("tails")
_F_PEOPLE = _field("people")
_F_HEADINGS = _field("headings")
_F_CODE = _field("code")
_F_FIGURES = _field("figures")
_F_CHECKLIST = _field("checklist")
_F_META = _field("meta")
_F_SCORE = _field("score")
_F_REVISION = _field("revision")
_F_NOTES = _field("notes")
_F_SIMILAR = _field("similar")

_STACKS = topics.STACKS
_PROBLEMS = topics.PROBLEMS
_SCENARIOS = topics.SCENARIOS
_N_STACKS = len(_STACKS)
_N_PROBLEMS = len(_PROBLEMS)
_N_SCENARIOS = len(_SCENARIOS)
_N_TITLES = len(topics.TITLE_TEMPLATES)

_BANK = tuple((text, "{" in text) for text in prose.PARAGRAPHS)
_N_BANK = len(_BANK)
_TAILS = tuple((text, "{" in text, "{owner}" in text, "{company}" in text) for text in prose.TAILS)
_N_TAILS = len(_TAILS)
_HEADINGS = prose.HEADINGS
_N_HEADINGS = len(_HEADINGS)
_ITEMS = prose.CHECKLIST_ITEMS
_N_ITEMS = len(_ITEMS)
_N_PEOPLE = len(PERSON_NAMES)
_N_COMPANIES = len(COMPANIES)
_N_PHOTOS = len(images.UNSPLASH_PHOTOS)
_UNSPLASH_URLS = tuple(images.UNSPLASH_URL.format(photo=p) for p in images.UNSPLASH_PHOTOS)
_N_TAGS = len(images.LOREMFLICKR_TAGS)
_N_COMMON = len(topics.COMMON_TOOLS)
_REVIEW_DATES = tuple(
    (FIRST_REVIEW_DATE + timedelta(days=i)).isoformat() for i in range(REVIEW_DAYS)
)
_SNIPPETS = tuple(code.SNIPPETS[stack.snippets] for stack in _STACKS)

# Immutable sub-objects shared between posts (all their fields are strings or bools).
_STACK_ENTITIES = tuple(make(Entity, {"name": s.name, "type": "stack"}) for s in _STACKS)
_AREA_ENTITIES = tuple(make(Entity, {"name": s.area, "type": "area"}) for s in _STACKS)
_PROBLEM_ENTITIES = tuple(make(Entity, {"name": p, "type": "problem"}) for p in _PROBLEMS)
_FLAGS = tuple(
    make(
        Flags,
        {
            "ai_generated_style": bool(i & 8),
            "has_images": bool(i & 4),
            "image_heavy": bool(i & 2),
            "needs_human_review": bool(i & 1),
        },
    )
    for i in range(16)
)
_AI_BRIEF_FLAG = tuple(AI_STYLE_MARKER in brief for brief in topics.BRIEF_TEMPLATES)


def _draw(key: int, field: int, i: int) -> int:
    """Output ``i`` (1-based) of the stream of ``field`` for the post keyed ``key``."""
    return mix64(((key ^ field) + i * GOLDEN) & MASK64)


def post_key(seed: int) -> int:
    """The per-post key of ``seed`` under this generator version (see ``synth.rng``)."""
    return mix64(_VERSION_KEY ^ mix64(seed))


def topic_of(seed: int) -> tuple[int, int, int, int]:
    """Indices (stack, problem, scenario, title template) of ``seed``'s post."""
    x = _draw(post_key(seed), _F_TOPIC, 1)
    x, stack = divmod(x, _N_STACKS)
    x, problem = divmod(x, _N_PROBLEMS)
    x, scenario = divmod(x, _N_SCENARIOS)
    return stack, problem, scenario, x % _N_TITLES


def reference_of(seed: int) -> str:
    """``anp-ref-{seed:06d}-NNNN``; NNNN is the first output of the seed's ``reference`` stream
    modulo 10000."""
    return f"anp-ref-{seed:06d}-{_draw(post_key(seed), _F_REFERENCE, 1) % 10000:04d}"


def title_of(seed: int) -> str:
    """The title of ``seed``'s post (cheap: similar posts use it for other seeds)."""
    stack, problem, scenario, template = topic_of(seed)
    return topics.TITLE_TEMPLATES[template].format(
        problem=_PROBLEMS[problem], stack=_STACKS[stack].name, scenario=_SCENARIOS[scenario]
    )


def _check_size(size: object) -> str | None:
    if size is None or (isinstance(size, str) and size in _PROFILES):
        return size
    raise SynthError(
        f"size must be one of {', '.join(SIZES)} or None (natural variation), got size={size!r}"
    )


def synthesize(seed: int, *, size: str | None = None) -> Post:
    """The anp post for ``seed`` (0..2**63-1): a pure function of (GENERATOR_VERSION, seed, size).

    ``size`` is one of ``SIZES`` or None; None lets the seed choose s, m or l. The size changes
    the body's length only: the topic, title, reference and similar posts depend on the seed
    alone. Raises ``SeedError`` for a bad seed and ``SynthError`` for a bad size.
    """
    check_seed(seed)
    size = _check_size(size)
    key = mix64(_VERSION_KEY ^ mix64(seed))

    # --- topic ---------------------------------------------------------------------------
    x = mix64(((key ^ _F_TOPIC) + GOLDEN) & MASK64)
    x, stack_i = divmod(x, _N_STACKS)
    x, problem_i = divmod(x, _N_PROBLEMS)
    x, scenario_i = divmod(x, _N_SCENARIOS)
    title_i = x % _N_TITLES
    stack = _STACKS[stack_i]
    stack_name = stack.name
    problem = _PROBLEMS[problem_i]
    scenario = _SCENARIOS[scenario_i]
    reference = f"anp-ref-{seed:06d}-{_draw(key, _F_REFERENCE, 1) % 10000:04d}"

    x = _draw(key, _F_PEOPLE, 1)
    x, owner_i = divmod(x, _N_PEOPLE)
    owner = PERSON_NAMES[owner_i]
    company = COMPANIES[x % _N_COMPANIES]
    fmt = {
        "problem": problem,
        "stack": stack_name,
        "scenario": scenario,
        "language": stack.language,
        "owner": owner,
        "company": company,
    }
    title = topics.TITLE_TEMPLATES[title_i].format_map(fmt)

    # --- layout ----------------------------------------------------------------------------
    if size is None:
        size = _NATURAL[_draw(key, _F_SIZE, 1) % len(_NATURAL)]
    sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi = _PROFILES[size]
    x = _draw(key, _F_LAYOUT, 1)
    x, r = divmod(x, sec_hi - sec_lo + 1)
    n_sections = sec_lo + r
    x, r = divmod(x, lead_max + 1)
    n_lead = r
    x, r = divmod(x, check_max + 1)
    n_check_figs = r
    x, r = divmod(x, code_hi - code_lo + 1)
    n_code = min(code_lo + r, n_sections)
    x, code_offset = divmod(x, n_sections)
    x, intro_i = divmod(x, len(topics.INTRO_TEMPLATES))
    x, final_i = divmod(x, len(topics.FINAL_TEMPLATES))
    x, r = divmod(x, 5)
    n_items = 3 + r
    code_every = n_sections // n_code
    code_sections = {(code_offset + j * code_every) % n_sections for j in range(n_code)}
    y = _draw(key, _F_LAYOUT, 2)
    counts = []
    span = par_hi - par_lo + 1
    for _ in range(n_sections):
        y, r = divmod(y, span)
        counts.append(par_lo + r)

    # --- paragraphs ------------------------------------------------------------------------
    x = _draw(key, _F_PARAGRAPHS, 1)
    x, p_pos = divmod(x, _N_BANK)
    p_step = 1 + x % (_N_BANK - 1)
    tail_word = 0
    tail_left = 0
    tail_draw = 0
    owner_used = False
    company_used = False
    words = 0
    n_paragraphs = 1

    x = _draw(key, _F_HEADINGS, 1)
    x, h_pos = divmod(x, _N_HEADINGS)
    h_step = 1 + x % (_N_HEADINGS - 1)
    x = _draw(key, _F_CODE, 1)
    snippets = _SNIPPETS[stack_i]
    x, s_pos = divmod(x, len(snippets))
    code_lang = stack.code_language

    sections: list[Section] = []
    for s_i in range(n_sections):
        blocks: list[Any] = []
        n_par = counts[s_i]
        code_here = s_i in code_sections
        code_after = n_par - 1 if (s_i + code_offset) % 2 == 0 else 0
        for p_i in range(n_par):
            text, needs_fmt = _BANK[p_pos]
            p_pos = (p_pos + p_step) % _N_BANK
            if needs_fmt:
                text = text.format_map(fmt)
            if tail_left == 0:
                tail_draw += 1
                tail_word = _draw(key, _F_TAILS, tail_draw)
                tail_left = 10
            tail_word, t = divmod(tail_word, 64)
            tail_left -= 1
            if t < _N_TAILS:
                tail, t_fmt, t_owner, t_company = _TAILS[t]
                if t_fmt:
                    tail = tail.format_map(fmt)
                    owner_used = owner_used or t_owner
                    company_used = company_used or t_company
                text = text + " " + tail
            words += text.count(" ") + 1
            blocks.append(make(Paragraph, {"kind": "paragraph", "text": text}))
            if code_here and p_i == code_after:
                blocks.append(
                    make(
                        CodeBlock,
                        {"kind": "code", "language": code_lang, "code": snippets[s_pos]},
                    )
                )
                s_pos = (s_pos + 1) % len(snippets)
        n_paragraphs += n_par
        heading = _HEADINGS[h_pos]
        h_pos = (h_pos + h_step) % _N_HEADINGS
        if s_i >= _N_HEADINGS:
            heading = f"{heading}, part {s_i // _N_HEADINGS + 1}"
        sections.append(make(Section, {"heading": heading, "blocks": blocks}))

    # --- figures ---------------------------------------------------------------------------
    n_figs = n_lead + n_check_figs
    figures: list[Figure] = []
    image_sources: list[ImageSource] = []
    if n_figs:
        x = _draw(key, _F_FIGURES, 1)
        x, ph_pos = divmod(x, _N_PHOTOS)
        x, r = divmod(x, _N_PHOTOS - 1)
        ph_step = 1 + r
        x, kind_i = divmod(x, len(images.CAPTION_KINDS))
        prefix = f"{problem} with {stack_name} {images.CAPTION_KINDS[kind_i]} "
        for n in range(1, n_figs + 1):
            x, r = divmod(x, 5)
            caption = prefix + str(n)
            if r == 0:
                x, tag = divmod(x, _N_TAGS)
                source = images.LOREMFLICKR_SOURCE
                url = images.LOREMFLICKR_URL.format(
                    tags=images.LOREMFLICKR_TAGS[tag], lock=(seed + n - 1) % 1_000_000
                )
            else:
                source = images.UNSPLASH_SOURCE
                url = _UNSPLASH_URLS[ph_pos]
                ph_pos = (ph_pos + ph_step) % _N_PHOTOS
            figures.append(
                make(Figure, {"kind": "figure", "caption": caption, "source": source, "url": url})
            )
            image_sources.append(
                make(ImageSource, {"source": source, "url": url, "caption": caption})
            )

    # --- checklist -------------------------------------------------------------------------
    x = _draw(key, _F_CHECKLIST, 1)
    x, c_pos = divmod(x, _N_ITEMS)
    c_step = 1 + x % (_N_ITEMS - 1)
    checklist = []
    for _ in range(n_items):
        item = _ITEMS[c_pos]
        c_pos = (c_pos + c_step) % _N_ITEMS
        checklist.append(item)
        words += item.count(" ") + 1
    check_blocks: list[Any] = [make(BulletList, {"kind": "list", "items": list(checklist)})]
    check_blocks.extend(figures[n_lead:])
    sections.append(make(Section, {"heading": prose.CHECKLIST_HEADING, "blocks": check_blocks}))

    intro = topics.INTRO_TEMPLATES[intro_i].format_map(fmt)
    final_notes = topics.FINAL_TEMPLATES[final_i].format_map(fmt)
    words += intro.count(" ") + final_notes.count(" ") + 2

    # --- meta ------------------------------------------------------------------------------
    x = _draw(key, _F_META, 1)
    x, summary_i = divmod(x, len(topics.SUMMARY_TEMPLATES))
    x, focus_i = divmod(x, len(topics.SUMMARY_FOCUS))
    x, brief_i = divmod(x, len(topics.BRIEF_TEMPLATES))
    x, action_i = divmod(x, len(topics.ACTIONS))
    x, difficulty_i = divmod(x, len(topics.DIFFICULTIES))
    x, tool_a = divmod(x, _N_COMMON)
    x, tool_b = divmod(x, _N_COMMON - 1)
    view_count = x % 1_000_000
    tool_b = (tool_a + 1 + tool_b) % _N_COMMON

    x = _draw(key, _F_SCORE, 1)
    x, quality = divmod(x, 61)
    x, freshness = divmod(x, 101)
    x, depth = divmod(x, 81)
    clarity = x % 61
    quality += 40
    depth += 20
    clarity += 40

    x = _draw(key, _F_REVISION, 1)
    x, status_i = divmod(x, len(topics.STATUSES))
    x, major = divmod(x, 3)
    x, minor = divmod(x, 10)
    x, patch = divmod(x, 10)
    status = topics.STATUSES[status_i]
    last_reviewed = _REVIEW_DATES[x % REVIEW_DAYS]

    notes_mask = 1 + _draw(key, _F_NOTES, 1) % 63
    notes = [prose.NOTES[0]]
    for i in range(6):
        if notes_mask >> i & 1:
            notes.append(prose.NOTES[i + 1])

    entities = [_STACK_ENTITIES[stack_i], _AREA_ENTITIES[stack_i], _PROBLEM_ENTITIES[problem_i]]
    if owner_used:
        entities.append(make(Entity, {"name": owner, "type": "person"}))
    if company_used:
        entities.append(make(Entity, {"name": company, "type": "organization"}))

    ai_style = _AI_BRIEF_FLAG[brief_i]
    review = quality < REVIEW_QUALITY_BELOW or status == "draft"
    flags = _FLAGS[ai_style * 8 + (n_figs > 0) * 4 + (n_figs >= IMAGE_HEAVY_FIGURES) * 2 + review]

    meta = make(
        Meta,
        {
            "topic": f"{problem} / {stack_name}",
            "summary": topics.SUMMARY_TEMPLATES[summary_i].format(
                problem=problem, stack=stack_name, focus=topics.SUMMARY_FOCUS[focus_i]
            ),
            "ai_outline": make(
                AiOutline,
                {
                    "context": scenario,
                    "problem": problem,
                    "stack": stack_name,
                    "recommended_action": topics.ACTIONS[action_i],
                },
            ),
            "ai_brief": topics.BRIEF_TEMPLATES[brief_i],
            "stack": [stack_name, stack.area, stack.language],
            "tools": [*stack.tools, topics.COMMON_TOOLS[tool_a], topics.COMMON_TOOLS[tool_b]],
            "code_language": code_lang,
            "difficulty": topics.DIFFICULTIES[difficulty_i],
            "reading_time": reading_time_for(words),
            "view_count": view_count,
            "score": make(
                Score,
                {"quality": quality, "freshness": freshness, "depth": depth, "clarity": clarity},
            ),
            "revision": make(
                Revision,
                {
                    "status": status,
                    "version": f"{major + 1}.{minor}.{patch}",
                    "last_reviewed": last_reviewed,
                },
            ),
            "reference": reference,
            "hash": "",
            "flags": flags,
            "checklist": checklist,
            "entities": entities,
            "image_sources": image_sources,
            "payload": make(
                Payload,
                {
                    "source_id": f"alphanode-{seed:06d}",
                    "generator": GENERATOR_NAME,
                    "paragraphs": n_paragraphs,
                    "scenario": scenario,
                    "seed": seed,
                    "generator_version": GENERATOR_VERSION,
                },
            ),
            "notes": notes,
        },
    )

    # --- similar posts ---------------------------------------------------------------------
    x = _draw(key, _F_SIMILAR, 1)
    x, n_similar = divmod(x, 4)
    similar: list[SimilarPost] = []
    other = seed
    for _ in range(n_similar):
        x, gap = divmod(x, 997)
        other = (other + 1 + gap) % (MAX_SEED + 1)
        similar.append(
            make(SimilarPost, {"title": title_of(other), "reference": reference_of(other)})
        )

    post_fields: dict[str, Any] = {
        "breadcrumb": BREADCRUMB,
        "title": title,
        "intro": intro,
        "lead": figures[:n_lead],
        "sections": sections,
        "final_notes": final_notes,
        "meta": meta,
        "similar_posts": similar,
    }
    post = make(Post, post_fields)
    digest = hashlib.sha256(orjson.dumps(post_fields, default=model_default)).hexdigest()
    meta.__dict__["hash"] = digest[:24]
    return post
