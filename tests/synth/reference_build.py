"""Test oracle: the step-by-step post builder that ``synth.build`` replaced (generator 1.0.0).

Kept verbatim (apart from this paragraph) as an independent statement of the algorithm:
``tests/synth/test_fastpath.py`` requires ``synth.build.build_json`` to produce the very same
bytes for many seeds and every size. It is slower and simpler: one random draw at a time,
strings formatted per post.

The post builder: (seed, size) -> canonical JSON bytes, hash included.

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
"""

from __future__ import annotations

from hashlib import sha256

from synth import tables as t
from synth.canonical import HASH_LENGTH
from synth.data import images, prose, topics
from synth.invariants import IMAGE_HEAVY_FIGURES, REVIEW_QUALITY_BELOW, WORDS_PER_MINUTE
from synth.rng import GOLDEN, MASK64
from synth.seeds import MAX_SEED

BREADCRUMB = "| |"
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
_N_TAILS = len(t.TAILS)
_N_HEADINGS = len(t.HEADINGS)
_N_ITEMS = len(t.ITEMS)
_N_PEOPLE = len(t.PEOPLE)
_N_ORGS = len(t.ORGANIZATIONS)
_N_PHOTOS = len(t.UNSPLASH_URLS)
_N_TAGS = len(images.LOREMFLICKR_TAGS)
_N_KINDS = len(images.CAPTION_KINDS)
_N_COMMON = len(t.COMMON_TOOLS)
_N_INTROS = len(topics.INTRO_TEMPLATES)
_N_FINALS = len(topics.FINAL_TEMPLATES)
_N_SUMMARY = len(topics.SUMMARY_TEMPLATES)
_N_FOCUS = len(topics.SUMMARY_FOCUS)
_N_BRIEF = len(topics.BRIEF_TEMPLATES)
_N_ACTIONS = len(topics.ACTIONS)
_N_DIFFICULTIES = len(topics.DIFFICULTIES)
_N_STATUSES = len(topics.STATUSES)
_SEED_MOD = MAX_SEED + 1


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
    return title, f"anp-ref-{seed:06d}-{_mix(((key ^ t.F_REFERENCE) + _G) & _M) % 10000:04d}"


_CHECKLISTS: dict[int, tuple[str, int]] = {}
"""Checklist JSON and words by (start, step, count), filled on use: bounded by the vocabulary
(37 * 36 * 5 entries, about 1 MB), so memory stays flat however many posts are made."""


def _title(topic_draw: int) -> str:
    x, stack = divmod(topic_draw, _N_STACKS)
    x, problem = divmod(x, _N_PROBLEMS)
    x, scenario = divmod(x, _N_SCENARIOS)
    return t.TITLES[x % _N_TITLES].format(
        problem=t.PROBLEMS[problem], stack=t.STACK_NAMES[stack], scenario=t.SCENARIOS[scenario]
    )


def _checklist(start: int, step: int, count: int) -> tuple[str, int]:
    items = [t.ITEMS[(start + i * step) % _N_ITEMS] for i in range(count)]
    return '["' + '","'.join(items) + '"]', sum(item.count(" ") + 1 for item in items)


def build_json(seed: int, size: str | None) -> bytes:
    """The canonical JSON bytes of the post for (seed, size), hash included.

    ``seed`` and ``size`` must already be valid (``synth.generate`` checks them).
    """
    mix = _mix
    key = mix(t.VERSION_KEY ^ mix(seed))

    # --- topic -------------------------------------------------------------------------------
    x = mix(((key ^ t.F_TOPIC) + _G) & _M)
    x, stack_i = divmod(x, _N_STACKS)
    x, problem_i = divmod(x, _N_PROBLEMS)
    x, scenario_i = divmod(x, _N_SCENARIOS)
    title_i = x % _N_TITLES
    stack = t.STACKS[stack_i]
    stack_name = stack.name
    problem = t.PROBLEMS[problem_i]
    scenario = t.SCENARIOS[scenario_i]
    x = mix(((key ^ t.F_PEOPLE) + _G) & _M)
    x, owner_i = divmod(x, _N_PEOPLE)
    owner = t.PEOPLE[owner_i]
    company = t.ORGANIZATIONS[x % _N_ORGS]
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
        size = t.NATURAL[mix(((key ^ t.F_SIZE) + _G) & _M) % 10]
    sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi = t.PROFILES[size]
    x = mix(((key ^ t.F_LAYOUT) + _G) & _M)
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
    counts = mix(((key ^ t.F_LAYOUT) + 2 * _G) & _M)
    span = par_hi - par_lo + 1

    # --- sections ----------------------------------------------------------------------------
    x = mix(((key ^ t.F_PARAGRAPHS) + _G) & _M)
    x, p_pos = divmod(x, _N_BANK)
    p_step = 1 + x % (_N_BANK - 1)
    x = mix(((key ^ t.F_HEADINGS) + _G) & _M)
    x, h_pos = divmod(x, _N_HEADINGS)
    h_step = 1 + x % (_N_HEADINGS - 1)
    code_blocks = t.CODE_BLOCKS[stack_i]
    n_snippets = len(code_blocks)
    s_pos = mix(((key ^ t.F_CODE) + _G) & _M) % n_snippets
    opens = t.OPEN_BY_STACK[stack_i]
    open_words = t.WORDS_BY_STACK[stack_i]
    closes = t.CLOSE_BY_STACK[stack_i]
    code_blocks = t.CODE_BLOCKS_COMMA[stack_i]
    tail_state = key ^ t.F_TAILS
    tail_word = 0
    tail_left = 0
    owner_used = False
    company_used = False
    words = 0
    n_paragraphs = 1
    out: list[str] = []
    add = out.append
    for s_i in range(n_sections):
        counts, r = divmod(counts, span)
        n_par = par_lo + r
        n_paragraphs += n_par
        code_after = -1
        if s_i in code_sections:
            code_after = n_par - 1 if (s_i + code_offset) % 2 == 0 else 0
        heading = t.HEADINGS[h_pos]
        h_pos = (h_pos + h_step) % _N_HEADINGS
        if s_i >= _N_HEADINGS:
            heading = f"{heading}, part {s_i // _N_HEADINGS + 1}"
        add(f'{{"heading":"{heading}","blocks":[')
        for p_i in range(n_par):
            opening = opens[p_pos]
            if opening is None:
                text = t.BANK[p_pos].format_map(fmt)
                words += text.count(" ") + 1
                add(t.PARAGRAPH_OPEN + text)
            else:
                add(opening)
                words += open_words[p_pos]
            p_pos = (p_pos + p_step) % _N_BANK
            if not tail_left:
                tail_state = (tail_state + _G) & _M
                tail_word = mix(tail_state)
                tail_left = 10
            tail_left -= 1
            closing = closes[tail_word & 63]
            if closing is None:
                tail_i = tail_word & 63
                tail = t.TAILS[tail_i].format_map(fmt)
                words += tail.count(" ")
                owner_used = owner_used or t.TAIL_OWNER[tail_i]
                company_used = company_used or t.TAIL_COMPANY[tail_i]
                add(tail + '"},')
            else:
                add(closing[0])
                words += closing[1]
            tail_word >>= 6
            if p_i == code_after:
                add(code_blocks[s_pos])
                s_pos = (s_pos + 1) % n_snippets
        out[-1] = out[-1][:-1]
        add("]},")
    body = "".join(out)

    # --- figures -----------------------------------------------------------------------------
    n_figs = n_lead + n_check_figs
    figures: list[str] = []
    sources: list[str] = []
    if n_figs:
        x = mix(((key ^ t.F_FIGURES) + _G) & _M)
        x, ph_pos = divmod(x, _N_PHOTOS)
        x, r = divmod(x, _N_PHOTOS - 1)
        ph_step = 1 + r
        x, kind_i = divmod(x, _N_KINDS)
        prefix = f"{problem} with {stack_name} {images.CAPTION_KINDS[kind_i]} "
        for n in range(1, n_figs + 1):
            x, r = divmod(x, 5)
            caption = f"{prefix}{n}"
            if r:
                source = images.UNSPLASH_SOURCE
                url = t.UNSPLASH_URLS[ph_pos]
                ph_pos = (ph_pos + ph_step) % _N_PHOTOS
            else:
                x, tag = divmod(x, _N_TAGS)
                source = images.LOREMFLICKR_SOURCE
                url = images.LOREMFLICKR_URL.format(
                    tags=images.LOREMFLICKR_TAGS[tag], lock=(seed + n - 1) % 1_000_000
                )
            figures.append(
                f'{{"kind":"figure","caption":"{caption}","source":"{source}","url":"{url}"}}'
            )
            sources.append(f'{{"source":"{source}","url":"{url}","caption":"{caption}"}}')

    # --- checklist ---------------------------------------------------------------------------
    x = mix(((key ^ t.F_CHECKLIST) + _G) & _M)
    x, c_pos = divmod(x, _N_ITEMS)
    checklist_key = (c_pos * (_N_ITEMS - 1) + x % (_N_ITEMS - 1)) * 8 + n_items
    cached = _CHECKLISTS.get(checklist_key)
    if cached is None:
        cached = _checklist(c_pos, 1 + x % (_N_ITEMS - 1), n_items)
        _CHECKLISTS[checklist_key] = cached
    checklist, checklist_words = cached
    words += checklist_words
    check_figures = "".join("," + f for f in figures[n_lead:])

    intro = topics.INTRO_TEMPLATES[intro_i].format_map(fmt)
    final_notes = topics.FINAL_TEMPLATES[final_i].format_map(fmt)
    words += intro.count(" ") + final_notes.count(" ") + 2

    # --- meta --------------------------------------------------------------------------------
    x = mix(((key ^ t.F_META) + _G) & _M)
    x, summary_i = divmod(x, _N_SUMMARY)
    x, focus_i = divmod(x, _N_FOCUS)
    x, brief_i = divmod(x, _N_BRIEF)
    x, action_i = divmod(x, _N_ACTIONS)
    x, difficulty_i = divmod(x, _N_DIFFICULTIES)
    x, tool_a = divmod(x, _N_COMMON)
    x, tool_b = divmod(x, _N_COMMON - 1)
    view_count = x % 1_000_000
    tool_b = (tool_a + 1 + tool_b) % _N_COMMON

    x = mix(((key ^ t.F_SCORE) + _G) & _M)
    x, quality = divmod(x, 61)
    x, freshness = divmod(x, 101)
    x, depth = divmod(x, 81)
    quality += 40
    clarity = x % 61 + 40

    x = mix(((key ^ t.F_REVISION) + _G) & _M)
    x, status_i = divmod(x, _N_STATUSES)
    x, major = divmod(x, 3)
    x, minor = divmod(x, 10)
    x, patch = divmod(x, 10)
    status = topics.STATUSES[status_i]
    last_reviewed = t.REVIEW_DATES[x % t.REVIEW_DAYS]
    reference = f"anp-ref-{seed:06d}-{mix(((key ^ t.F_REFERENCE) + _G) & _M) % 10000:04d}"
    review = quality < REVIEW_QUALITY_BELOW or status == "draft"

    entities = t.ENTITIES_JSON[stack_i] + "," + t.PROBLEM_ENTITY_JSON[problem_i]
    if owner_used:
        entities += f',{{"name":"{owner}","type":"person"}}'
    if company_used:
        entities += f',{{"name":"{company}","type":"organization"}}'
    summary = topics.SUMMARY_TEMPLATES[summary_i].format(
        problem=problem, stack=stack_name, focus=topics.SUMMARY_FOCUS[focus_i]
    )
    notes = t.NOTES_JSON[1 + mix(((key ^ t.F_NOTES) + _G) & _M) % 63]
    bools = t.JSON_BOOL

    # --- similar posts -----------------------------------------------------------------------
    x = mix(((key ^ t.F_SIMILAR) + _G) & _M)
    x, n_similar = divmod(x, 4)
    similar = []
    other = seed
    for _ in range(n_similar):
        x, gap = divmod(x, 997)
        other = (other + 1 + gap) % _SEED_MOD
        other_key = mix(t.VERSION_KEY ^ mix(other))
        other_title = _title(mix(((other_key ^ t.F_TOPIC) + _G) & _M))
        number = mix(((other_key ^ t.F_REFERENCE) + _G) & _M) % 10000
        similar.append(
            f'{{"title":"{other_title}","reference":"anp-ref-{other:06d}-{number:04d}"}}'
        )

    head = (
        f'{{"breadcrumb":"{BREADCRUMB}","title":"{t.TITLES[title_i].format_map(fmt)}",'
        f'"intro":"{intro}","lead":[{",".join(figures[:n_lead])}],"sections":[{body}'
        f'{{"heading":"{prose.CHECKLIST_HEADING}","blocks":[{{"kind":"list","items":{checklist}}}'
        f'{check_figures}]}}],"final_notes":"{final_notes}",'
        f'"meta":{{"topic":"{problem} / {stack_name}","summary":"{summary}",'
        f'"ai_outline":{{"context":"{scenario}","problem":"{problem}","stack":"{stack_name}",'
        f'"recommended_action":"{topics.ACTIONS[action_i]}"}},'
        f'"ai_brief":"{topics.BRIEF_TEMPLATES[brief_i]}","stack":{t.STACK_JSON[stack_i]},'
        f'"tools":[{t.TOOLS_JSON[stack_i]}"{t.COMMON_TOOLS[tool_a]}","{t.COMMON_TOOLS[tool_b]}"],'
        f'"code_language":"{stack.code_language}",'
        f'"difficulty":"{topics.DIFFICULTIES[difficulty_i]}",'
        f'"reading_time":{max(1, -(-words // WORDS_PER_MINUTE))},"view_count":{view_count},'
        f'"score":{{"quality":{quality},"freshness":{freshness},"depth":{depth + 20},'
        f'"clarity":{clarity}}},"revision":{{"status":"{status}",'
        f'"version":"{major + 1}.{minor}.{patch}","last_reviewed":"{last_reviewed}"}},'
        f'"reference":"{reference}","hash":"'
    ).encode()
    rest = (
        f'","flags":{{"ai_generated_style":{bools[t.AI_STYLE[brief_i]]},'
        f'"has_images":{bools[n_figs > 0]},"image_heavy":{bools[n_figs >= IMAGE_HEAVY_FIGURES]},'
        f'"needs_human_review":{bools[review]}}},"checklist":{checklist},'
        f'"entities":[{entities}],"image_sources":[{",".join(sources)}],'
        f'"payload":{{"source_id":"alphanode-{seed:06d}{t.PAYLOAD_GENERATOR}{n_paragraphs},'
        f'"scenario":"{scenario}","seed":{seed}{t.PAYLOAD_VERSION},"notes":{notes}}},'
        f'"similar_posts":[{",".join(similar)}]}}'
    ).encode()
    digest = sha256(head)
    digest.update(rest)
    return b"".join((head, digest.hexdigest()[:HASH_LENGTH].encode(), rest))
