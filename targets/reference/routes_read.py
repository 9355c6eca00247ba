"""Read endpoints for verification: one post, many posts, a keyset listing, the count."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import FastAPI, Query
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from synth import Post
from targets.reference import docs
from targets.reference.errors import ApiError, from_validation_error
from targets.reference.site import Site, check_json_content_type, read_body
from targets.reference.validation import REFERENCE_RE, check_reference

_JSON = "application/json"
MAX_LOOKUP = 1000
MAX_PAGE = 1000


def not_found(reference: str) -> ApiError:
    """404 for a reference that is not stored (or cannot be one)."""
    return ApiError(
        404,
        "not_found",
        f"no post with reference {reference[:128]!r}",
        field="reference",
        expected="the reference of an imported post",
        retry_safe=True,
    )


def add_read_routes(app: FastAPI, site: Site) -> None:
    """Register the read endpoints on ``app``."""

    @app.get(
        "/posts/count",
        summary="How many posts are stored",
        response_class=Response,
        responses={200: {"model": docs.Count, "description": "The count."}, **docs.errors(401)},
    )
    async def count_posts(request: Request) -> Response:
        site.authorize(request)
        return Response(orjson.dumps({"count": await site.storage.count()}), media_type=_JSON)

    @app.get(
        "/posts",
        summary="List stored posts by reference (keyset pagination)",
        description="Ordered by reference (byte order). Pass the previous page's `next` as `after`.",
        response_class=Response,
        responses={
            200: {"model": docs.Listing, "description": "One page."},
            **docs.errors(401, 422),
        },
    )
    async def list_posts(
        request: Request,
        after: Annotated[
            str | None,
            Query(
                description="Return references strictly after this one.",
                pattern=REFERENCE_RE.pattern,
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 100,
    ) -> Response:
        site.authorize(request)
        rows = await site.storage.listing(after, limit)
        items = [{"reference": r.reference, "hash": r.hash, "seed": r.seed} for r in rows]
        nxt = rows[-1].reference if len(rows) == limit else None
        return Response(orjson.dumps({"items": items, "next": nxt}), media_type=_JSON)

    @app.get(
        "/posts/{reference}",
        summary="Read one post back: the canonical JSON bytes exactly as imported",
        description="The body is the stored synth canonical JSON; header `X-Anp-Hash` carries its hash.",
        response_class=Response,
        responses={
            200: {"model": Post, "description": "The stored post."},
            **docs.errors(401, 404),
        },
    )
    async def get_post(request: Request, reference: str) -> Response:
        site.authorize(request)
        if not REFERENCE_RE.match(reference):
            raise not_found(reference)
        request.scope["anp_reference"] = reference
        found = await site.storage.get(reference)
        if found is None:
            raise not_found(reference)
        stored_hash, body = found
        return Response(body, media_type=_JSON, headers={"X-Anp-Hash": stored_hash})

    @app.post(
        "/posts/lookup",
        summary="Read many posts at once (for fast verification)",
        description=f"At most {MAX_LOOKUP} references; each maps to its stored post or null. "
        'With `"raw": true` each found post is its stored canonical JSON as a string instead.',
        response_class=Response,
        responses={
            200: {
                "model": docs.LookupResult | docs.RawLookupResult,
                "description": "Stored posts (or their canonical JSON text) by reference.",
            },
            **docs.errors(400, 401, 413, 415, 422),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {_JSON: {"schema": docs.LookupRequest.model_json_schema()}},
            }
        },
    )
    async def lookup_posts(request: Request) -> Response:
        site.authorize(request)
        check_json_content_type(request)
        raw = await read_body(request, site.settings.max_body_bytes)
        try:
            asked = docs.LookupRequest.model_validate_json(raw)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
                raise ApiError(
                    400, "bad_json", "body is not UTF-8 JSON", expected='{"references": [...]}'
                ) from None
            raise from_validation_error(exc) from None
        refs = asked.references
        for i, ref in enumerate(refs):
            check_reference(ref, f"references.{i}")
        found = await site.storage.lookup(refs)
        value = _raw_text if asked.raw else _stored_document
        parts = [orjson.dumps(ref) + b":" + value(found.get(ref)) for ref in dict.fromkeys(refs)]
        return Response(b'{"posts":{' + b",".join(parts) + b"}}", media_type=_JSON)


def _stored_document(body: bytes | None) -> bytes:
    """The stored canonical JSON embedded as it is (a JSON object), or ``null``."""
    return b"null" if body is None else body


def _raw_text(body: bytes | None) -> bytes:
    """The stored canonical JSON as one JSON string, or ``null``; bytes that are not UTF-8 (a
    database edited behind the site's back) become ``{"invalid_utf8":true}``."""
    if body is None:
        return b"null"
    try:
        return orjson.dumps(body.decode("utf-8"))
    except UnicodeDecodeError:
        return b'{"invalid_utf8":true}'
