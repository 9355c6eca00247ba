"""Canonical JSON and the post hash.

Canonical JSON is the default import payload: compact UTF-8 JSON produced by orjson, objects'
keys in model field order (the order of ``synth.model``), no whitespace, non-ASCII characters
written as UTF-8 (not ``\\u`` escapes), no trailing newline. The same post always gives the same
bytes; for every post it equals pydantic's own ``model_dump_json()`` (a test checks this).

The hash (``meta.hash``) is the first 24 hex digits of
``sha256(canonical_json(post with meta.hash set to ""))``. Anyone can recompute it with
``post_hash`` (or by hand from the JSON: replace the ``hash`` value with ``""`` and digest the
compact bytes) to detect corruption.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from synth.errors import SynthError
from synth.model import Post

HASH_LENGTH = 24
"""Hex digits of sha256 kept in ``meta.hash``."""


def model_default(obj: object) -> Any:
    """orjson ``default`` hook: a pydantic model serializes as its field dict (field order)."""
    if isinstance(obj, BaseModel):
        return obj.__dict__
    raise TypeError(f"canonical_json cannot serialize {type(obj).__name__}: {obj!r}")


def _plain(post: Post, hash_value: str | None = None) -> dict[str, Any]:
    """``post`` as nested field dicts in field order, without calling back into Python for
    every model (the fast path; ``model_default`` still catches anything not unfolded here).
    ``hash_value`` replaces ``meta.hash`` when given."""
    fields = post.__dict__
    meta = fields["meta"].__dict__
    plain_meta = {
        **meta,
        "ai_outline": meta["ai_outline"].__dict__,
        "score": meta["score"].__dict__,
        "revision": meta["revision"].__dict__,
        "flags": meta["flags"].__dict__,
        "entities": [e.__dict__ for e in meta["entities"]],
        "image_sources": [i.__dict__ for i in meta["image_sources"]],
        "payload": meta["payload"].__dict__,
    }
    if hash_value is not None:
        plain_meta["hash"] = hash_value
    return {
        **fields,
        "lead": [b.__dict__ for b in fields["lead"]],
        "sections": [
            {"heading": s.heading, "blocks": [b.__dict__ for b in s.blocks]}
            for s in fields["sections"]
        ],
        "meta": plain_meta,
        "similar_posts": [s.__dict__ for s in fields["similar_posts"]],
    }


def canonical_json(post: Post) -> bytes:
    """The canonical JSON bytes of ``post`` (compact, stable key order, UTF-8)."""
    return orjson.dumps(_plain(post), default=model_default)


def post_hash(post: Post) -> str:
    """The documented digest of ``post``: sha256 of its canonical JSON with ``meta.hash`` = "",
    first 24 hex digits. A post is intact when ``post.meta.hash == post_hash(post)``."""
    data = orjson.dumps(_plain(post, ""), default=model_default)
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def canonical_hash(body: bytes) -> str:
    """``post_hash`` computed from a post's canonical JSON bytes without parsing them: the same
    digest with the ``meta.hash`` value cut out of the bytes.

    In canonical JSON every quote inside a string is escaped and ``meta.hash`` is the first key
    named ``hash``, so the first ``"hash":"`` starts its value. Returns "" when the bytes hold no
    such key. Bytes that are not canonical give a digest that matches no honest hash, so a caller
    that gets a mismatch should fall back to ``post_hash`` of the parsed post before refusing it.
    """
    start = body.find(b'"hash":"')
    if start < 0:
        return ""
    start += 8
    end = body.find(b'"', start)
    if end < 0:
        return ""
    return hashlib.sha256(body[:start] + body[end:]).hexdigest()[:HASH_LENGTH]


def post_from_json(data: bytes | str) -> Post:
    """Parse and strictly validate one post from JSON (canonical or not).

    Raises ``SynthError`` naming every field that failed (at most 10), what was found and what
    was expected. The same document will fail again, so retrying is pointless. The hash is not
    checked here: compare ``post.meta.hash`` with ``post_hash(post)`` for that.
    """
    if not isinstance(data, (bytes, str)):
        raise SynthError(
            f"post_from_json expects JSON as bytes or str, got a {type(data).__name__}"
        )
    try:
        return Post.model_validate_json(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False)[:10]:
            where = ".".join(str(part) for part in error["loc"]) or "(document)"
            found = error.get("input")
            shown = repr(found)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            problems.append(f"{where}: {error['msg']} (got {shown})")
        more = exc.error_count() - len(problems)
        tail = f"; and {more} more" if more > 0 else ""
        invalid = SynthError(
            f"not a valid anp post: {exc.error_count()} problem(s): "
            + "; ".join(problems)
            + tail
            + "; retrying with the same document will fail again"
        )
        invalid.retry_advice = True  # the message says it; anp adds no second note
        raise invalid from None
