"""Structured access log and the ASGI middleware that feeds it and the counters.

One JSON line per request, written with a single ``os.write`` to stderr or the ``--log-file``::

    {"ts": "...", "method": "POST", "route": "/import/posts", "status": 201,
     "duration_ms": 1.84, "bytes": 96, "bytes_in": 6120, "reference": "anp-ref-000679-3304"}

Headers are never logged, so a bearer token cannot reach the log. The same middleware counts
each request in ``Stats`` and applies the ``--slowdown`` knob just before the response starts.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from targets.reference.knobs import slowdown_extra, spin

if TYPE_CHECKING:
    from targets.reference.stats import Stats


class JsonLog:
    """Appends JSON lines to a file descriptor."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is None:
            self._fd = sys.stderr.fileno()
            self._owned = False
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self._owned = True

    def write(self, record: dict[str, Any]) -> None:
        """Write one record as one line."""
        data = orjson.dumps(record) + b"\n"
        while data:
            written = os.write(self._fd, data)
            data = data[written:]

    def close(self) -> None:
        """Close the file (stderr stays open)."""
        if self._owned:
            os.close(self._fd)
            self._owned = False


class AccessMiddleware:
    """Times, counts and logs every HTTP request; applies the slowdown knob."""

    def __init__(self, app: ASGIApp, *, stats: Stats, log: JsonLog, slowdown: float) -> None:
        self.app = app
        self.stats = stats
        self.log = log
        self.slowdown = slowdown

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
                if self.slowdown > 0:
                    own = time.perf_counter() - start - scope.get("anp_slept", 0.0)
                    spin(slowdown_extra(own, self.slowdown))
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
                    "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000.0, 3),
                    "bytes": sent,
                    "bytes_in": received,
                    "reference": scope.get("anp_reference"),
                }
            )
