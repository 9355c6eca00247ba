"""The reference import site as a FastAPI application: ``create_app(settings)``.

Every answer that is not a success carries the error body of ``targets.reference.errors``:
validation problems are 4xx (400 not JSON, 413 too large, 415 not JSON media type, 422 invalid),
never 5xx. A database that does not answer (SQLite locked, PostgreSQL down) is a 503 with
``retry_safe: true``. A 500 is only for a bug in the site itself; no input reaches it
(schemathesis checks this in the tests).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response

from targets.reference import docs
from targets.reference.accesslog import AccessMiddleware, JsonLog
from targets.reference.errors import ApiError, loc_to_field
from targets.reference.routes_import import add_import_routes
from targets.reference.routes_read import add_read_routes
from targets.reference.settings import ReferenceSettings
from targets.reference.site import Site
from targets.reference.storage import Storage, open_storage

NAME = "anp-reference"
DESCRIPTION = """\
A small, production-shaped import endpoint for anp posts (synth canonical JSON).

* **Idempotent**: re-importing a post with the same reference and hash answers 200
  `unchanged` and changes nothing.
* **Conflict policy: reject.** The same reference with different content answers 409 and the
  stored post is kept; an import never updates.
* **Validation at the boundary**: 400 for a body that is not UTF-8 JSON, 413 for a body over the
  limit (checked before parsing), 415 for a Content-Type other than JSON (none is accepted), 422 for anything that is not a valid `synth.Post` (missing or
  unknown keys, wrong types, a `meta.hash` that does not match the content, a reference outside
  `A-Z a-z 0-9 . _ : -`). Titles must be non-empty plain text: control characters, markup
  characters (`<`, `>`) and SQL-like text (`;`, `--`, `/*`, a quote followed by OR/AND,
  `UNION SELECT`, `DROP TABLE`) are refused with 422. Body text is stored as data, unchanged.
* **Errors** always look like `{"error": {"code", "field", "message", "expected", "retry_safe"}}`.
* **Auth** (optional): `Authorization: Bearer <token>` on every endpoint except `/health`.
* **Knobs**: `--release`, `--latency-ms`, `--slowdown`, `--fail-rate` (deterministic 503s).
"""


def create_app(
    settings: ReferenceSettings,
    *,
    storage: Storage | None = None,
    log: JsonLog | None = None,
) -> FastAPI:
    """Build the site. With ``storage`` given the app uses it (and closes it at shutdown);
    otherwise it opens the storage the settings name at startup."""
    settings.check()
    site = Site(settings, log or JsonLog(settings.log_file))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        site.storage = storage if storage is not None else await open_storage(settings)
        try:
            yield
        finally:
            site.log.write({"event": "shutdown", "stats": site.stats.snapshot()})
            await site.storage.close()
            site.storage = None
            site.log.close()

    app = FastAPI(
        title=NAME,
        version=settings.release,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.site = site
    _add_error_handlers(app, postgres=settings.database_url is not None)
    _add_service_routes(app, site)
    add_import_routes(app, site)
    add_read_routes(app, site)
    for method, path in HOT_ROUTES:
        _serve_plainly(app, method, path)
    app.add_middleware(AccessMiddleware, stats=site.stats, log=site.log, slowdown=settings.slowdown)
    return app


# Endpoints that take only the Request: served without FastAPI's per-request dependency solving.
HOT_ROUTES = (("POST", "/import/posts"), ("POST", "/import/batch"), ("POST", "/posts/lookup"))


def _serve_plainly(app: FastAPI, method: str, path: str) -> None:
    """Call an APIRoute's endpoint through Starlette's plain request/response wrapper.

    The endpoint reads and validates the body itself, so FastAPI's parameter machinery only
    costs time (about 30 us a request here). The APIRoute stays: it documents the endpoint in
    the OpenAPI schema and still sets ``scope["route"]`` (the stats' route template).
    """
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.path == path and method in (route.methods or ()):
            route.app = request_response(route.endpoint)
            return
    raise LookupError(f"no route {method} {path}")


def _add_service_routes(app: FastAPI, site: Site) -> None:
    json = "application/json"

    @app.get(
        "/health",
        summary="Liveness (never needs the token)",
        response_class=Response,
        responses={200: {"model": docs.Health, "description": "The site is up."}},
    )
    async def health() -> Response:
        return Response(b'{"ok":true}', media_type=json)

    @app.get(
        "/version",
        summary="The site's name and release (--release)",
        response_class=Response,
        responses={
            200: {"model": docs.Version, "description": "Name and release."},
            **docs.errors(401),
        },
    )
    async def version(request: Request) -> Response:
        site.authorize(request)
        return Response(
            orjson.dumps({"name": NAME, "release": site.settings.release}), media_type=json
        )

    @app.get(
        "/stats",
        summary="The site's own counters since start (exact; per route template and status)",
        description="A request to /stats is counted after its answer is built, so a snapshot never "
        "includes the request that fetched it.",
        response_class=Response,
        responses={200: {"model": docs.StatsBody, "description": "Counters."}, **docs.errors(401)},
    )
    async def stats(request: Request) -> Response:
        site.authorize(request)
        return Response(orjson.dumps(site.stats.snapshot()), media_type=json)


def _add_error_handlers(app: FastAPI, *, postgres: bool) -> None:
    async def api_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return Response(
            exc.body(), status_code=exc.status, media_type="application/json", headers=exc.headers
        )

    async def request_invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = list(first.get("loc", ()))
        if loc and loc[0] in ("query", "path", "header", "body"):
            loc = loc[1:]
        field = loc_to_field(loc)
        err = ApiError(
            422,
            "invalid_parameter",
            f"{field or 'request'}: {first.get('msg', 'invalid')}",
            field=field,
            expected=str(first.get("msg", "a valid value")),
        )
        return Response(err.body(), status_code=422, media_type="application/json")

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        err = ApiError(
            exc.status_code,
            code,
            str(exc.detail),
            expected="a documented endpoint (see /openapi.json)",
        )
        return Response(
            err.body(),
            status_code=exc.status_code,
            media_type="application/json",
            headers=exc.headers,
        )

    async def storage_down(_request: Request, exc: Exception) -> Response:
        err = ApiError(
            503,
            "storage_unavailable",
            f"the database did not answer: {type(exc).__name__}",
            expected="a retry once the database is back",
            retry_safe=True,
            headers={"Retry-After": "1"},
        )
        return Response(
            err.body(), status_code=503, media_type="application/json", headers=err.headers
        )

    async def internal(_request: Request, exc: Exception) -> Response:
        err = ApiError(
            500, "internal_error", f"the site failed: {type(exc).__name__}", retry_safe=True
        )
        return Response(err.body(), status_code=500, media_type="application/json")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(sqlite3.OperationalError, storage_down)
    if postgres:
        import psycopg

        app.add_exception_handler(psycopg.OperationalError, storage_down)
    app.add_exception_handler(Exception, internal)
