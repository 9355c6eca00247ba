"""Response shapes, declared only so that the OpenAPI schema documents every answer.

The routes write their JSON with orjson directly (faster than response models); these models
describe exactly those bytes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from synth import Post


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Doc):
    """What went wrong, where, what was expected, and whether retrying the same request may work."""

    code: str = Field(
        description="Machine-readable reason, e.g. hash_mismatch, conflict, body_too_large."
    )
    field: str | None = Field(description="Failing field as a dotted path (meta.hash), or null.")
    message: str
    expected: str = Field(description="What a valid value looks like.")
    retry_safe: bool = Field(description="True when sending the same request again may succeed.")


class ErrorBody(_Doc):
    """Every error answer."""

    error: ErrorDetail


class Health(_Doc):
    ok: Literal[True]


class Version(_Doc):
    name: Literal["anp-reference"]
    release: str


class ImportResult(_Doc):
    """Answer to a single-post import."""

    status: Literal["created", "unchanged"]
    reference: str
    hash: str


class BatchItem(_Doc):
    """One batch item's own result."""

    index: int
    reference: str | None
    status: Literal[201, 200, 409, 422]
    error: ErrorDetail | None


class BatchResult(_Doc):
    results: list[BatchItem]


class LookupRequest(_Doc):
    """References to fetch at once."""

    model_config = ConfigDict(extra="forbid", strict=True)

    references: list[str] = Field(max_length=1000)
    raw: bool = Field(
        default=False,
        description="When true, each found post comes back as its stored canonical JSON text "
        "(a JSON string holding exactly the bytes `GET /posts/{reference}` returns), so a "
        "client can compare it byte for byte without parsing it.",
    )


class LookupResult(_Doc):
    """Answer to a lookup without ``raw``: each reference maps to its post or null."""

    posts: dict[str, Post | None]


class InvalidText(_Doc):
    """A stored body that is not UTF-8 (only when the database was edited outside the site)."""

    invalid_utf8: Literal[True]


class RawLookupResult(_Doc):
    """Answer to a lookup with ``"raw": true``: each reference maps to its stored canonical JSON
    text, to ``{"invalid_utf8": true}`` when the stored bytes are not UTF-8, or to null."""

    posts: dict[str, str | InvalidText | None]


class ListedPost(_Doc):
    reference: str
    hash: str
    seed: int


class Listing(_Doc):
    items: list[ListedPost]
    next: str | None = Field(description="Pass as ?after= to get the next page; null at the end.")


class Count(_Doc):
    count: int


class RouteCount(_Doc):
    total: int
    by_status: dict[str, int]


class StatsBody(_Doc):
    requests: dict[str, RouteCount] = Field(
        description="Per route template, e.g. 'POST /import/posts'."
    )
    injected_failures: int
    posts: int = Field(description="Posts this process created (single and batch imports).")
    posts_unchanged: int
    posts_conflict: int
    posts_invalid: int


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entries for error statuses, all with the error body."""
    text = {
        400: "Body is not UTF-8 JSON, or a malformed header.",
        401: "Missing or wrong bearer token (only when the site runs with --token-env).",
        404: "No such post.",
        409: "Same reference already stored with different content (policy: reject, never update).",
        413: "Body larger than the site's limit (checked before parsing).",
        415: "Content-Type given and not application/json.",
        422: "Validation failed; `field` names the failing value.",
        503: "Injected failure (--fail-rate) or storage unavailable; nothing was stored; retry_safe.",
    }
    return {s: {"model": ErrorBody, "description": text[s]} for s in statuses}
