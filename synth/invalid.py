"""Deterministic hostile and invalid posts, for testing targets at their import boundary.

``synthesize_invalid(seed, kind)`` starts from the canonical document of ``synthesize(seed)`` and
breaks exactly one thing, chosen by ``kind`` (and, where a kind has several variants, by the
seed). Everything else stays sound: unless the kind is about the hash, ``meta.hash`` is
recomputed over the broken document (sha256 of its compact JSON with ``hash`` = "", 24 hex
digits), so a target that checks hashes still sees the intended fault first.

Except for ``changed_content``, the document's reference is NOT the reference of
``synthesize(seed)``: its last four digits are shifted, so a target that wrongly accepts a broken
post does not overwrite or collide with the valid one, and verification can check that the
broken reference never landed.

What a well-behaved target answers is in ``expected_status`` (a 4xx, never a 5xx) and in
``description``; docs/synth.md has the table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import orjson

from synth.canonical import HASH_LENGTH, canonical_json
from synth.data.prose import PARAGRAPHS
from synth.errors import SynthError
from synth.generate import synthesize
from synth.invariants import reading_time_for
from synth.rng import Stream, seed_key
from synth.seeds import check_seed
from synth.version import GENERATOR_VERSION

JSON = "application/json"
OVERSIZED_BYTES = 2 * 1024 * 1024 + 64 * 1024
"""An oversized body is at least this long: over 2 MiB, so a target capping bodies at 1 MiB (or
2 MiB) must answer 413."""


@dataclass(frozen=True)
class InvalidPost:
    """One broken import request body and what a well-behaved target should answer."""

    kind: str
    """One of ``INVALID_KINDS``."""
    seed: int
    """The seed whose post was broken."""
    reference: str
    """The reference the body carries (``synthesize(seed)``'s own only for changed_content)."""
    body: bytes
    """The request body to send as is."""
    content_type: str
    """The Content-Type header to send with it."""
    expected_status: tuple[int, ...]
    """Acceptable answers; any 2xx or 5xx is a target bug."""
    description: str
    """What is broken and what the target should answer, in one sentence or two."""
    document: object | None = None
    """The JSON document before serialization (a dict), so adapters for other payload formats
    can map it; None when the body is not a JSON document (not_json, invalid_unicode)."""


def _doc_hash(doc: dict[str, Any]) -> str:
    meta = doc.get("meta")
    if not isinstance(meta, dict):
        return ""
    saved = meta.get("hash")
    meta["hash"] = ""
    data = orjson.dumps(doc)
    meta["hash"] = saved
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def _rehash(doc: dict[str, Any]) -> None:
    meta = doc.get("meta")
    if isinstance(meta, dict) and "hash" in meta:
        meta["hash"] = _doc_hash(doc)


def _words(doc: dict[str, Any]) -> int:
    texts = [doc["intro"], doc["final_notes"], *doc["meta"]["checklist"]]
    for section in doc["sections"]:
        texts.extend(b["text"] for b in section["blocks"] if b["kind"] == "paragraph")
    return sum(map(str.count, texts, repeat(" "))) + len(texts)


def _refresh(doc: dict[str, Any]) -> None:
    """Recompute paragraphs and reading time after a content change (sections only)."""
    paragraphs = 1 + sum(
        b["kind"] == "paragraph" for section in doc["sections"] for b in section["blocks"]
    )
    doc["meta"]["payload"]["paragraphs"] = paragraphs
    doc["meta"]["reading_time"] = reading_time_for(_words(doc))


# --- the kinds ---------------------------------------------------------------------------------
# Each builder takes (document, stream) and returns (body-or-None, description); a None body means
# "serialize the (rehashed) document".

Builder = Callable[[dict[str, Any], Stream], tuple[bytes | None, str]]

_MISSING = (
    ("title",),
    ("intro",),
    ("sections",),
    ("final_notes",),
    ("meta", "topic"),
    ("meta", "hash"),
    ("meta", "payload", "seed"),
)


def _missing_field(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    path = _MISSING[rng.below(len(_MISSING))]
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    del holder[path[-1]]
    return None, f"required field {'.'.join(path)} is missing; expect 422 (or 400)"


def _wrong_type(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    variant = rng.below(5)
    if variant == 0:
        doc["title"] = 12345
        what = "title is the number 12345 instead of a string"
    elif variant == 1:
        doc["meta"]["reading_time"] = f"{doc['meta']['reading_time']} minutes"
        what = "meta.reading_time is a string instead of an integer"
    elif variant == 2:
        doc["meta"]["payload"]["seed"] = str(doc["meta"]["payload"]["seed"])
        what = "meta.payload.seed is a string instead of an integer"
    elif variant == 3:
        doc["sections"] = {"heading": "not a list", "blocks": []}
        what = "sections is an object instead of a list"
    else:
        doc["meta"]["flags"]["has_images"] = "yes"
        what = "meta.flags.has_images is the string 'yes' instead of a boolean"
    return None, f"{what}; expect 422 (or 400)"


def _empty_title(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    doc["title"] = ""
    return None, "the title is empty; expect 422 (or 400)"


def _oversized(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    start = rng.below(len(PARAGRAPHS))
    meta = doc["meta"]
    fields = {
        "stack": meta["ai_outline"]["stack"],
        "problem": meta["ai_outline"]["problem"],
        "language": meta["stack"][-1],
    }
    # The paragraphs come round every len(PARAGRAPHS): each is formatted and measured once. A
    # block's JSON is its text's JSON plus the ASCII suffix and the fixed keys (and a comma).
    count = len(PARAGRAPHS)
    texts = [PARAGRAPHS[(start + j) % count].format_map(fields) for j in range(count)]
    fixed = len(orjson.dumps({"kind": "paragraph", "text": " appendix paragraph ."})) + 1
    sizes = [len(orjson.dumps(text)) - 2 + fixed for text in texts]
    # how many blocks: add them until the body reaches OVERSIZED_BYTES (sizes only, no text)
    size = len(orjson.dumps(doc))
    n = 0
    while size < OVERSIZED_BYTES:
        size += sizes[n % count] + len(str(n + 1))
        n += 1
    blocks = [
        {"kind": "paragraph", "text": f"{texts[i % count]} appendix paragraph {i + 1}."}
        for i in range(n)
    ]
    doc["sections"].insert(-1, {"heading": "appendix", "blocks": blocks})
    _refresh(doc)
    return None, (
        f"a well-formed post whose body exceeds 2 MiB ({len(blocks)} extra paragraphs); "
        "expect 413 from a target that caps bodies at 1 MiB"
    )


_CONTROLS = ("\x00", "\x07", "\x1b[31m", "\x08\x08", "\x7f", "\x0b")


def _control_chars(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    control = _CONTROLS[rng.below(len(_CONTROLS))]
    doc["title"] = doc["title"][:8] + control + doc["title"][8:]
    block = doc["sections"][0]["blocks"][0]
    block["text"] = control + block["text"]
    return None, (
        f"the title and the first paragraph contain the control characters {control!r} "
        "(valid JSON escapes); expect 422 (or 400)"
    )


_BAD_UTF8 = (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80")


def _invalid_unicode(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    bad = _BAD_UTF8[rng.below(len(_BAD_UTF8))]
    marker = "\u2063marker\u2063"
    doc["title"] = doc["title"] + marker
    body = orjson.dumps(doc).replace(marker.encode("utf-8"), bad, 1)
    return body, (
        f"the body is not valid UTF-8 (bytes {bad.hex(' ')} inside the title); "
        "expect 400 (422 is acceptable: some frameworks report undecodable JSON that way)"
    )


_SCRIPTS = (
    "<script>alert('anp')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</title><script src=//example.invalid/x.js></script>",
)


def _html_injection(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    script = _SCRIPTS[rng.below(len(_SCRIPTS))]
    doc["title"] = f"{doc['title']} {script}"
    block = doc["sections"][0]["blocks"][0]
    block["text"] = f"{block['text']} {script}"
    return None, (
        f"the title and the first paragraph carry markup {script!r}; the title leaves the "
        "plain-text alphabet, so expect 422 (or 400); a target must never store it unescaped"
    )


_SQL = (
    "'; drop table posts; --",
    "' or '1'='1",
    "1; update posts set title = 'pwned' --",
    '" union select password from users --',
)


def _sql_injection(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    sql = _SQL[rng.below(len(_SQL))]
    doc["title"] = f"{doc['title']}{sql}"
    doc["meta"]["topic"] = f"{doc['meta']['topic']}{sql}"
    return None, (
        f"the title and topic end with the SQL-like string {sql!r}; titles are plain text in "
        "the generator's alphabet, so expect 422 (or 400), and the table must survive"
    )


def _hash_mismatch(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    doc["intro"] = doc["intro"][:-1] + ", edited after hashing."
    return None, (
        "the intro was edited after the hash was computed (meta.hash no longer matches the "
        "content); expect 422 (or 400)"
    )


def _changed_content(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    other = synthesize(doc["meta"]["payload"]["seed"] ^ (1 << 40 | 1 + rng.below(1 << 20)))
    doc["title"] = other.title
    doc["intro"] = other.intro
    first = doc["sections"][0]["blocks"][0]
    first["text"] = first["text"][:-1] + ", revised in a later edition."
    _refresh(doc)
    return None, (
        "same reference as synthesize(seed) but different content (title, intro and first "
        "paragraph changed) with a correct hash; expect 409 once the original post was "
        "imported (before that, a 2xx is correct)"
    )


def _extra_field(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    doc["meta"]["unexpected"] = "a key the anp format does not define"
    return None, "meta has an unknown key 'unexpected'; expect 422 (or 400)"


def _not_json(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    cut = 20 + rng.below(200)
    return orjson.dumps(doc)[:cut], (
        f"the body is JSON cut off after {cut} bytes; expect 400 (422 is acceptable)"
    )


def _wrong_content_type(doc: dict[str, Any], rng: Stream) -> tuple[bytes | None, str]:
    return None, (
        "a valid post sent as text/plain instead of application/json; expect 415 "
        "(400 or 422 are acceptable)"
    )


_KINDS: dict[str, tuple[Builder, tuple[int, ...]]] = {
    "changed_content": (_changed_content, (409,)),
    "control_chars": (_control_chars, (400, 422)),
    "empty_title": (_empty_title, (400, 422)),
    "extra_field": (_extra_field, (400, 422)),
    "hash_mismatch": (_hash_mismatch, (400, 422)),
    "html_injection": (_html_injection, (400, 422)),
    "invalid_unicode": (_invalid_unicode, (400, 422)),
    "missing_field": (_missing_field, (400, 422)),
    "not_json": (_not_json, (400, 422)),
    "oversized": (_oversized, (413,)),
    "sql_injection": (_sql_injection, (400, 422)),
    "wrong_content_type": (_wrong_content_type, (415, 400, 422)),
    "wrong_type": (_wrong_type, (400, 422)),
}

INVALID_KINDS: tuple[str, ...] = tuple(sorted(_KINDS))
"""Every kind ``synthesize_invalid`` accepts, sorted."""


def synthesize_invalid(seed: int, kind: str) -> InvalidPost:
    """A deterministic broken variant of ``synthesize(seed)``; see the module docstring.

    Raises ``SeedError`` for a bad seed and ``SynthError`` naming the valid kinds for an unknown
    ``kind``.
    """
    check_seed(seed)
    if kind not in _KINDS:
        raise SynthError(
            f"unknown invalid kind {kind!r}; expected one of {', '.join(INVALID_KINDS)}"
        )
    builder, expected = _KINDS[kind]
    post = synthesize(seed)
    doc: dict[str, Any] = orjson.loads(canonical_json(post))
    reference = post.meta.reference
    if kind != "changed_content":
        number = (int(reference[-4:]) + 1 + INVALID_KINDS.index(kind)) % 10000
        reference = f"{reference[:-4]}{number:04d}"
        doc["meta"]["reference"] = reference
        _rehash(doc)
    rng = Stream(seed_key(GENERATOR_VERSION, seed), f"invalid:{kind}")
    body, description = builder(doc, rng)
    document: object | None = doc
    if body is None:
        if kind != "hash_mismatch":
            _rehash(doc)
        body = orjson.dumps(doc)
    else:
        document = None
    content_type = "text/plain; charset=utf-8" if kind == "wrong_content_type" else JSON
    return InvalidPost(
        kind=kind,
        seed=seed,
        reference=reference,
        body=body,
        content_type=content_type,
        expected_status=expected,
        description=description,
        document=document,
    )
