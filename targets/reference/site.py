"""The running site's state (settings, storage, counters, log) and request helpers."""

from __future__ import annotations

import asyncio
import hmac

from starlette.requests import Request

from targets.reference.accesslog import JsonLog
from targets.reference.errors import ApiError
from targets.reference.knobs import FailureInjector
from targets.reference.settings import ReferenceSettings
from targets.reference.stats import Stats
from targets.reference.storage import Storage


class Site:
    """One reference site: shared by every request of its (single) worker process."""

    def __init__(self, settings: ReferenceSettings, log: JsonLog) -> None:
        self.settings = settings
        self.log = log
        self.stats = Stats()
        self.injector = FailureInjector(settings.fail_rate)
        self._storage: Storage | None = None
        self._expected_auth = (
            None
            if settings.token is None
            else f"Bearer {settings.token}".encode("latin-1", "replace")
        )

    @property
    def storage(self) -> Storage:
        """The open storage (set by the app's startup)."""
        if self._storage is None:
            raise ApiError(503, "not_ready", "storage is not open yet", retry_safe=True)
        return self._storage

    @storage.setter
    def storage(self, value: Storage | None) -> None:
        self._storage = value

    def authorize(self, request: Request) -> None:
        """401 unless auth is off or the ``Authorization: Bearer`` token matches."""
        if self._expected_auth is None:
            return
        given = request.headers.get("authorization", "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self._expected_auth):
            raise ApiError(
                401,
                "unauthorized",
                "missing or wrong bearer token",
                field="Authorization",
                expected="header 'Authorization: Bearer <token>' with the site's token",
                retry_safe=False,
                headers={"WWW-Authenticate": "Bearer"},
            )

    def inject_failure(self) -> None:
        """Count one import request; raise the injected 503 when ``--fail-rate`` picks it."""
        if self.injector.next_fails():
            self.stats.injected_failures += 1
            raise ApiError(
                503,
                "injected_failure",
                f"import request #{self.injector.seen} failed on purpose (--fail-rate "
                f"{self.settings.fail_rate}); nothing was stored",
                expected="a retry",
                retry_safe=True,
                headers={"Retry-After": "0"},
            )

    async def add_latency(self) -> None:
        """Sleep ``--latency-ms`` (costs no CPU, so the slowdown knob does not scale it)."""
        if self.settings.latency_ms > 0:
            await asyncio.sleep(self.settings.latency_ms / 1000.0)


def check_json_content_type(request: Request) -> None:
    """415 when a Content-Type is given and it is not JSON (a missing header is accepted)."""
    given = request.headers.get("content-type")
    if given is None:
        return
    media = given.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Content-Type {given[:64]!r} is not JSON",
            field="Content-Type",
            expected="application/json",
            retry_safe=False,
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it is known to exceed ``limit`` bytes.

    The ``Content-Length`` header is checked before anything is read; bodies without it
    (chunked) are counted while they stream in.
    """
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ApiError(
                400,
                "bad_content_length",
                f"Content-Length {length[:32]!r} is not a number",
                field="Content-Length",
                expected="a non-negative integer",
            )
        if int(length) > limit:
            raise too_large(int(length), limit)
        return await request.body()
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise too_large(total, limit, streamed=True)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size: int, limit: int, *, streamed: bool = False) -> ApiError:
    """413 naming the size and the limit."""
    what = f"more than {limit} bytes arrived" if streamed else f"body of {size} bytes"
    return ApiError(
        413,
        "body_too_large",
        f"{what}: over the limit of {limit} bytes",
        field="body",
        expected=f"at most {limit} bytes",
        retry_safe=False,
    )
