"""seed -> Post (``synthesize``) or seed -> canonical JSON bytes (``synthesize_json``).

Both are pure functions of (``GENERATOR_VERSION``, seed[, size]) built on the same bytes
(``synth.build.build_json``), so ``canonical_json(synthesize(s)) == synthesize_json(s)`` for
every seed and size (a test checks it over 10,000 seeds).

The hash: ``meta.hash`` is the first 24 hex digits of sha256 over the canonical JSON of the post
with ``meta.hash`` = "" (see ``synth.canonical.post_hash``); ``build_json`` computes it over the
bytes it writes and fills the empty slot.

Speed: no pydantic validation per post. ``synthesize`` parses the bytes with orjson and wraps
the dicts into models with ``synth.construct.make``; the tests prove every post valid instead.
"""

from __future__ import annotations

from typing import Any

import orjson

from synth.build import (
    build_json,
    build_json_ref,
    post_key,
    reference,
    title_and_reference,
    topic_indices,
)
from synth.construct import make
from synth.errors import SynthError
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
from synth.seeds import check_seed
from synth.tables import PROFILES

SIZES: tuple[str, ...] = ("s", "m", "l", "xl")
"""Size presets, by mean canonical JSON size: ``s`` about 4 KB, ``m`` about 5.5 KB (like the
specimen), ``l`` about 20 KB, ``xl`` about 100 KB (90 to 106 KB). ``None`` lets the seed pick
s, m or l (20/70/10 %), a mean of about 6.7 KB."""

# Shared immutable models (all their fields are str or bool).
_ENTITIES: dict[tuple[str, str], Entity] = {}
_FLAGS: dict[tuple[bool, bool, bool, bool], Flags] = {
    (a, b, c, d): make(
        Flags,
        {"ai_generated_style": a, "has_images": b, "image_heavy": c, "needs_human_review": d},
    )
    for a in (False, True)
    for b in (False, True)
    for c in (False, True)
    for d in (False, True)
}
_BLOCKS: dict[str, type[Any]] = {
    "paragraph": Paragraph,
    "code": CodeBlock,
    "list": BulletList,
    "figure": Figure,
}


def _check_size(size: object) -> str | None:
    if size is None or (isinstance(size, str) and size in PROFILES):
        return size
    raise SynthError(
        f"size must be one of {', '.join(SIZES)} or None (natural variation), got size={size!r}"
    )


def synthesize_json(seed: int, *, size: str | None = None) -> bytes:
    """The canonical JSON bytes of ``synthesize(seed, size=size)``, without building the model.

    The fast path for import payloads and corpora. Same errors as ``synthesize``.
    """
    check_seed(seed)
    return build_json(seed, _check_size(size))


def synthesize_json_ref(seed: int, *, size: str | None = None) -> tuple[bytes, str]:
    """``(synthesize_json(seed, size=size), reference_of(seed))`` in one call (the import path of
    a load run needs both; the C builder makes them together). Same errors as ``synthesize``."""
    check_seed(seed)
    return build_json_ref(seed, _check_size(size))


def synthesize(seed: int, *, size: str | None = None) -> Post:
    """The anp post for ``seed`` (0..2**63-1): a pure function of (GENERATOR_VERSION, seed, size).

    ``size`` is one of ``SIZES`` or None; None lets the seed choose s, m or l. The size changes
    the body's length only: the topic, title, reference and similar posts depend on the seed
    alone. Raises ``SeedError`` for a bad seed and ``SynthError`` for a bad size.
    """
    check_seed(seed)
    return _to_post(orjson.loads(build_json(seed, _check_size(size))))


def _to_post(doc: dict[str, Any]) -> Post:
    """Wrap a freshly parsed canonical document into models, in place (its dicts become the
    models' ``__dict__``). Trusted: the document comes from ``build_json``."""
    blocks = _BLOCKS
    doc["lead"] = [make(Figure, f) for f in doc["lead"]]
    sections = []
    for section in doc["sections"]:
        section["blocks"] = [make(blocks[b["kind"]], b) for b in section["blocks"]]
        sections.append(make(Section, section))
    doc["sections"] = sections
    meta = doc["meta"]
    meta["ai_outline"] = make(AiOutline, meta["ai_outline"])
    meta["score"] = make(Score, meta["score"])
    meta["revision"] = make(Revision, meta["revision"])
    flags = meta["flags"]
    meta["flags"] = _FLAGS[
        (
            flags["ai_generated_style"],
            flags["has_images"],
            flags["image_heavy"],
            flags["needs_human_review"],
        )
    ]
    entities = []
    for entity in meta["entities"]:
        known = _ENTITIES.get((entity["name"], entity["type"]))
        if known is None:
            known = make(Entity, entity)
            if entity["type"] != "person" and entity["type"] != "organization":
                _ENTITIES[entity["name"], entity["type"]] = known
        entities.append(known)
    meta["entities"] = entities
    meta["image_sources"] = [make(ImageSource, i) for i in meta["image_sources"]]
    meta["payload"] = make(Payload, meta["payload"])
    doc["meta"] = make(Meta, meta)
    doc["similar_posts"] = [make(SimilarPost, s) for s in doc["similar_posts"]]
    return make(Post, doc)


def topic_of(seed: int) -> tuple[int, int, int, int]:
    """Indices (stack, problem, scenario, title template) of ``seed``'s post into
    ``synth.data.topics``."""
    return topic_indices(post_key(check_seed(seed)))


def title_of(seed: int) -> str:
    """The title of ``seed``'s post, without building it."""
    return title_and_reference(check_seed(seed))[0]


def reference_of(seed: int) -> str:
    """``anp-ref-{seed:06d}-NNNN`` of ``seed``'s post; NNNN is the first output of the seed's
    ``reference`` stream modulo 10000."""
    return reference(check_seed(seed))
