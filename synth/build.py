"""The post builder: (seed, size) -> canonical JSON bytes, hash included.

Two implementations of one algorithm, byte for byte: ``build_json_py`` below (the definition,
the fallback and the oracle) and the C module ``synth._native`` (``synth/_native.c``, loaded and
given these tables by ``synth.native``). ``build_json`` is whichever is active: the C one when it
is built and initialised, unless ``ANP_SYNTH_PURE=1``; ``synth.native.ACTIVE`` says which.

``build_json`` is the heart of the synthesizer. It writes the canonical JSON of the post
directly (keys in ``synth.model`` field order, compact, as orjson would), because that is what
imports and corpora need; ``synth.generate.synthesize`` parses these bytes into a ``Post``.
Tests prove the bytes equal pydantic's own serialization of the validated post for 10,000 seeds.

Randomness: each field draws from its own splitmix64 stream (see ``synth.rng``): output ``i``
of field ``f`` for the post keyed ``k`` is ``mix64((k ^ name_key(f)) + i * GOLDEN mod 2**64)``,
where ``k = mix64(name_key(GENERATOR_VERSION) ^ mix64(seed))``. Several small choices come from
one output with ``divmod``. Bank walks use ``(start + i * step) % len(bank)`` with prime bank
sizes, so entries do not repeat within a normal post.

The hash: sha256 over the bytes written with ``"hash":""``, first 24 hex digits, then spliced
into the empty slot (see ``synth.canonical.post_hash`` for the definition).

Speed (see ``synth.fast_tables`` and docs/synth.md): the always-needed outputs are mixed as
lanes of one integer, text comes from per-stack fragments cut around the per-post values, and
the hot loop is a single list comprehension over bytes walks. Module-level ``_NAME`` aliases
keep lookups local to this module. Two caches, both bounded whatever the number of posts:
checklist fragments (by the vocabulary) and similar-post entries (at most ``_SIMILAR_MAX``).
``tests/synth/reference_build.py`` is the step-by-step version this must match byte for byte.
"""

from __future__ import annotations

from binascii import b2a_base64
from collections.abc import Callable
from hashlib import sha256

from synth import fast_tables as ft
from synth import native
from synth import tables as t
from synth.canonical import HASH_LENGTH
from synth.data import images, topics
from synth.invariants import IMAGE_HEAVY_FIGURES, REVIEW_QUALITY_BELOW, WORDS_PER_MINUTE
from synth.rng import GOLDEN, MASK64
from synth.seeds import MAX_SEED

BREADCRUMB = ft.BREADCRUMB
"""The breadcrumb line of every post (as in the specimen)."""

_M = MASK64
_G = GOLDEN
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB
_N_STACKS = len(t.STACKS)
_N_PROBLEMS = len(t.PROBLEMS)
_N_SCENARIOS = len(t.SCENARIOS)
_N_TITLES = len(t.TITLES)
_N_BANK = len(t.BANK)
_N_HEADINGS = len(t.HEADINGS)
_N_ITEMS = len(t.ITEMS)
_N_PEOPLE = len(t.PEOPLE)
_N_ORGS = len(t.ORGANIZATIONS)
_N_PHOTOS = len(t.UNSPLASH_URLS)
_N_TAGS = len(images.LOREMFLICKR_TAGS)
_N_KINDS = len(images.CAPTION_KINDS)
_N_INTROS = len(topics.INTRO_TEMPLATES)
_N_FINALS = len(topics.FINAL_TEMPLATES)
_N_SUMMARY = len(topics.SUMMARY_TEMPLATES)
_N_FOCUS = len(topics.SUMMARY_FOCUS)
_N_BRIEF = len(topics.BRIEF_TEMPLATES)
_N_ACTIONS = len(topics.ACTIONS)
_N_DIFFICULTIES = len(topics.DIFFICULTIES)
_N_STATUSES = len(topics.STATUSES)
_SEED_MOD = MAX_SEED + 1
_VERSION_KEY = t.VERSION_KEY
_F_TOPIC = t.F_TOPIC
_F_REFERENCE = t.F_REFERENCE
_F_TAILS = t.F_TAILS
_LANE_ONES = ft.LANE_ONES
_LANE_MASK = ft.LANE_MASK
_LANE_FIELDS = ft.LANE_FIELDS
_LANE_STEPS = ft.LANE_STEPS
_LANE_BYTES = ft.LANE_BYTES
_unpack_lanes = ft.unpack_lanes
_STACK_TEXTS = ft.STACK_TEXTS
_STACK_NAMES = t.STACK_NAMES
_PROBLEMS = t.PROBLEMS
_PROBLEM = ft.PROBLEM
_OPEN_PROBLEMS = ft.OPEN_PROBLEMS
_CLOSE_MARKED = ft.CLOSE_MARKED
_CLOSE_PROBLEMS = ft.CLOSE_PROBLEMS
_CLOSE_OWNERS = ft.CLOSE_OWNERS
_CLOSE_COMPANIES = ft.CLOSE_COMPANIES
_PROBLEM_SPACES = ft.PROBLEM_SPACES
_CAPTION_KINDS = images.CAPTION_KINDS
_ENTITIES_JSON = t.ENTITIES_JSON
_PROBLEM_ENTITY_JSON = t.PROBLEM_ENTITY_JSON
_OWNER = ft.OWNER
_COMPANY = ft.COMPANY
_INVERSE = ft.INVERSE
_ORDER = ft.ORDER
_tail_choices = ft.tail_choices
_b64 = b2a_base64
_LOW60 = ft.LOW60
_B64_DIGITS = ft.B64_DIGITS
_HEADING_OPEN = ft.HEADING_OPEN
_HEADINGS = t.HEADINGS
_HEADING_ORDER = ft.HEADING_ORDER
_HEADING_INVERSE = ft.HEADING_INVERSE
_CODE_BLOCKS = t.CODE_BLOCKS
_UNSPLASH_FIGURE = ft.UNSPLASH_FIGURE
_LOREMFLICKR_SOURCE = images.LOREMFLICKR_SOURCE
_LOREMFLICKR_URLS = ft.LOREMFLICKR_URLS
_UNSPLASH_SOURCE = ft.UNSPLASH_SOURCE
_CHECKLIST_OPEN = ft.CHECKLIST_OPEN
_SCENARIOS = t.SCENARIOS
_PEOPLE = t.PEOPLE
_ORGANIZATIONS = t.ORGANIZATIONS
_PROFILES = t.PROFILES
_NATURAL = t.NATURAL
_FOCUS = topics.SUMMARY_FOCUS
_BRIEF_ACTIONS = ft.BRIEF_ACTIONS
_STACK_META = ft.STACK_META
_COMMON_PAIRS = ft.COMMON_PAIRS
_N_COMMON_PAIRS = len(ft.COMMON_PAIRS)
_CODE_LANGUAGES = tuple(stack.code_language for stack in t.STACKS)
_DIFFICULTIES = topics.DIFFICULTIES
_REVISIONS = ft.REVISIONS
_N_REVISIONS = len(ft.REVISIONS)
_DRAFT = ft.DRAFT
_REVIEW_DATES = t.REVIEW_DATES
_REVIEW_DAYS = t.REVIEW_DAYS
_BOOL = t.JSON_BOOL
_AI_STYLE = t.AI_STYLE
_PAYLOAD_GENERATOR = t.PAYLOAD_GENERATOR
_PAYLOAD_VERSION = t.PAYLOAD_VERSION
_NOTES_JSON = t.NOTES_JSON


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * _C1) & _M
    z = ((z ^ (z >> 27)) * _C2) & _M
    return z ^ (z >> 31)


def post_key(seed: int) -> int:
    """The per-post key of ``seed`` under this generator version."""
    return _mix(t.VERSION_KEY ^ _mix(seed))


def draw(key: int, field: int, i: int = 1) -> int:
    """Output ``i`` (1-based) of the stream of ``field`` for the post keyed ``key``."""
    return _mix(((key ^ field) + i * _G) & _M)


def topic_indices(key: int) -> tuple[int, int, int, int]:
    """(stack, problem, scenario, title template) indices of the post keyed ``key``."""
    x = _mix(((key ^ t.F_TOPIC) + _G) & _M)
    x, stack = divmod(x, _N_STACKS)
    x, problem = divmod(x, _N_PROBLEMS)
    x, scenario = divmod(x, _N_SCENARIOS)
    return stack, problem, scenario, x % _N_TITLES


def title_and_reference(seed: int) -> tuple[str, str]:
    """The title and reference of ``seed``'s post, without building it."""
    key = _mix(t.VERSION_KEY ^ _mix(seed))
    stack, problem, scenario, template = topic_indices(key)
    title = t.TITLES[template].format(
        problem=t.PROBLEMS[problem], stack=t.STACK_NAMES[stack], scenario=t.SCENARIOS[scenario]
    )
    return title, reference(seed)


def reference_py(seed: int) -> str:
    """``anp-ref-{seed:06d}-NNNN`` of ``seed``'s post, without its title (the hot path of load
    generation: every acknowledged post is filed under its reference). ``seed`` must be valid."""
    return f"anp-ref-{seed:06d}-{draw(post_key(seed), _F_REFERENCE) % 10000:04d}"


reference: Callable[[int], str] = reference_py if native.reference is None else native.reference
"""``reference_py`` or the C module's (same text, a tenth of the time)."""


_CHECKLISTS: dict[int, tuple[str, int]] = {}
"""Checklist JSON and words by (start, step, count), filled on use: bounded by the vocabulary
(37 * 36 * 5 entries, about 1 MB), so memory stays flat however many posts are made."""


def _checklist(start: int, step: int, count: int) -> tuple[str, int]:
    items = [t.ITEMS[(start + i * step) % _N_ITEMS] for i in range(count)]
    return '["' + '","'.join(items) + '"]', sum(item.count(" ") + 1 for item in items)


_SIMILAR: dict[int, str] = {}
"""Similar-post entries (JSON) by seed, filled on use and emptied when ``_SIMILAR_MAX`` is
reached: bounded memory (about 1.5 MB). Each entry costs four ``mix64`` rounds to make, and in a
corpus of consecutive seeds about half of them are asked for again by a nearby post."""
_SIMILAR_MAX = 8192


def _similar_entry(other: int) -> str:
    """``{"title":...,"reference":...}`` of seed ``other``'s post (and remember it)."""
    key = _mix(_VERSION_KEY ^ _mix(other))
    y, o_stack = divmod(_mix(((key ^ _F_TOPIC) + _G) & _M), _N_STACKS)
    y, o_problem = divmod(y, _N_PROBLEMS)
    y, o_scenario = divmod(y, _N_SCENARIOS)
    a, b, c, with_scenario = _STACK_TEXTS[o_stack].titles[y % _N_TITLES]
    scenario = _SCENARIOS[o_scenario] if with_scenario else ""
    number = _mix(((key ^ _F_REFERENCE) + _G) & _M) % 10000
    entry = (
        f'{{"title":"{a}{_PROBLEMS[o_problem]}{b}{scenario}{c}",'
        f'"reference":"anp-ref-{other:06d}-{number:04d}"}}'
    )
    if len(_SIMILAR) >= _SIMILAR_MAX:
        _SIMILAR.clear()
    _SIMILAR[other] = entry
    return entry


def build_json_py(seed: int, size: str | None) -> bytes:
    """The canonical JSON bytes of the post for (seed, size), hash included (pure Python).

    ``seed`` and ``size`` must already be valid (``synth.generate`` checks them).

    The fast path (see ``synth.fast_tables``): the post's always-needed stream outputs are mixed
    together as lanes of one integer; paragraphs are looked up in the (stack, problem) pair's
    preformatted fragments along the bank walk, their appended sentences chosen by the 6-bit
    digits of the tail outputs; word counts come from ``bytes.translate`` tables; consecutive
    small choices of one output that are written side by side index one combined fragment.
    Every byte equals what the step-by-step definition in the module docstring gives (tested
    against a reference implementation and the golden digests).
    """
    c1 = _C1
    c2 = _C2
    m = _M
    z = ((seed ^ (seed >> 30)) * c1) & m
    z = ((z ^ (z >> 27)) * c2) & m
    z = z ^ (z >> 31) ^ _VERSION_KEY
    z = ((z ^ (z >> 30)) * c1) & m
    z = ((z ^ (z >> 27)) * c2) & m
    key = z ^ (z >> 31)
    lanes = _LANE_MASK
    z = ((key * _LANE_ONES ^ _LANE_FIELDS) + _LANE_STEPS) & lanes
    z = ((z ^ (z >> 30)) & lanes) * c1 & lanes
    z = ((z ^ (z >> 27)) & lanes) * c2 & lanes
    (
        d_topic,
        d_people,
        d_size,
        d_layout,
        counts,
        d_paragraphs,
        d_headings,
        d_code,
        d_tail1,
        d_tail2,
        d_figures,
        d_checklist,
        d_meta,
        d_score,
        d_revision,
        d_reference,
        d_notes,
        d_similar,
    ) = _unpack_lanes(((z ^ (z >> 31)) & lanes).to_bytes(_LANE_BYTES, "little"))

    # --- topic -------------------------------------------------------------------------------
    x, stack_i = divmod(d_topic, _N_STACKS)
    x, problem_i = divmod(x, _N_PROBLEMS)
    x, scenario_i = divmod(x, _N_SCENARIOS)
    title_i = x % _N_TITLES
    st = _STACK_TEXTS[stack_i]
    stack_name = _STACK_NAMES[stack_i]
    problem = _PROBLEMS[problem_i]
    scenario = _SCENARIOS[scenario_i]

    # --- layout ------------------------------------------------------------------------------
    sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi = _PROFILES[
        size or _NATURAL[d_size % 10]
    ]
    x, r = divmod(d_layout, sec_hi - sec_lo + 1)
    n_sections = sec_lo + r
    x, n_lead = divmod(x, lead_max + 1)
    x, n_check_figs = divmod(x, check_max + 1)
    x, r = divmod(x, code_hi - code_lo + 1)
    n_code = min(code_lo + r, n_sections)
    x, code_offset = divmod(x, n_sections)
    x, intro_i = divmod(x, _N_INTROS)
    x, final_i = divmod(x, _N_FINALS)
    n_items = 3 + x % 5
    span = par_hi - par_lo + 1
    per_section = []
    for _ in range(n_sections):
        counts, r = divmod(counts, span)
        per_section.append(par_lo + r)
    n_body = sum(per_section)
    # Where each section's code block goes: after its last paragraph or after its first.
    code_at = [0] * n_sections
    code_every = n_sections // n_code
    for j in range(n_code):
        s_i = (code_offset + j * code_every) % n_sections
        code_at[s_i] = per_section[s_i] if (s_i + code_offset) % 2 == 0 else 1

    # --- paragraphs: bank walk x appended-sentence choices ------------------------------------
    x, p_pos = divmod(d_paragraphs, _N_BANK)
    p_step = 1 + x % (_N_BANK - 1)
    j0 = p_pos * _INVERSE[p_step] % _N_BANK
    walk = _ORDER[p_step][j0 : j0 + n_body]
    if n_body > 20:
        tail_outputs = [d_tail1, d_tail2]
        for i in range(3, (n_body + 9) // 10 + 1):
            z = ((key ^ _F_TAILS) + i * _G) & m
            z = ((z ^ (z >> 30)) * c1) & m
            z = ((z ^ (z >> 27)) * c2) & m
            tail_outputs.append(z ^ (z >> 31))
        choices = _tail_choices(tail_outputs, n_body)
    else:  # the common case, inlined: two outputs are 20 choices (see tail_choices)
        choices = _b64(
            ((d_tail1 & _LOW60) | (d_tail2 & _LOW60) << 60).to_bytes(15, "big"), newline=False
        )[20 - n_body :][::-1].translate(_B64_DIGITS)
    opens = st.opens
    closes = st.closes
    paragraphs = [opens[p] + closes[v] for p, v in zip(walk, choices, strict=True)]
    words = sum(walk.translate(st.open_words)) + sum(choices.translate(st.close_words))
    # Fill the marks: the problem in some paragraphs, problem/owner/company in some closings.
    # A mark counts as no word in the tables; each filled value adds its spaces.
    marked = walk.translate(_OPEN_PROBLEMS)
    problem_marks = sum(marked) + sum(choices.translate(_CLOSE_PROBLEMS))
    words += problem_marks * _PROBLEM_SPACES[problem_i]
    k = marked.find(1)
    while k >= 0:
        paragraphs[k] = paragraphs[k].replace(_PROBLEM, problem)
        k = marked.find(1, k + 1)
    marked = choices.translate(_CLOSE_MARKED)
    k = marked.find(1)
    owner_used = company_used = False
    if k >= 0:
        x, owner_i = divmod(d_people, _N_PEOPLE)
        owner = _PEOPLE[owner_i]
        company = _ORGANIZATIONS[x % _N_ORGS]
        owner_marks = sum(choices.translate(_CLOSE_OWNERS))
        company_marks = sum(choices.translate(_CLOSE_COMPANIES))
        owner_used = owner_marks > 0
        company_used = company_marks > 0
        words += owner_marks * owner.count(" ") + company_marks * company.count(" ")
        while k >= 0:
            paragraphs[k] = (
                paragraphs[k]
                .replace(_OWNER, owner)
                .replace(_COMPANY, company)
                .replace(_PROBLEM, problem)
            )
            k = marked.find(1, k + 1)

    # --- figures: each written with a leading comma ------------------------------------------
    n_figs = n_lead + n_check_figs
    figures: list[str] = []
    sources: list[str] = []
    if n_figs:
        x, ph_pos = divmod(d_figures, _N_PHOTOS)
        x, r = divmod(x, _N_PHOTOS - 1)
        ph_step = 1 + r
        x, kind_i = divmod(x, _N_KINDS)
        prefix = f"{problem} with {stack_name} {_CAPTION_KINDS[kind_i]} "
        for n in range(1, n_figs + 1):
            x, r = divmod(x, 5)
            if r:
                figures.append(
                    f',{{"kind":"figure","caption":"{prefix}{n}{_UNSPLASH_FIGURE[ph_pos]}'
                )
                sources.append(f',{_UNSPLASH_SOURCE[ph_pos]}{prefix}{n}"}}')
                ph_pos = (ph_pos + ph_step) % _N_PHOTOS
            else:
                x, tag = divmod(x, _N_TAGS)
                source = _LOREMFLICKR_SOURCE
                url = f"{_LOREMFLICKR_URLS[tag]}{(seed + n - 1) % 1_000_000}"
                figures.append(
                    f',{{"kind":"figure","caption":"{prefix}{n}","source":"{source}","url":"{url}"}}'
                )
                sources.append(f',{{"source":"{source}","url":"{url}","caption":"{prefix}{n}"}}')

    # --- sections ----------------------------------------------------------------------------
    x, h_pos = divmod(d_headings, _N_HEADINGS)
    h_step = 1 + x % (_N_HEADINGS - 1)
    j0 = h_pos * _HEADING_INVERSE[h_step] % _N_HEADINGS
    heading_open = _HEADING_OPEN
    order = _HEADING_ORDER[h_step][j0 : j0 + n_sections]
    heads = [heading_open[h] for h in order]
    heads[0] = heads[0][3:]
    for s_i in range(_N_HEADINGS, n_sections):  # xl: headings come round as "part 2", ...
        heads[s_i] = (
            f']}},{{"heading":"{_HEADINGS[order[s_i]]}, part {s_i // _N_HEADINGS + 1}","blocks":['
        )
    code_blocks = _CODE_BLOCKS[stack_i]
    n_snippets = len(code_blocks)
    s_pos = d_code % n_snippets
    a, b, c = st.intros[intro_i]
    intro = f"{a}{problem}{b}{scenario}{c}"
    a, b, c, with_scenario = st.titles[title_i]
    out = [
        f'{{"breadcrumb":"{BREADCRUMB}",'
        f'"title":"{a}{problem}{b}{scenario if with_scenario else ""}{c}",'
        f'"intro":"{intro}","lead":[{"".join(figures[:n_lead])[1:]}],"sections":['
    ]
    add = out.append
    start = 0
    for head, n_par, at in zip(heads, per_section, code_at, strict=True):
        end = start + n_par
        add(head)
        if at:
            blocks = paragraphs[start:end]
            blocks.insert(at, code_blocks[s_pos])
            s_pos = (s_pos + 1) % n_snippets
            add(",".join(blocks))
        else:
            add(",".join(paragraphs[start:end]))
        start = end

    # --- checklist ---------------------------------------------------------------------------
    x, c_pos = divmod(d_checklist, _N_ITEMS)
    checklist_key = (c_pos * (_N_ITEMS - 1) + x % (_N_ITEMS - 1)) * 8 + n_items
    cached = _CHECKLISTS.get(checklist_key)
    if cached is None:
        cached = _checklist(c_pos, 1 + x % (_N_ITEMS - 1), n_items)
        _CHECKLISTS[checklist_key] = cached
    checklist, checklist_words = cached

    a, b, with_problem = st.finals[final_i]
    final_notes = f"{a}{problem if with_problem else ''}{b}"
    words += checklist_words + intro.count(" ") + final_notes.count(" ") + 2

    # --- meta: consecutive digits of one output, see fast_tables ------------------------------
    summary = st.summaries[d_meta % _N_SUMMARY]
    focus = _FOCUS[d_meta // _N_SUMMARY % _N_FOCUS]
    meta = d_meta // (_N_SUMMARY * _N_FOCUS)
    brief_i = meta % _N_BRIEF
    tools = meta // (_N_BRIEF * _N_ACTIONS * _N_DIFFICULTIES)
    quality = d_score % 61 + 40
    review = quality < REVIEW_QUALITY_BELOW or d_revision % _N_STATUSES == _DRAFT
    entities = f"{_ENTITIES_JSON[stack_i]},{_PROBLEM_ENTITY_JSON[problem_i]}"
    if owner_used:
        entities += f',{{"name":"{owner}","type":"person"}}'
    if company_used:
        entities += f',{{"name":"{company}","type":"organization"}}'

    # --- similar posts: title and reference of seeds further on (bounded cache) ------------
    x, n_similar = divmod(d_similar, 4)
    similar = ""
    if n_similar:
        entries = []
        other = seed
        for _ in range(n_similar):
            x, gap = divmod(x, 997)
            other = (other + 1 + gap) % _SEED_MOD
            entries.append(_SIMILAR.get(other) or _similar_entry(other))
        similar = ",".join(entries)

    add(
        f"{_CHECKLIST_OPEN}{checklist}}}{''.join(figures[n_lead:])}]}}],"
        f'"final_notes":"{final_notes}","meta":{{"topic":"{problem} / {stack_name}",'
        f'"summary":"{summary[0]}{problem}{summary[1]}{focus}{summary[2]}",'
        f'"ai_outline":{{"context":"{scenario}","problem":"{problem}","stack":"{stack_name}",'
        f'"recommended_action":"'
        f"{_BRIEF_ACTIONS[meta % (_N_BRIEF * _N_ACTIONS)]}{_STACK_META[stack_i]}"
        f"{_COMMON_PAIRS[tools % _N_COMMON_PAIRS]}{_CODE_LANGUAGES[stack_i]}"
        f'","difficulty":"{_DIFFICULTIES[meta // (_N_BRIEF * _N_ACTIONS) % _N_DIFFICULTIES]}",'
        f'"reading_time":{max(1, -(-words // WORDS_PER_MINUTE))},'
        f'"view_count":{tools // _N_COMMON_PAIRS % 1_000_000},'
        f'"score":{{"quality":{quality},"freshness":{d_score // 61 % 101},'
        f'"depth":{d_score // 6161 % 81 + 20},"clarity":{d_score // 499041 % 61 + 40}}},'
        f"{_REVISIONS[d_revision % _N_REVISIONS]}"
        f"{_REVIEW_DATES[d_revision // _N_REVISIONS % _REVIEW_DAYS]}"
        f'"}},"reference":"anp-ref-{seed:06d}-{d_reference % 10000:04d}","hash":"'
    )
    head = "".join(out).encode()
    rest = (
        f'","flags":{{"ai_generated_style":{_BOOL[_AI_STYLE[brief_i]]},'
        f'"has_images":{_BOOL[n_figs > 0]},"image_heavy":{_BOOL[n_figs >= IMAGE_HEAVY_FIGURES]},'
        f'"needs_human_review":{_BOOL[review]}}},"checklist":{checklist},'
        f'"entities":[{entities}],"image_sources":[{"".join(sources)[1:]}],'
        f'"payload":{{"source_id":"alphanode-{seed:06d}{_PAYLOAD_GENERATOR}{n_body + 1},'
        f'"scenario":"{scenario}","seed":{seed}{_PAYLOAD_VERSION},'
        f'"notes":{_NOTES_JSON[1 + d_notes % 63]}}},"similar_posts":[{similar}]}}'
    ).encode()
    digest = sha256(head)
    digest.update(rest)
    return b"".join((head, digest.hexdigest()[:HASH_LENGTH].encode(), rest))


build_json: Callable[[int, str | None], bytes] = (
    build_json_py if native.build is None else native.build
)
"""The builder in use (see ``synth.native.ACTIVE``): the C module's ``build`` when it is built
and initialised, else ``build_json_py``. Same bytes either way."""


def build_json_ref_py(seed: int, size: str | None) -> tuple[bytes, str]:
    """``(build_json_py(seed, size), reference_py(seed))``."""
    return build_json_py(seed, size), reference_py(seed)


build_json_ref: Callable[[int, str | None], tuple[bytes, str]] = (
    build_json_ref_py if native.build_ref is None else native.build_ref
)
"""``(build_json(seed, size), reference(seed))`` in one call: the C module's ``build_ref`` or
``build_json_ref_py``. ``seed`` and ``size`` must be valid, as for ``build_json``."""
