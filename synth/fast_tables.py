"""Precomputed JSON fragments for ``synth.build``'s fast path.

``build_json`` writes a post as a join of fragments. Everything that depends only on a post's
stack is formatted once, at import, into a ``StackTexts`` record: paragraph openings (the JSON
block prefix and the paragraph with ``{stack}`` and ``{language}`` filled in), paragraph
closings (appended sentences), and the title/intro/final/summary templates, plus word counts as
``bytes.translate`` tables. What a post adds is filled in per post: the problem (marked by
``PROBLEM`` inside paragraphs and closings, a ``{problem}`` field in the templates), the owner
and company (``OWNER`` / ``COMPANY`` marks in a few closings), the scenario, and numbers.

Memory: 20 stack records (about 0.5 MB) and a few small tables, built at import; nothing grows
with the number of posts and nothing is cached per seed. (Records per (stack, problem) pair were
tried: 10 MB once all 920 pairs were used, and slower, because a post then touched memory that
other posts had pushed out of the CPU caches.)

The bank walk: the paragraph of global index ``k`` is ``(p0 + k * step) % 53``. With
``j0 = p0 * step**-1 mod 53`` that is ``ORDER[step][j0 + k]``, where ``ORDER[step]`` repeats
``(j * step) % 53`` for ``j = 0..52``, so a post's whole walk is one bytes slice.

Appended-sentence choices: tail output ``t_j`` (``j = 0, 1, ...``) gives the choices of 10
paragraphs, ``v_k = (t_{k // 10} >> 6 * (k % 10)) & 63``. Concatenating the low 60 bits of the
outputs into one integer ``T`` makes ``v_k`` its ``k``-th 6-bit digit; ``tail_choices`` reads
all digits at once with base64 (which writes 6-bit digits, most significant first).
"""

from __future__ import annotations

from base64 import b64encode
from struct import Struct
from typing import NamedTuple

from synth import tables as t
from synth.data import images, prose, topics
from synth.rng import GOLDEN, MASK64

BREADCRUMB = "| |"
"""The breadcrumb line of every post (as in the specimen)."""

PROBLEM = "\x01"
"""Marks ``{problem}`` in a preformatted paragraph or closing (never in vocabulary: tested)."""
OWNER = "\x02"
"""Marks ``{owner}`` in a preformatted closing."""
COMPANY = "\x03"
"""Marks ``{company}`` in a preformatted closing."""

N_BANK = len(t.BANK)
N_TAILS = len(t.TAILS)
PARAGRAPH_OPEN = t.PARAGRAPH_OPEN
_MARKS = {"problem": PROBLEM, "owner": OWNER, "company": COMPANY}
_FIELDS = {"problem": "{problem}", "scenario": "{scenario}", "focus": "{focus}"}


def _words(text: str) -> int:
    return text.count(" ") + 1


class StackTexts(NamedTuple):
    """Every fragment of one stack. Strings are JSON-safe (written verbatim)."""

    opens: tuple[str, ...]
    """``[p]``: ``{"kind":"paragraph","text":"`` and paragraph ``p`` (problem marked)."""
    open_words: bytes
    """``translate`` table: byte ``p`` -> words of paragraph ``p`` (a mark counts as none)."""
    closes: tuple[str, ...]
    """``[v]`` for a 6-bit choice ``v``: ``" " + tail v`` (``v < 23``) or ``""``, then ``"}``
    (problem, owner and company marked)."""
    close_words: bytes
    """``translate`` table: byte ``v`` -> words closing ``v`` adds (a mark counts as none)."""
    titles: tuple[tuple[str, str, str, bool], ...]
    """``[template]``: (a, b, c, has scenario): the title is a + problem + b (+ scenario) + c."""
    intros: tuple[tuple[str, str, str], ...]
    """``[template]``: (a, b, c): the intro is a + problem + b + scenario + c."""
    finals: tuple[tuple[str, str, bool], ...]
    """``[template]``: (a, b, has problem): the final notes are a (+ problem) + b."""
    summaries: tuple[tuple[str, str, str], ...]
    """``[template]``: (a, b, c): the summary is a + problem + b + focus + c."""


def make_stack_texts(stack: topics.Stack) -> StackTexts:
    """Format every fragment of ``stack``."""
    values = {"stack": stack.name, "language": stack.language}
    opens = tuple(PARAGRAPH_OPEN + text.format(**values, **_MARKS) for text in t.BANK)
    tails = [tail.format(**values, **_MARKS) for tail in t.TAILS]  # each starts with a space
    closes = (*(tail + '"}' for tail in tails), *('"}',) * (64 - N_TAILS))
    return StackTexts(
        opens=opens,
        open_words=bytes(_words(text) for text in opens).ljust(256, b"\0"),
        closes=closes,
        close_words=bytes(closing.count(" ") for closing in closes).ljust(256, b"\0"),
        titles=tuple((*_parts(x, values, "scenario", True), "{scenario}" in x) for x in t.TITLES),
        intros=tuple(_parts(x, values, "scenario") for x in topics.INTRO_TEMPLATES),
        finals=tuple(
            (*_parts(x, values, None, True)[:2], "{problem}" in x) for x in topics.FINAL_TEMPLATES
        ),
        summaries=tuple(_parts(x, values, "focus") for x in topics.SUMMARY_TEMPLATES),
    )


def _parts(
    template: str, values: dict[str, str], second: str | None, optional: bool = False
) -> tuple[str, str, str]:
    """``template`` with ``values`` filled in, cut at ``{problem}`` and then at ``{second}``.

    Each field must occur at most once (exactly once unless ``optional``), the problem first;
    a missing field cuts nothing off (its part is empty and the caller leaves the field out).
    """
    text = template.format(**values, **_FIELDS)
    a, *rest = text.split("{problem}")
    if not rest:
        if not optional:
            raise ValueError(f"no {{problem}} in {template!r}")
        a, rest = "", [text]
    if len(rest) != 1:
        raise ValueError(f"{{problem}} more than once in {template!r}")
    if second is None:
        return a, rest[0], ""
    b, *tail = rest[0].split("{" + second + "}")
    if len(tail) > 1 or (not tail and not optional):
        raise ValueError(f"{{{second}}} not exactly once after {{problem}} in {template!r}")
    return a, b, tail[0] if tail else ""


STACK_TEXTS = tuple(make_stack_texts(stack) for stack in t.STACKS)
"""``[stack]``: the stack's fragments."""


def _marks(texts: tuple[str, ...], *names: str) -> bytes:
    """``translate`` table: byte ``i`` -> how often ``texts[i]`` uses the fields ``names``."""
    return bytes(sum(text.count("{" + name + "}") for name in names) for text in texts).ljust(
        256, b"\0"
    )


OPEN_PROBLEMS = _marks(t.BANK, "problem")
"""``translate`` table: byte ``p`` -> problem marks in paragraph ``p`` (0 or 1)."""
CLOSE_MARKED = bytes(min(1, n) for n in _marks(t.TAILS, *_MARKS))
"""``translate`` table: byte ``v`` -> 1 when closing ``v`` carries any mark."""
CLOSE_PROBLEMS = _marks(t.TAILS, "problem")
CLOSE_OWNERS = _marks(t.TAILS, "owner")
CLOSE_COMPANIES = _marks(t.TAILS, "company")
"""``translate`` tables: byte ``v`` -> problem / owner / company marks in closing ``v``."""
if max(OPEN_PROBLEMS) > 1:
    raise ValueError("a paragraph uses {problem} twice: build_json finds marks with find(1)")
PROBLEM_SPACES = tuple(problem.count(" ") for problem in t.PROBLEMS)
"""``[problem]``: the words a problem adds beyond one (its spaces)."""


_WALK_REPEAT = 12
"""Enough repeats of the bank order for the longest post (xl: 40 * 12 = 480 paragraphs)."""
ORDER = (
    b"",
    *(bytes(j * step % N_BANK for j in range(N_BANK)) * _WALK_REPEAT for step in range(1, N_BANK)),
)
"""``[step]``: the bank visited with ``step`` from paragraph 0, repeated."""
INVERSE = (0, *(pow(step, -1, N_BANK) for step in range(1, N_BANK)))
"""``[step]``: the inverse of ``step`` modulo the bank size."""
MAX_WALK = N_BANK * (_WALK_REPEAT - 1)
"""Posts with more paragraphs than this are walked without ``ORDER`` (none today)."""

_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64_DIGITS = bytes(_B64.index(i) if i in _B64 else 0 for i in range(256))
"""``translate`` table: a base64 character -> its 6-bit value."""
LOW60 = (1 << 60) - 1


def tail_choices(outputs: list[int], count: int) -> bytes:
    """The 6-bit choices ``v_0 .. v_{count-1}`` carried by the tail ``outputs`` (10 each)."""
    digits = 0
    for j, output in enumerate(outputs):
        digits |= (output & LOW60) << (60 * j)
    bits = 60 * len(outputs)
    pad = -bits % 24
    encoded = b64encode((digits << pad).to_bytes((bits + pad) // 8, "big"))
    return encoded[::-1][pad // 6 : pad // 6 + count].translate(B64_DIGITS)


N_HEADINGS = len(t.HEADINGS)
HEADING_OPEN = tuple(f']}},{{"heading":"{heading}","blocks":[' for heading in t.HEADINGS)
"""``[h]``: the end of the previous section, then section ``h``'s JSON up to its first block
(the first section drops the leading ``]},``)."""
HEADING_ORDER = (
    b"",
    *(bytes(j * step % N_HEADINGS for j in range(N_HEADINGS)) * 3 for step in range(1, N_HEADINGS)),
)
"""``[step]``: the headings visited with ``step`` from heading 0, repeated (xl: 40 sections)."""
HEADING_INVERSE = (0, *(pow(step, -1, N_HEADINGS) for step in range(1, N_HEADINGS)))

N_STATUSES = len(topics.STATUSES)
REVISIONS = tuple(
    f'"revision":{{"status":"{topics.STATUSES[i % N_STATUSES]}",'
    f'"version":"{i // N_STATUSES % 3 + 1}.{i // (N_STATUSES * 3) % 10}.'
    f'{i // (N_STATUSES * 30) % 10}","last_reviewed":"'
    for i in range(N_STATUSES * 300)
)
"""``[r % len(REVISIONS)]`` for the revision output ``r``: status and version digits."""
DRAFT = topics.STATUSES.index("draft")
"""The status that always needs human review (``r % N_STATUSES == DRAFT``)."""
BRIEF_ACTIONS = tuple(
    f'{topics.ACTIONS[i // len(topics.BRIEF_TEMPLATES)]}"}},"ai_brief":"'
    f"{topics.BRIEF_TEMPLATES[i % len(topics.BRIEF_TEMPLATES)]}"
    for i in range(len(topics.BRIEF_TEMPLATES) * len(topics.ACTIONS))
)
"""``[brief + 4 * action]`` (consecutive digits of the meta output): the recommended action,
then the ai brief."""
STACK_META = tuple(
    f'","stack":{t.STACK_JSON[i]},"tools":[{t.TOOLS_JSON[i]}' for i in range(len(t.STACKS))
)
"""``[stack]``: the stack list and the stack's own tools."""
N_COMMON = len(t.COMMON_TOOLS)
COMMON_PAIRS = tuple(
    f'"{t.COMMON_TOOLS[a]}","{t.COMMON_TOOLS[(a + 1 + b) % N_COMMON]}"],"code_language":"'
    for b in range(N_COMMON - 1)
    for a in range(N_COMMON)
)
"""``[a + N_COMMON * b]`` (consecutive digits of the meta output): the two common tools."""
if not images.LOREMFLICKR_URL.endswith("{lock}"):
    raise ValueError("LOREMFLICKR_URL must end with {lock}")
LOREMFLICKR_URLS = tuple(
    images.LOREMFLICKR_URL[: -len("{lock}")].format(tags=tags) for tags in images.LOREMFLICKR_TAGS
)
"""``[tag]``: a loremflickr URL up to its lock number."""
UNSPLASH_FIGURE = tuple(
    f'","source":"{images.UNSPLASH_SOURCE}","url":"{url}"}}' for url in t.UNSPLASH_URLS
)
"""``[photo]``: a figure block's JSON after its caption."""
UNSPLASH_SOURCE = tuple(
    f'{{"source":"{images.UNSPLASH_SOURCE}","url":"{url}","caption":"' for url in t.UNSPLASH_URLS
)
"""``[photo]``: an image-sources entry up to its caption."""
CHECKLIST_OPEN = f']}},{{"heading":"{prose.CHECKLIST_HEADING}","blocks":[{{"kind":"list","items":'


BATCH: tuple[tuple[int, int], ...] = (
    (t.F_TOPIC, 1),
    (t.F_PEOPLE, 1),
    (t.F_SIZE, 1),
    (t.F_LAYOUT, 1),
    (t.F_LAYOUT, 2),
    (t.F_PARAGRAPHS, 1),
    (t.F_HEADINGS, 1),
    (t.F_CODE, 1),
    (t.F_TAILS, 1),
    (t.F_TAILS, 2),
    (t.F_FIGURES, 1),
    (t.F_CHECKLIST, 1),
    (t.F_META, 1),
    (t.F_SCORE, 1),
    (t.F_REVISION, 1),
    (t.F_REFERENCE, 1),
    (t.F_NOTES, 1),
    (t.F_SIMILAR, 1),
)
"""The (field, output number) pairs a post always draws, in ``build_json``'s unpacking order.

They are mixed together as 128-bit lanes of one integer: lane ``i`` holds the 64-bit input
``((key ^ field) + n * GOLDEN) mod 2**64``. Shifts leak the next lane's low bits only into bits
64..127, which the mask clears; products of two 64-bit numbers fit in 128 bits, so lanes never
carry into each other. The result is exactly ``mix64`` of each input."""
LANE_ONES = sum(1 << (128 * i) for i in range(len(BATCH)))
"""Multiplying a 64-bit key by this copies it into every lane."""
LANE_MASK = LANE_ONES * MASK64
LANE_FIELDS = sum(field << (128 * i) for i, (field, _) in enumerate(BATCH))
LANE_STEPS = sum(((n * GOLDEN) & MASK64) << (128 * i) for i, (_, n) in enumerate(BATCH))
LANE_BYTES = 16 * len(BATCH)
unpack_lanes = Struct("<" + "Q8x" * len(BATCH)).unpack
"""Reads the low 64 bits of every lane from ``to_bytes(LANE_BYTES, "little")``."""
