"""Validation at the boundary: request bytes -> a checked post ready to store.

A post is accepted only when all of these hold, else the answer is a 4xx naming the field:

- the body is UTF-8 JSON (400 otherwise) matching ``synth.Post`` strictly: no missing or unknown
  keys, no wrong types (422);
- ``meta.reference`` is 1..128 characters of ``A-Z a-z 0-9 . _ : -`` starting with a letter or
  digit, and ``meta.payload.seed`` is in 0..2**63-1 (422);
- the title is not empty, at most 300 characters, and holds no control or other non-printable
  characters, no markup characters (``<``, ``>``) and nothing SQL-like (``;``, ``--``, ``/*``,
  ``*/``, a quote followed by ``OR``/``AND``, ``UNION SELECT``, ``DROP TABLE`` ...) (422);
- ``meta.hash`` equals ``synth.post_hash(post)`` (422, code ``hash_mismatch``).

Speed without weaker checks: the types are checked by ``plain_schema.PLAIN_POST``, the model's own
pydantic-core schema with plain dicts instead of model objects (a batch in one call), and the hash
is checked on the canonical bytes ``orjson.dumps`` makes of those dicts. Whenever that path
refuses something, the model (``synth.Post``) and ``synth.post_hash`` check it again and their
verdict and error are the answer.

Only the title is held to the markup and SQL rules: body text is data, stored as canonical JSON
bytes and never interpreted, so HTML in a paragraph is kept as it was sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

import synth
from synth import Post
from targets.reference.errors import ApiError, from_validation_error, not_json
from targets.reference.plain_schema import PLAIN_POST, PLAIN_POSTS

MAX_SEED = 2**63 - 1
MAX_TITLE = 300
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_SQL_LIKE = re.compile(
    r";|--|/\*|\*/|['\"`]\s*(?:or|and)\b|\bunion\s+(?:all\s+)?select\b|\bdrop\s+table\b"
    r"|\binsert\s+into\b|\bdelete\s+from\b|\bor\s+\d+\s*=\s*\d+",
    re.IGNORECASE,
)
# Something every alternative of _SQL_LIKE needs, in an ASCII title (lowered): a character among
# ; - / * quotes = or one of these words. A title without any of them cannot match _SQL_LIKE,
# so the slow search is skipped (about 1 us instead of 5). Non-ASCII titles always get the
# search, because under IGNORECASE some non-ASCII letters match ASCII ones.
_SQL_NEEDS = re.compile(r"[;\-/*'\"`=]|union|drop|insert|delete")


@dataclass(frozen=True, slots=True)
class ValidPost:
    """A post that passed every check, with what storage needs."""

    reference: str
    hash: str
    seed: int
    title: str
    body: bytes
    """The post's synth canonical JSON bytes (what ``GET /posts/{reference}`` returns)."""


def parse_post(raw: bytes) -> ValidPost:
    """Validate one post sent as JSON bytes (``POST /import/posts``)."""
    try:
        plain = PLAIN_POST.validate_json(raw)
    except ValidationError:
        return _parse_with_model(raw)
    return check_plain(plain)


def _parse_with_model(raw: bytes) -> ValidPost:
    # The plain validator refused the body: the model validates it again so that the error is
    # the model's own (the same rules, so it refuses too; if it ever accepted, it would decide).
    try:
        post = Post.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
            raise not_json(_json_message(exc)) from None
        raise from_validation_error(exc) from None
    return check_post(post)


def validate_batch(raw: bytes, max_items: int) -> list[ValidPost | ApiError]:
    """Validate a batch body (``POST /import/batch``): per item a ValidPost or its own 422.

    Whole-request problems raise: 400 (not JSON), 422 (not an array, more than ``max_items``).
    The whole array is validated in one pydantic-core call first (``PLAIN_POSTS``); only when
    some item is invalid is the body decoded again item by item, so that every item gets its own
    answer.
    """
    try:
        posts = PLAIN_POSTS.validate_json(raw)
    except ValidationError:
        items = _decode_batch(raw, max_items)
        return [_batch_item(item, i) for i, item in enumerate(items)]
    _check_batch_size(len(posts), max_items)
    return [_batch_plain(post, i) for i, post in enumerate(posts)]


def _decode_batch(raw: bytes, max_items: int) -> list[Any]:
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson refuses two things that are valid JSON: integers over 64 bits and lone
        # surrogate escapes. The standard parser takes them, so that such an item gets its own
        # 422, as it would as a single import, instead of failing the whole batch.
        try:
            items = json.loads(raw, parse_constant=_no_constant)
        except (ValueError, UnicodeError, RecursionError):
            raise not_json(f"body is not UTF-8 JSON: {exc}") from None
    if not isinstance(items, list):
        raise ApiError(
            422,
            "invalid_batch",
            f"body is a JSON {type(items).__name__}, not an array of posts",
            expected="a JSON array of posts",
        )
    _check_batch_size(len(items), max_items)
    return items


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_batch_size(count: int, max_items: int) -> None:
    if count > max_items:
        raise ApiError(
            422,
            "batch_too_large",
            f"batch has {count} posts, more than the limit {max_items}",
            expected=f"at most {max_items} posts per batch",
        )


def _batch_item(item: Any, index: int) -> ValidPost | ApiError:
    try:
        plain = PLAIN_POST.validate_python(item)
    except ValidationError:
        try:
            post = Post.model_validate(item)  # the model's own error, word for word
        except ValidationError as exc:
            error = from_validation_error(exc, prefix=str(index))
            error.reference = item_reference(item)
            return error
        return _batch_post(post, index)
    return _batch_plain(plain, index)


def _batch_plain(post: dict[str, Any], index: int) -> ValidPost | ApiError:
    try:
        return check_plain(post)
    except ApiError as exc:
        exc.field = f"{index}.{exc.field}" if exc.field else str(index)
        return exc


def _batch_post(post: Post, index: int) -> ValidPost | ApiError:
    try:
        return check_post(post)
    except ApiError as exc:
        exc.field = f"{index}.{exc.field}" if exc.field else str(index)
        return exc


def item_reference(item: Any) -> str | None:
    """The reference a batch item claims, when it has a well-formed one (for its result row)."""
    if isinstance(item, dict):
        meta = item.get("meta")
        if isinstance(meta, dict):
            ref = meta.get("reference")
            if isinstance(ref, str) and REFERENCE_RE.match(ref):
                return ref
    return None


def check_plain(post: dict[str, Any]) -> ValidPost:
    """The checks beyond the types, on a post validated by ``PLAIN_POST`` (nested dicts).

    The same checks as ``check_post`` (``_check_fields``, then the hash). The canonical JSON is
    ``orjson.dumps`` of the dicts (their keys are in model field order) and the hash is checked
    on those bytes with ``synth.canonical_hash``; whenever that shortcut does not say "equal",
    the post is built as a model and ``_check_hash`` decides, so a refusal always comes from
    ``synth.post_hash``.
    """
    meta = post["meta"]
    reference = meta["reference"]
    seed = meta["payload"]["seed"]
    title = post["title"]
    _check_fields(reference, seed, title)
    try:
        body = orjson.dumps(post)
    except orjson.JSONEncodeError:  # not JSON-safe: _check_hash gives the error
        body = b""
    if body and synth.canonical_hash(body) == meta["hash"]:
        return ValidPost(reference, meta["hash"], seed, title, body)
    try:
        model = Post.model_validate(post)
    except ValidationError as exc:  # cannot happen (same rules); a 422 rather than a 500 if it did
        raise from_validation_error(exc) from None
    return _with_reference(model)


def check_post(post: Post) -> ValidPost:
    """The checks beyond the model's types: reference, seed, title, hash."""
    meta = post.meta
    _check_fields(meta.reference, meta.payload.seed, post.title)
    return _with_reference(post)


def _check_fields(reference: str, seed: int, title: str) -> None:
    """Reference, seed and title; an error past the reference check names the reference."""
    check_reference(reference, "meta.reference")
    try:
        _check_seed(seed)
        check_title(title)
    except ApiError as exc:
        exc.reference = reference
        raise


def _with_reference(post: Post) -> ValidPost:
    """``_check_hash`` of a post whose reference is well formed (its errors name it)."""
    try:
        return _check_hash(post)
    except ApiError as exc:
        exc.reference = post.meta.reference
        raise


def _check_hash(post: Post) -> ValidPost:
    meta = post.meta
    try:
        body = synth.canonical_json(post)
        if synth.canonical_hash(body) == meta.hash:
            return ValidPost(meta.reference, meta.hash, meta.payload.seed, post.title, body)
        # The fast path is only a shortcut: synth.post_hash decides.
        expected_hash = synth.post_hash(post)
    except (ValueError, TypeError, UnicodeError, OverflowError) as exc:
        # Values the model accepts but JSON cannot carry canonically (integers over 64 bits,
        # lone surrogates): the post cannot be hashed, so it cannot be imported.
        raise _invalid(
            "body", f"post cannot be serialized canonically: {exc}", "JSON-safe values"
        ) from None
    if meta.hash != expected_hash:
        raise ApiError(
            422,
            "hash_mismatch",
            f"meta.hash {meta.hash[:64]!r} does not match the post's content",
            field="meta.hash",
            expected=f"{expected_hash} (synth.post_hash of the content)",
            retry_safe=False,
        )
    return ValidPost(meta.reference, meta.hash, meta.payload.seed, post.title, body)


def _check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise _invalid(
            "meta.payload.seed", f"seed {seed} is out of range", "an integer in 0..2**63-1"
        )


def check_reference(reference: str, field: str) -> None:
    """Refuse references outside the documented character set (422)."""
    if not REFERENCE_RE.match(reference):
        raise _invalid(
            field,
            f"reference {reference[:64]!r} is not well formed",
            "1..128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit",
        )


def check_title(title: str) -> None:
    """Refuse empty, overlong, control-character, markup and SQL-like titles (422)."""
    if not title.strip():
        raise _invalid("title", "title is empty", "a non-empty title", code="empty_title")
    if len(title) > MAX_TITLE:
        raise _invalid(
            "title", f"title has {len(title)} characters", f"at most {MAX_TITLE} characters"
        )
    if not title.isprintable():
        bad = next(c for c in title if not c.isprintable())
        raise _invalid(
            "title",
            f"title contains the control or non-printable character U+{ord(bad):04X}",
            "printable characters only",
            code="control_characters",
        )
    if "<" in title or ">" in title:
        raise _invalid(
            "title",
            "title contains markup characters (< or >)",
            "plain text without < or >",
            code="markup",
        )
    if title.isascii() and _SQL_NEEDS.search(title.lower()) is None:
        return
    found = _SQL_LIKE.search(title)
    if found:
        raise _invalid(
            "title",
            f"title contains SQL-like text {found.group(0)!r}",
            "plain text without ; -- /* */ or quote-OR/AND patterns",
            code="sql_like",
        )


def _invalid(field: str, message: str, expected: str, code: str = "invalid_post") -> ApiError:
    return ApiError(
        422, code, f"{field}: {message}", field=field, expected=expected, retry_safe=False
    )


def _json_message(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    return f"body is not UTF-8 JSON: {first.get('msg', 'invalid JSON')}"
