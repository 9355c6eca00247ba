"""Small pure helpers shared by the adapters."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from synth import Post, SynthError, post_from_json
from targets.base import MAYBE_WRITTEN_KINDS, TRANSPORT_ERROR, ReadBack, Response

JSON_HEADERS: Mapping[str, str] = {"Content-Type": "application/json", "Accept": "application/json"}


def json_body(response: Response) -> Any:
    """The parsed JSON body, or None when the body is empty or not JSON."""
    if not response.body:
        return None
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return None


def dumps(value: Any) -> bytes:
    """Compact, deterministic JSON (keys in insertion order, UTF-8, no ASCII escaping)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_code(body: Any) -> str | None:
    """The site's machine-readable error code, from ``{"error": {"code": ...}}`` (reference)
    or ``{"code": ...}`` (WordPress)."""
    if not isinstance(body, dict):
        return None
    inner = body.get("error")
    if isinstance(inner, dict) and isinstance(inner.get("code"), str):
        return str(inner["code"])
    if isinstance(body.get("code"), str):
        return str(body["code"])
    return None


def error_kind(response: Response, body: Any = None) -> str:
    """``timeout``/``connection_refused``/... for transport failures, else ``http_<status>`` plus
    the site's error code when it gave one (``http_409_conflict``)."""
    if response.status == 0:
        return response.error or TRANSPORT_ERROR
    code = error_code(body if body is not None else json_body(response))
    return f"http_{response.status}" + (f"_{code}" if code else "")


def transport_maybe_written(response: Response) -> bool:
    """A timeout or a broken connection may have happened after the site stored the post; so may
    a 5xx from a proxy in front of it."""
    if response.status == 0:
        return (response.error or TRANSPORT_ERROR) in MAYBE_WRITTEN_KINDS
    return response.status >= 500


def quote_reference(reference: str) -> str:
    """A reference as one URL path segment."""
    return quote(reference, safe="")


def rebuild_post(data: bytes | str) -> Post | None:
    """The Post from its canonical JSON, or None when the data is not a valid Post."""
    try:
        return post_from_json(data)
    except (SynthError, ValidationError, ValueError, TypeError):
        return None


def header(response: Response, name: str) -> str | None:
    """A response header by case-insensitive name (Locust's client keeps the site's case)."""
    wanted = name.lower()
    for key, value in response.headers.items():
        if key.lower() == wanted:
            return value
    return None


def lookup_body(references: Sequence[str], limit: int) -> bytes:
    """The JSON body of a bulk lookup, ``{"references": [...]}``; 1..limit references."""
    if not references or len(references) > limit:
        raise ValueError(f"a lookup holds 1..{limit} references, got {len(references)}")
    return dumps({"references": list(references)})


def lookup_found(references: Sequence[str], response: Response) -> dict[str, Any] | list[ReadBack]:
    """The answer's ``posts`` mapping, or, when the lookup as a whole failed, one ReadBack per
    reference carrying the error kind (the posts' state is then unknown, not missing)."""
    body = json_body(response)
    found = body.get("posts") if isinstance(body, dict) else None
    if response.status != 200 or not isinstance(found, dict):
        kind = error_kind(response, body) if response.status != 200 else "bad_body"
        return [ReadBack(r, 0, error=kind) for r in references]
    return found
