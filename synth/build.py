"""The post document builder: (seed, size) -> the canonical JSON document as plain dicts.

``build_document`` is the heart of the synthesizer. It returns the post as nested dicts and lists
whose keys follow ``synth.model``'s field order, so ``orjson.dumps`` of it is the canonical JSON.
``synth.generate`` turns it into bytes (``synthesize_json``) or into a ``Post``
(``synthesize``). Building dicts first keeps both paths identical and cheap.

Randomness: each field draws from its own splitmix64 stream (see ``synth.rng``):
output ``i`` of field ``f`` for a post with key ``k`` is ``mix64((k ^ name_key(f)) + i * GOLDEN)``
where ``k = mix64(name_key(GENERATOR_VERSION) ^ mix64(seed))``. Several small choices are taken
from one output with ``divmod``. Bank walks use ``(start + i * step) % len(bank)`` with prime
bank sizes, so entries do not repeat within a post.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from synth.data import code, images, prose, topics
from synth.data.faker_tables import COMPANIES, PERSON_NAMES
from synth.invariants import (
    AI_STYLE_MARKER,
    IMAGE_HEAVY_FIGURES,
    REVIEW_QUALITY_BELOW,
    WORDS_PER_MINUTE,
)
from synth.rng import GOLDEN, MASK64, mix64, name_key
from synth.seeds import MAX_SEED
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

BREADCRUMB = "| |"
"""The breadcrumb line of every post (as in the specimen)."""

FIRST_REVIEW_DATE = date(2024, 1, 1)
REVIEW_DAYS = 1035
"""``revision.last_reviewed`` is FIRST_REVIEW_DATE plus 0..REVIEW_DAYS-1 days (from the seed)."""

PROFILES: dict[str, tuple[int, int, int, int, int, int, int, int]] = {
    "s": (1, 2, 1, 2, 1, 1, 1, 1),
    "m": (2, 3, 2, 4, 2, 3, 1, 1),
    "l": (10, 12, 5, 8, 3, 3, 2, 4),
    "xl": (36, 40, 10, 12, 3, 4, 10, 12),
}
"""Per size: (regular sections min, max; paragraphs per section min, max; lead figures max;
checklist figures max; code blocks min, max). The checklist section comes on top."""
NATURAL = ("s", "s", "m", "m", "m", "m", "m", "m", "m", "l")
"""size=None: the seed picks a profile from this list (20% s, 70% m, 10% l)."""

VERSION_KEY = name_key(GENERATOR_VERSION)

F_TOPIC = name_key("topic")
F_REFERENCE = name_key("reference")
_F_SIZE = name_key("size")
_F_LAYOUT = name_key("layout")
_F_PARAGRAPHS = name_key("paragraphs")
_F_TAILS = name_key("tails")
_F_PEOPLE = name_key("people")
_F_HEADINGS = name_key("headings")
_F_CODE = name_key("code")
_F_FIGURES = name_key("figures")
_F_CHECKLIST = name_key("checklist")
_F_META = name_key("meta")
_F_SCORE = name_key("score")
_F_REVISION = name_key("revision")
_F_NOTES = name_key("notes")
_F_SIMILAR = name_key("similar")

_STACKS = topics.STACKS
_PROBLEMS = topics.PROBLEMS
_SCENARIOS = topics.SCENARIOS
_TITLES = topics.TITLE_TEMPLATES
_N_STACKS = len(_STACKS)
_N_PROBLEMS = len(_PROBLEMS)
_N_SCENARIOS = len(_SCENARIOS)
_N_TITLES = len(_TITLES)
_BANK = tuple((text, "{" in text) for text in prose.PARAGRAPHS)
_N_BANK = len(_BANK)
_TAILS = tuple((" " + t, "{" in t, "{owner}" in t, "{company}" in t) for t in prose.TAILS)
_N_TAILS = len(_TAILS)
_HEADINGS = prose.HEADINGS
_N_HEADINGS = len(_HEADINGS)
_ITEMS = prose.CHECKLIST_ITEMS
_ITEM_WORDS = tuple(item.count(" ") + 1 for item in _ITEMS)
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
_STACK_LISTS = tuple((s.name, s.area, s.language) for s in _STACKS)
_NOTE_SETS = tuple(
    (prose.NOTES[0], *(prose.NOTES[i + 1] for i in range(6) if mask >> i & 1)) for mask in range(64)
)
_AI_STYLE = tuple(AI_STYLE_MARKER in brief for brief in topics.BRIEF_TEMPLATES)
_N_SUMMARY = len(topics.SUMMARY_TEMPLATES)
_N_FOCUS = len(topics.SUMMARY_FOCUS)
_N_BRIEF = len(topics.BRIEF_TEMPLATES)
_N_ACTIONS = len(topics.ACTIONS)
_N_DIFFICULTIES = len(topics.DIFFICULTIES)
_N_STATUSES = len(topics.STATUSES)
_N_INTROS = len(topics.INTRO_TEMPLATES)
_N_FINALS = len(topics.FINAL_TEMPLATES)

# Shared read-only entity dicts (synthesize maps them to shared Entity models).
STACK_ENTITIES = tuple({"name": s.name, "type": "stack"} for s in _STACKS)
AREA_ENTITIES = tuple({"name": s.area, "type": "area"} for s in _STACKS)
PROBLEM_ENTITIES = tuple({"name": p, "type": "problem"} for p in _PROBLEMS)


def post_key(seed: int) -> int:
    """The per-post key of ``seed`` under this generator version."""
    return mix64(VERSION_KEY ^ mix64(seed))


def draw(key: int, field: int, i: int) -> int:
    """Output ``i`` (1-based) of the stream of ``field`` for the post keyed ``key``."""
    return mix64(((key ^ field) + i * GOLDEN) & MASK64)


def topic_indices(key: int) -> tuple[int, int, int, int]:
    """(stack, problem, scenario, title template) indices of the post keyed ``key``."""
    x = draw(key, F_TOPIC, 1)
    x, stack = divmod(x, _N_STACKS)
    x, problem = divmod(x, _N_PROBLEMS)
    x, scenario = divmod(x, _N_SCENARIOS)
    return stack, problem, scenario, x % _N_TITLES


def title_and_reference(seed: int) -> tuple[str, str]:
    """The title and reference of ``seed``'s post, without building it."""
    key = mix64(VERSION_KEY ^ mix64(seed))
    stack, problem, scenario, template = topic_indices(key)
    title = _TITLES[template].format(
        problem=_PROBLEMS[problem], stack=_STACKS[stack].name, scenario=_SCENARIOS[scenario]
    )
    return title, f"anp-ref-{seed:06d}-{draw(key, F_REFERENCE, 1) % 10000:04d}"


def build_document(seed: int, size: str | None) -> dict[str, Any]:
    """The post for (seed, size) as a canonical-order dict tree with ``meta.hash`` = "".

    ``seed`` and ``size`` must already be valid (``synth.generate`` checks them).
    """
    key = mix64(VERSION_KEY ^ mix64(seed))

    # --- topic -------------------------------------------------------------------------------
    x = mix64(((key ^ F_TOPIC) + GOLDEN) & MASK64)
    x, stack_i = divmod(x, _N_STACKS)
    x, problem_i = divmod(x, _N_PROBLEMS)
    x, scenario_i = divmod(x, _N_SCENARIOS)
    title_i = x % _N_TITLES
    stack = _STACKS[stack_i]
    stack_name = stack.name
    problem = _PROBLEMS[problem_i]
    scenario = _SCENARIOS[scenario_i]
    x = mix64(((key ^ _F_PEOPLE) + GOLDEN) & MASK64)
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

    # --- layout ------------------------------------------------------------------------------
    if size is None:
        size = NATURAL[mix64(((key ^ _F_SIZE) + GOLDEN) & MASK64) % 10]
    sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi = PROFILES[size]
    x = mix64(((key ^ _F_LAYOUT) + GOLDEN) & MASK64)
    x, r = divmod(x, sec_hi - sec_lo + 1)
    n_sections = sec_lo + r
    x, n_lead = divmod(x, lead_max + 1)
    x, n_check_figs = divmod(x, check_max + 1)
    x, r = divmod(x, code_hi - code_lo + 1)
    n_code = min(code_lo + r, n_sections)
    x, code_offset = divmod(x, n_sections)
    x, intro_i = divmod(x, _N_INTROS)
    x, final_i = divmod(x, _N_FINALS)
    n_items = 3 + x % 5
    code_every = n_sections // n_code
    code_sections = {(code_offset + j * code_every) % n_sections for j in range(n_code)}
    counts = mix64(((key ^ _F_LAYOUT) + 2 * GOLDEN) & MASK64)
    span = par_hi - par_lo + 1

    # --- sections ----------------------------------------------------------------------------
    x = mix64(((key ^ _F_PARAGRAPHS) + GOLDEN) & MASK64)
    x, p_pos = divmod(x, _N_BANK)
    p_step = 1 + x % (_N_BANK - 1)
    x = mix64(((key ^ _F_HEADINGS) + GOLDEN) & MASK64)
    x, h_pos = divmod(x, _N_HEADINGS)
    h_step = 1 + x % (_N_HEADINGS - 1)
    snippets = _SNIPPETS[stack_i]
    n_snippets = len(snippets)
    s_pos = mix64(((key ^ _F_CODE) + GOLDEN) & MASK64) % n_snippets
    code_lang = stack.code_language
    tail_state = key ^ _F_TAILS
    tail_word = 0
    tail_left = 0
    owner_used = False
    company_used = False
    words = 0
    n_paragraphs = 1
    sections: list[dict[str, Any]] = []
    for s_i in range(n_sections):
        counts, r = divmod(counts, span)
        n_par = par_lo + r
        n_paragraphs += n_par
        code_after = (
            (n_par - 1 if (s_i + code_offset) % 2 == 0 else 0) if s_i in code_sections else -1
        )
        blocks: list[dict[str, Any]] = []
        for p_i in range(n_par):
            text, needs_fmt = _BANK[p_pos]
            p_pos = (p_pos + p_step) % _N_BANK
            if needs_fmt:
                text = text.format_map(fmt)
            if not tail_left:
                tail_state = (tail_state + GOLDEN) & MASK64
                tail_word = mix64(tail_state)
                tail_left = 10
            tail_left -= 1
            t = tail_word & 63
            tail_word >>= 6
            if t < _N_TAILS:
                tail, t_fmt, t_owner, t_company = _TAILS[t]
                if t_fmt:
                    tail = tail.format_map(fmt)
                    owner_used = owner_used or t_owner
                    company_used = company_used or t_company
                text += tail
            words += text.count(" ")
            blocks.append({"kind": "paragraph", "text": text})
            if p_i == code_after:
                blocks.append({"kind": "code", "language": code_lang, "code": snippets[s_pos]})
                s_pos = (s_pos + 1) % n_snippets
        heading = _HEADINGS[h_pos]
        h_pos = (h_pos + h_step) % _N_HEADINGS
        if s_i >= _N_HEADINGS:
            heading = f"{heading}, part {s_i // _N_HEADINGS + 1}"
        sections.append({"heading": heading, "blocks": blocks})
    words += n_paragraphs - 1

    # --- figures -----------------------------------------------------------------------------
    n_figs = n_lead + n_check_figs
    figures: list[dict[str, Any]] = []
    image_sources: list[dict[str, Any]] = []
    if n_figs:
        x = mix64(((key ^ _F_FIGURES) + GOLDEN) & MASK64)
        x, ph_pos = divmod(x, _N_PHOTOS)
        x, r = divmod(x, _N_PHOTOS - 1)
        ph_step = 1 + r
        x, kind_i = divmod(x, len(images.CAPTION_KINDS))
        prefix = f"{problem} with {stack_name} {images.CAPTION_KINDS[kind_i]} "
        for n in range(1, n_figs + 1):
            x, r = divmod(x, 5)
            caption = prefix + str(n)
            if r:
                source = images.UNSPLASH_SOURCE
                url = _UNSPLASH_URLS[ph_pos]
                ph_pos = (ph_pos + ph_step) % _N_PHOTOS
            else:
                x, tag = divmod(x, _N_TAGS)
                source = images.LOREMFLICKR_SOURCE
                url = images.LOREMFLICKR_URL.format(
                    tags=images.LOREMFLICKR_TAGS[tag], lock=(seed + n - 1) % 1_000_000
                )
            figures.append({"kind": "figure", "caption": caption, "source": source, "url": url})
            image_sources.append({"source": source, "url": url, "caption": caption})

    # --- checklist ---------------------------------------------------------------------------
    x = mix64(((key ^ _F_CHECKLIST) + GOLDEN) & MASK64)
    x, c_pos = divmod(x, _N_ITEMS)
    c_step = 1 + x % (_N_ITEMS - 1)
    checklist = []
    for _ in range(n_items):
        checklist.append(_ITEMS[c_pos])
        words += _ITEM_WORDS[c_pos]
        c_pos = (c_pos + c_step) % _N_ITEMS
    check_blocks: list[dict[str, Any]] = [{"kind": "list", "items": list(checklist)}]
    check_blocks += figures[n_lead:]
    sections.append({"heading": prose.CHECKLIST_HEADING, "blocks": check_blocks})

    intro = topics.INTRO_TEMPLATES[intro_i].format_map(fmt)
    final_notes = topics.FINAL_TEMPLATES[final_i].format_map(fmt)
    words += intro.count(" ") + final_notes.count(" ") + 2

    # --- meta --------------------------------------------------------------------------------
    x = mix64(((key ^ _F_META) + GOLDEN) & MASK64)
    x, summary_i = divmod(x, _N_SUMMARY)
    x, focus_i = divmod(x, _N_FOCUS)
    x, brief_i = divmod(x, _N_BRIEF)
    x, action_i = divmod(x, _N_ACTIONS)
    x, difficulty_i = divmod(x, _N_DIFFICULTIES)
    x, tool_a = divmod(x, _N_COMMON)
    x, tool_b = divmod(x, _N_COMMON - 1)
    view_count = x % 1_000_000
    tool_b = (tool_a + 1 + tool_b) % _N_COMMON

    x = mix64(((key ^ _F_SCORE) + GOLDEN) & MASK64)
    x, quality = divmod(x, 61)
    x, freshness = divmod(x, 101)
    x, depth = divmod(x, 81)
    quality += 40
    clarity = x % 61 + 40

    x = mix64(((key ^ _F_REVISION) + GOLDEN) & MASK64)
    x, status_i = divmod(x, _N_STATUSES)
    x, major = divmod(x, 3)
    x, minor = divmod(x, 10)
    x, patch = divmod(x, 10)
    status = topics.STATUSES[status_i]
    last_reviewed = _REVIEW_DATES[x % REVIEW_DAYS]

    entities = [STACK_ENTITIES[stack_i], AREA_ENTITIES[stack_i], PROBLEM_ENTITIES[problem_i]]
    if owner_used:
        entities.append({"name": owner, "type": "person"})
    if company_used:
        entities.append({"name": company, "type": "organization"})

    meta = {
        "topic": f"{problem} / {stack_name}",
        "summary": topics.SUMMARY_TEMPLATES[summary_i].format(
            problem=problem, stack=stack_name, focus=topics.SUMMARY_FOCUS[focus_i]
        ),
        "ai_outline": {
            "context": scenario,
            "problem": problem,
            "stack": stack_name,
            "recommended_action": topics.ACTIONS[action_i],
        },
        "ai_brief": topics.BRIEF_TEMPLATES[brief_i],
        "stack": list(_STACK_LISTS[stack_i]),
        "tools": [*stack.tools, topics.COMMON_TOOLS[tool_a], topics.COMMON_TOOLS[tool_b]],
        "code_language": code_lang,
        "difficulty": topics.DIFFICULTIES[difficulty_i],
        "reading_time": max(1, -(-words // WORDS_PER_MINUTE)),
        "view_count": view_count,
        "score": {
            "quality": quality,
            "freshness": freshness,
            "depth": depth + 20,
            "clarity": clarity,
        },
        "revision": {
            "status": status,
            "version": f"{major + 1}.{minor}.{patch}",
            "last_reviewed": last_reviewed,
        },
        "reference": f"anp-ref-{seed:06d}-{draw(key, F_REFERENCE, 1) % 10000:04d}",
        "hash": "",
        "flags": {
            "ai_generated_style": _AI_STYLE[brief_i],
            "has_images": n_figs > 0,
            "image_heavy": n_figs >= IMAGE_HEAVY_FIGURES,
            "needs_human_review": quality < REVIEW_QUALITY_BELOW or status == "draft",
        },
        "checklist": checklist,
        "entities": entities,
        "image_sources": image_sources,
        "payload": {
            "source_id": f"alphanode-{seed:06d}",
            "generator": GENERATOR_NAME,
            "paragraphs": n_paragraphs,
            "scenario": scenario,
            "seed": seed,
            "generator_version": GENERATOR_VERSION,
        },
        "notes": list(_NOTE_SETS[1 + mix64(((key ^ _F_NOTES) + GOLDEN) & MASK64) % 63]),
    }

    # --- similar posts -----------------------------------------------------------------------
    x = mix64(((key ^ _F_SIMILAR) + GOLDEN) & MASK64)
    x, n_similar = divmod(x, 4)
    similar: list[dict[str, Any]] = []
    other = seed
    for _ in range(n_similar):
        x, gap = divmod(x, 997)
        other = (other + 1 + gap) % (MAX_SEED + 1)
        title, reference = title_and_reference(other)
        similar.append({"title": title, "reference": reference})

    return {
        "breadcrumb": BREADCRUMB,
        "title": _TITLES[title_i].format_map(fmt),
        "intro": intro,
        "lead": figures[:n_lead],
        "sections": sections,
        "final_notes": final_notes,
        "meta": meta,
        "similar_posts": similar,
    }
