"""Structured access log and the ASGI middleware that feeds it and the counters.

One JSON line per request, to stderr or the ``--log-file``::

    {"ts": 1796400000.123, "method": "POST", "route": "/import/posts", "status": 201,
     "duration_ms": 1.84, "bytes": 96, "bytes_in": 6120, "reference": "anp-ref-000679-3304"}

``ts`` is Unix time in seconds (millisecond precision), when the request finished; ``bytes`` is
the response body size, ``bytes_in`` the request body size; ``reference`` is null when unknown.
Lines are buffered and written in whole lines at most ``FLUSH_SECONDS`` later (or once 64 KiB are
pending, and always at shutdown), which saves a system call per request under load.

Headers are never logged, so a bearer token cannot reach the log. The same middleware counts
each request in ``Stats`` and applies the ``--slowdown`` knob just before the response starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from targets.reference.knobs import Slowdown

if TYPE_CHECKING:
    from targets.reference.stats import Stats


FLUSH_SECONDS = 0.2
FLUSH_BYTES = 64 * 1024


class JsonLog:
    """Appends JSON lines to a file descriptor (buffered; see the module docstring)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is None:
            self._fd = sys.stderr.fileno()
            self._owned = False
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self._owned = True
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._flush_handle: asyncio.TimerHandle | None = None

    def write(self, record: dict[str, Any]) -> None:
        """Queue one record as one line; written soon (immediately outside an event loop)."""
        line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        self._pending.append(line)
        self._pending_bytes += len(line)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()
            return
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            self._flush_handle = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write every pending line now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        """Flush, then close the file (stderr stays open)."""
        self.flush()
        if self._owned:
            os.close(self._fd)
            self._owned = False


class AccessMiddleware:
    """Times, counts and logs every HTTP request; applies the slowdown knob."""

    def __init__(self, app: ASGIApp, *, stats: Stats, log: JsonLog, slowdown: float) -> None:
        self.app = app
        self.stats = stats
        self.log = log
        self.slowdown = Slowdown(slowdown) if slowdown > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        sent = 0
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.slowdown is not None:
                    self.slowdown.apply()
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None)
            if template is None:  # routes outside the API router, e.g. /openapi.json
                template = scope["path"] if status < 400 else "<unmatched>"
            method = scope["method"]
            self.stats.record(f"{method} {template}", status)
            self.log.write(
                {
                    "ts": round(time.time(), 3),
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000.0, 3),
                    "bytes": sent,
                    "bytes_in": received,
                    "reference": scope.get("anp_reference"),
                }
            )
