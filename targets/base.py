"""The Target contract: how a Post reaches a site's import endpoint and is read back.

Everything here is pure: an adapter *builds* requests and *interprets* responses. Exactly one
place sends requests (``targets.transport.send`` for httpx; Locust's client inside loadtests), so
logic tests run without sockets.

Credentials come only from environment variables named in the target definition. Adapters add
them to request headers; ``Request.redacted()`` is what may be logged or stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from synth import InvalidPost, Post

SECRET_HEADERS = frozenset({"authorization", "cookie", "x-api-key", "x-wp-nonce"})


@dataclass(frozen=True)
class Request:
    """One HTTP request, relative to the target's base URL."""

    method: str
    path: str
    """Path plus query string, starting with ``/``."""
    name: str
    """Stable label for statistics (Locust's ``name``), e.g. ``POST /import/posts``."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def redacted(self) -> dict[str, object]:
        """A loggable view: secret header values replaced by ``***``, the body by its length."""
        headers = {
            k: ("***" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()
        }
        return {
            "method": self.method,
            "path": self.path,
            "name": self.name,
            "headers": headers,
            "body_bytes": 0 if self.body is None else len(self.body),
        }


@dataclass(frozen=True)
class Response:
    """What came back: the status (0 when no HTTP response arrived), headers and body."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ack:
    """The adapter's judgement on one post's import."""

    reference: str
    acknowledged: bool
    status: int
    error: str | None = None
    """Short machine-readable reason when not acknowledged (e.g. ``http_409``, ``bad_body``)."""
    may_have_written: bool = False
    """True when the site refused but may still have stored the post (WordPress meta 400)."""


@dataclass(frozen=True)
class ReadBack:
    """A post read back from the target for verification."""

    reference: str
    copies: int
    """How many stored posts carry this reference (0 missing, 1 landed, >1 duplicated)."""
    post: Post | None = None
    """The stored post rebuilt as a Post, when the site returns enough to rebuild it."""
    stored_hash: str | None = None
    """The anp hash as the site stored it."""
    content_ok: bool | None = None
    """Set by adapters that cannot rebuild a whole Post but can compare the content they store."""


@runtime_checkable
class Target(Protocol):
    """What loadtests and verification need from a target adapter."""

    name: str
    base_url: str
    batch_limit: int
    """Largest batch one request may carry (WordPress: 25); 0 when there is no batch endpoint."""

    def import_request(self, post: Post) -> Request: ...
    def import_ack(self, post: Post, response: Response) -> Ack: ...

    def batch_request(self, posts: Sequence[Post]) -> Request: ...
    def batch_acks(self, posts: Sequence[Post], response: Response) -> list[Ack]: ...

    def invalid_request(self, invalid: InvalidPost) -> Request: ...

    def read_request(self, reference: str) -> Request: ...
    def read_back(self, reference: str, response: Response) -> ReadBack: ...

    def release_request(self) -> Request: ...
    def release(self, response: Response) -> str: ...

    def health_request(self) -> Request: ...
