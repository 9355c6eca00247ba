"""The one place that sends a ``Request`` with httpx (Locust's own client aside).

``Sender`` keeps one connection pool for many requests; ``send`` is a one-off. ``send_many``
sends a list concurrently from a small thread pool and returns the responses in order, for
verification. ``AsyncSender`` is the asyncio variant.

A transport failure never raises: it becomes ``Response(status=0, error=KIND)``, where KIND is
``timeout``, ``connection_refused``, ``connection_reset``, ``protocol_error`` or
``transport_error``. Only a programming error (such as a bad base URL) raises.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import httpx

from targets.base import (
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    PROTOCOL_ERROR,
    TIMEOUT,
    TRANSPORT_ERROR,
    Request,
    Response,
)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait; every request is bounded in time."""

    connect_s: float = 5.0
    """Establishing a connection."""
    read_s: float = 30.0
    """Waiting for response bytes (also used for writing the request and for a pool slot)."""

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_s, connect=self.connect_s)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> str:
    """The error kind for a transport exception (httpx's, or the OS error underneath)."""
    chain = _chain(exc)
    if any(isinstance(e, httpx.TimeoutException | TimeoutError) for e in chain):
        return TIMEOUT
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return CONNECTION_REFUSED
    if any(isinstance(e, ConnectionResetError | BrokenPipeError) for e in chain):
        return CONNECTION_RESET
    if any(isinstance(e, httpx.RemoteProtocolError) for e in chain):
        return PROTOCOL_ERROR
    if any(isinstance(e, httpx.ConnectError) for e in chain):
        text = " ".join(str(e) for e in chain).lower()
        return CONNECTION_REFUSED if "refused" in text else TRANSPORT_ERROR
    return TRANSPORT_ERROR


def url_for(base_url: str, request: Request) -> str:
    """The absolute URL: the base URL (which may carry a path prefix) plus the request path."""
    if not request.path.startswith("/"):
        raise ValueError(f"Request.path must start with '/', got {request.path!r}")
    return base_url.rstrip("/") + request.path


def _response(raw: httpx.Response, started: float) -> Response:
    return Response(
        status=raw.status_code,
        body=raw.content,
        headers={k.lower(): v for k, v in raw.headers.items()},
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
    )


def _failure(exc: BaseException, started: float) -> Response:
    return Response(
        status=0, error=classify(exc), elapsed_ms=(time.perf_counter() - started) * 1000.0
    )


class Sender:
    """Sends requests to one base URL over a keep-alive connection pool (thread-safe)."""

    def __init__(
        self, base_url: str, timeouts: Timeouts | None = None, *, max_connections: int = 16
    ) -> None:
        self.base_url = base_url
        self.timeouts = timeouts or Timeouts()
        self._client = httpx.Client(
            timeout=self.timeouts.httpx(),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
            trust_env=False,
        )

    def send(self, request: Request, *, timeout_s: float | None = None) -> Response:
        """``timeout_s``, when given, caps every timeout of this one request (connect, read,
        write, pool) at that many seconds, e.g. the time left of a bounded verification."""
        started = time.perf_counter()
        try:
            raw = self._client.request(
                request.method,
                url_for(self.base_url, request),
                headers=dict(request.headers),
                content=request.body,
                timeout=self._capped(timeout_s),
            )
        except httpx.TransportError as exc:
            return _failure(exc, started)
        return _response(raw, started)

    def _capped(self, timeout_s: float | None) -> httpx.Timeout:
        if timeout_s is None:
            return self.timeouts.httpx()
        cap = max(0.001, timeout_s)
        return httpx.Timeout(
            min(self.timeouts.read_s, cap), connect=min(self.timeouts.connect_s, cap)
        )

    def send_many(self, requests: Sequence[Request], *, concurrency: int = 8) -> list[Response]:
        """Send all, at most ``concurrency`` at a time; responses in the order of ``requests``."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if len(requests) <= 1 or concurrency == 1:
            return [self.send(r) for r in requests]
        with ThreadPoolExecutor(max_workers=min(concurrency, len(requests))) as pool:
            return list(pool.map(self.send, requests))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def send(base_url: str, request: Request, timeouts: Timeouts | None = None) -> Response:
    """Send one request on a fresh connection."""
    with Sender(base_url, timeouts, max_connections=1) as sender:
        return sender.send(request)


def send_many(
    base_url: str,
    requests: Sequence[Request],
    *,
    concurrency: int = 8,
    timeouts: Timeouts | None = None,
) -> list[Response]:
    """Send many requests concurrently; responses in the order of ``requests``."""
    with Sender(base_url, timeouts, max_connections=concurrency) as sender:
        return sender.send_many(requests, concurrency=concurrency)


class AsyncSender:
    """The asyncio variant of ``Sender``."""

    def __init__(
        self, base_url: str, timeouts: Timeouts | None = None, *, max_connections: int = 16
    ) -> None:
        self.base_url = base_url
        self.timeouts = timeouts or Timeouts()
        self._client = httpx.AsyncClient(
            timeout=self.timeouts.httpx(),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
            trust_env=False,
        )

    async def send(self, request: Request) -> Response:
        started = time.perf_counter()
        try:
            raw = await self._client.request(
                request.method,
                url_for(self.base_url, request),
                headers=dict(request.headers),
                content=request.body,
            )
        except httpx.TransportError as exc:
            return _failure(exc, started)
        return _response(raw, started)

    async def send_many(
        self, requests: Sequence[Request], *, concurrency: int = 8
    ) -> list[Response]:
        """Send all, at most ``concurrency`` in flight; responses in the order of ``requests``."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        gate = asyncio.Semaphore(concurrency)

        async def one(request: Request) -> Response:
            async with gate:
                return await self.send(request)

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
