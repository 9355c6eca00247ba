"""Lookup tables the builder derives once, at import, from the vocabulary in ``synth.data``.

Nothing here is random and nothing comes from a live library: every table is a pure function of
the committed vocabulary. Precomputing them (per-stack formatted paragraphs, JSON fragments,
word counts) keeps the per-post work small.

JSON safety: every vocabulary string except code snippets is "JSON-safe" (no ``"``, ``\\`` or
control characters; ``tests/synth/test_build.py`` checks it), so the builder writes such strings
into canonical JSON verbatim; snippets are encoded here with orjson.
"""

from __future__ import annotations

from datetime import date, timedelta

import orjson

from synth.data import code, images, prose, topics
from synth.data.faker_tables import COMPANIES, PERSON_NAMES
from synth.invariants import AI_STYLE_MARKER
from synth.rng import name_key
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

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

FIRST_REVIEW_DATE = date(2024, 1, 1)
REVIEW_DAYS = 1035
"""``revision.last_reviewed`` is FIRST_REVIEW_DATE plus 0..REVIEW_DAYS-1 days (from the seed)."""
REVIEW_DATES = tuple(
    (FIRST_REVIEW_DATE + timedelta(days=i)).isoformat() for i in range(REVIEW_DAYS)
)

VERSION_KEY = name_key(GENERATOR_VERSION)
"""``name_key(GENERATOR_VERSION)``: every post key mixes it in."""

# Field keys: each field's stream is keyed by its name (see synth.rng).
F_TOPIC = name_key("topic")
F_REFERENCE = name_key("reference")
F_SIZE = name_key("size")
F_LAYOUT = name_key("layout")
F_PARAGRAPHS = name_key("paragraphs")
F_TAILS = name_key("tails")
F_PEOPLE = name_key("people")
F_HEADINGS = name_key("headings")
F_CODE = name_key("code")
F_FIGURES = name_key("figures")
F_CHECKLIST = name_key("checklist")
F_META = name_key("meta")
F_SCORE = name_key("score")
F_REVISION = name_key("revision")
F_NOTES = name_key("notes")
F_SIMILAR = name_key("similar")

STACKS = topics.STACKS
STACK_NAMES = tuple(s.name for s in STACKS)
PROBLEMS = topics.PROBLEMS
SCENARIOS = topics.SCENARIOS
TITLES = topics.TITLE_TEMPLATES
PEOPLE = PERSON_NAMES
ORGANIZATIONS = COMPANIES


def _words(text: str) -> int:
    return text.count(" ") + 1


def _per_stack(text: str, stack: topics.Stack) -> tuple[str, int] | None:
    """``text`` with the stack's fields filled in, when it needs nothing else."""
    if "{problem}" in text or "{owner}" in text or "{company}" in text:
        return None
    done = text.format(stack=stack.name, language=stack.language)
    return done, _words(done)


BANK = prose.PARAGRAPHS
BANK_BY_STACK = tuple(tuple(_per_stack(text, stack) for text in BANK) for stack in STACKS)
"""``[stack][i]``: (paragraph i formatted for the stack, its words), or None when the paragraph
also needs the problem (formatted per post)."""

TAILS = tuple(" " + tail for tail in prose.TAILS)


def _tail_per_stack(tail: str, stack: topics.Stack) -> tuple[str, int] | None:
    done = _per_stack(tail, stack)
    return None if done is None else (done[0], done[1] - 1)


TAILS_BY_STACK = tuple(tuple(_tail_per_stack(tail, stack) for tail in TAILS) for stack in STACKS)
"""``[stack][t]``: (" " + tail t formatted, the words it adds), or None for per-post tails."""
TAIL_OWNER = tuple("{owner}" in tail for tail in TAILS)
TAIL_COMPANY = tuple("{company}" in tail for tail in TAILS)

PARAGRAPH_OPEN = '{"kind":"paragraph","text":"'
OPEN_BY_STACK = tuple(
    tuple(None if e is None else PARAGRAPH_OPEN + e[0] for e in per_stack)
    for per_stack in BANK_BY_STACK
)
"""``[stack][i]``: the JSON of paragraph i up to the end of its text (no closing quote), or None
when it is formatted per post."""
WORDS_BY_STACK = tuple(
    tuple(0 if e is None else e[1] for e in per_stack) for per_stack in BANK_BY_STACK
)


def _closing(entry: tuple[str, int] | None, v: int) -> tuple[str, int] | None:
    if v >= len(TAILS):
        return '"},', 0
    return None if entry is None else (entry[0] + '"},', entry[1])


CLOSE_BY_STACK = tuple(
    tuple(_closing(per_stack[v] if v < len(TAILS) else None, v) for v in range(64))
    for per_stack in TAILS_BY_STACK
)
"""``[stack][v]`` for a 6-bit draw ``v``: (the JSON that ends the paragraph, the words it adds);
``v < len(TAILS)`` appends tail ``v``, otherwise no tail. None: the tail is formatted per post."""

HEADINGS = prose.HEADINGS
ITEMS = prose.CHECKLIST_ITEMS
ITEM_WORDS = tuple(_words(item) for item in ITEMS)

CODE_BLOCKS = tuple(
    tuple(
        orjson.dumps({"kind": "code", "language": stack.code_language, "code": snippet}).decode()
        for snippet in code.SNIPPETS[stack.snippets]
    )
    for stack in STACKS
)
"""``[stack]``: the stack's code blocks as canonical JSON objects."""
CODE_BLOCKS_COMMA = tuple(tuple(block + "," for block in blocks) for blocks in CODE_BLOCKS)

UNSPLASH_URLS = tuple(images.UNSPLASH_URL.format(photo=p) for p in images.UNSPLASH_PHOTOS)

STACK_JSON = tuple(orjson.dumps([s.name, s.area, s.language]).decode() for s in STACKS)
TOOLS_JSON = tuple("".join(f'"{tool}",' for tool in s.tools) for s in STACKS)
"""``[stack]``: the stack's own tools as JSON list items, each followed by a comma."""
COMMON_TOOLS = topics.COMMON_TOOLS
ENTITIES_JSON = tuple(
    f'{{"name":"{s.name}","type":"stack"}},{{"name":"{s.area}","type":"area"}}' for s in STACKS
)
PROBLEM_ENTITY_JSON = tuple(f'{{"name":"{p}","type":"problem"}}' for p in PROBLEMS)
NOTES_JSON = tuple(
    orjson.dumps(
        [prose.NOTES[0], *(prose.NOTES[i + 1] for i in range(6) if mask >> i & 1)]
    ).decode()
    for mask in range(64)
)
"""``[mask]``: the notes list for a 6-bit mask over the optional notes (the first is always
there)."""
AI_STYLE = tuple(AI_STYLE_MARKER in brief for brief in topics.BRIEF_TEMPLATES)
PAYLOAD_GENERATOR = f'","generator":"{GENERATOR_NAME}","paragraphs":'
PAYLOAD_VERSION = f',"generator_version":"{GENERATOR_VERSION}"}}'
JSON_BOOL = ("false", "true")
