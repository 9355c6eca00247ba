"""``POST /import/posts`` and ``POST /import/batch``.

Idempotency policy: the same reference with the same hash is acknowledged with 200
``unchanged`` and changes nothing; the same reference with a different hash is refused with
409 ``conflict`` (never updated). Order of checks for one request: auth (401), injected failure
(503, counted per import request), Content-Type (415 unless absent or JSON), body size (413), JSON (400), validation (422), ``--latency-ms``,
then one storage transaction.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from targets.reference import docs
from targets.reference.errors import ApiError
from targets.reference.site import Site, check_json_content_type, read_body
from targets.reference.storage import Outcome
from targets.reference.validation import ValidPost, parse_post, validate_batch

_JSON = "application/json"
_POST_BODY = {"$ref": "#/components/schemas/Post"}


def conflict(post: ValidPost, stored_hash: str, field: str = "meta.reference") -> ApiError:
    """409 for a reference stored with other content."""
    return ApiError(
        409,
        "conflict",
        f"reference {post.reference} is already stored with hash {stored_hash}; this post has hash "
        f"{post.hash}. Policy: an import never overwrites a stored post.",
        field=field,
        expected=f"the stored content (hash {stored_hash}) or a new reference",
        retry_safe=False,
    )


def add_import_routes(app: FastAPI, site: Site) -> None:
    """Register the two import endpoints on ``app``."""

    @app.post(
        "/import/posts",
        summary="Import one post (synth canonical JSON)",
        description="201 created; 200 unchanged when the same reference is re-imported with the same "
        "hash (nothing changes); 409 when the reference is stored with different content.",
        response_class=Response,
        status_code=201,
        responses={
            201: {"model": docs.ImportResult, "description": "Stored."},
            200: {
                "model": docs.ImportResult,
                "description": "Already stored with the same hash; nothing changed.",
            },
            **docs.errors(400, 401, 409, 413, 415, 422, 503),
        },
        openapi_extra={
            "requestBody": {"required": True, "content": {_JSON: {"schema": _POST_BODY}}}
        },
    )
    async def import_post(request: Request) -> Response:
        site.authorize(request)
        site.inject_failure()
        check_json_content_type(request)
        raw = await read_body(request, site.settings.max_body_bytes)
        try:
            post = parse_post(raw)
        except ApiError as exc:
            site.stats.posts_invalid += 1
            if exc.reference:
                request.scope["anp_reference"] = exc.reference
            raise
        request.scope["anp_reference"] = post.reference
        await site.add_latency()
        outcome, stored = (await site.storage.insert([post]))[0]
        stats = site.stats
        if outcome is Outcome.CONFLICT:
            stats.posts_conflict += 1
            raise conflict(post, stored)
        if outcome is Outcome.CREATED:
            stats.posts_created += 1
            status = "created"
        else:
            stats.posts_unchanged += 1
            status = "unchanged"
        body = orjson.dumps({"status": status, "reference": post.reference, "hash": post.hash})
        return Response(body, status_code=outcome.value, media_type=_JSON)

    @app.post(
        "/import/batch",
        summary="Import many posts, one result per item",
        description="Each item is validated and stored independently (one transaction for the stored "
        "ones): per item 201, 200 (unchanged), 409 (conflict) or 422 (invalid). Whole-request "
        "failures (400, 401, 413, 422 for a non-array or too many items, 503) store nothing.",
        response_class=Response,
        responses={
            200: {"model": docs.BatchResult, "description": "Per-item results."},
            **docs.errors(400, 401, 413, 415, 422, 503),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    _JSON: {
                        "schema": {
                            "type": "array",
                            "items": _POST_BODY,
                            "maxItems": site.settings.max_batch,
                        }
                    }
                },
            }
        },
    )
    async def import_batch(request: Request) -> Response:
        site.authorize(request)
        site.inject_failure()
        check_json_content_type(request)
        raw = await read_body(request, site.settings.max_batch_bytes)
        checked = validate_batch(raw, site.settings.max_batch)
        results: list[dict[str, Any] | None] = [None] * len(checked)
        valid: list[ValidPost] = []
        where: list[int] = []
        stats = site.stats
        for i, item in enumerate(checked):
            if isinstance(item, ApiError):
                stats.posts_invalid += 1
                results[i] = {
                    "index": i,
                    "reference": item.reference,
                    "status": 422,
                    "error": item.detail(),
                }
            else:
                valid.append(item)
                where.append(i)
        await site.add_latency()
        outcomes = await site.storage.insert(valid) if valid else []
        for i, post, (outcome, stored) in zip(where, valid, outcomes, strict=True):
            error = None
            if outcome is Outcome.CREATED:
                stats.posts_created += 1
            elif outcome is Outcome.UNCHANGED:
                stats.posts_unchanged += 1
            else:
                stats.posts_conflict += 1
                error = conflict(post, stored, field=f"{i}.meta.reference").detail()
            results[i] = {
                "index": i,
                "reference": post.reference,
                "status": outcome.value,
                "error": error,
            }
        return Response(orjson.dumps({"results": results}), status_code=200, media_type=_JSON)
