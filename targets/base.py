"""The Target contract: how a Post reaches a site's import endpoint and is read back.

Everything here is pure: an adapter *builds* requests and *interprets* responses. Exactly one
place sends requests (``targets.transport`` for httpx; Locust's client inside loadtests), so
logic tests run without sockets.

Credentials come only from environment variables named in the target definition. Adapters add
them to request headers; ``Request.redacted()`` is what may be logged or stored, and ``repr()`` of
a ``Request`` never shows secret header values either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from synth import InvalidPost, Post

SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "proxy-authorization", "x-api-key", "x-auth-token", "x-wp-nonce"}
)
"""Header names (lower case) whose values are never shown."""
SECRET_WORDS = ("token", "secret", "password", "auth", "apikey", "api-key", "api_key")
"""A header whose lower-case name contains one of these is secret too (``X-Api-Key``)."""

REDACTED = "***"

# Error kinds a Response carries when no HTTP response arrived (``status == 0``).
TIMEOUT = "timeout"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_RESET = "connection_reset"
PROTOCOL_ERROR = "protocol_error"
TRANSPORT_ERROR = "transport_error"
TRANSPORT_ERROR_KINDS = (
    TIMEOUT,
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    PROTOCOL_ERROR,
    TRANSPORT_ERROR,
)

# Transport failures after which the site may still have stored the post.
MAYBE_WRITTEN_KINDS = frozenset({TIMEOUT, CONNECTION_RESET, PROTOCOL_ERROR, TRANSPORT_ERROR})


def is_secret_header(name: str) -> bool:
    """Whether a header by this name carries a credential (its value is never shown)."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or any(word in lowered for word in SECRET_WORDS)


def redact_headers(
    headers: Mapping[str, str], sensitive: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The headers with every secret value replaced by ``***``: the well-known secret headers,
    names containing one of ``SECRET_WORDS``, and the lower-case names in ``sensitive``."""
    return {
        k: (REDACTED if is_secret_header(k) or k.lower() in sensitive else v)
        for k, v in headers.items()
    }


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
    sensitive: frozenset[str] = frozenset()
    """Lower-case names of further headers to hide (e.g. http headers built from ``${ENV}``)."""

    def redacted(self) -> dict[str, object]:
        """A loggable view: secret header values replaced by ``***``, the body by its length."""
        return {
            "method": self.method,
            "path": self.path,
            "name": self.name,
            "headers": redact_headers(self.headers, self.sensitive),
            "body_bytes": 0 if self.body is None else len(self.body),
        }

    def __repr__(self) -> str:
        return f"Request({self.redacted()!r})"


@dataclass(frozen=True)
class Response:
    """What came back: the status (0 when no HTTP response arrived), headers and body."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Header names in lower case."""
    error: str | None = None
    """When ``status == 0``: one of ``TRANSPORT_ERROR_KINDS`` (``timeout``,
    ``connection_refused``, ``connection_reset``, ``protocol_error``, ``transport_error``)."""
    elapsed_ms: float = 0.0
    """Time from sending to the whole body received (or to the failure)."""


@dataclass(frozen=True)
class Ack:
    """The adapter's judgement on one post's import."""

    reference: str
    acknowledged: bool
    status: int
    error: str | None = None
    """Short machine-readable reason when not acknowledged: ``http_409``, ``http_400_rest_invalid_param``,
    ``timeout``, ``bad_body``, ``missing_item``, ..."""
    may_have_written: bool = False
    """True when the site refused but may still have stored the post (WordPress meta 400, a
    timeout or a reset connection)."""


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
    """Set by adapters that cannot rebuild a whole Post but can compare the content they store
    with what they would send for the expected post (None when no expected post was given)."""
    error: str | None = None
    """Set when the read itself failed (e.g. ``http_500``, ``timeout``, ``bad_body``); then
    ``copies`` is 0 but the post is *unknown*, not missing."""


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
    def read_back(
        self, reference: str, response: Response, expected: Post | None = None
    ) -> ReadBack: ...

    def release_request(self) -> Request: ...
    def release(self, response: Response) -> str: ...

    def health_request(self) -> Request: ...


@runtime_checkable
class SupportsLookup(Protocol):
    """Adapters that can read many posts back in one request (``targets.verify_io`` uses it)."""

    lookup_limit: int
    """Most references one lookup request may carry."""

    def lookup_request(self, references: Sequence[str]) -> Request: ...
    def lookup_read_backs(
        self,
        references: Sequence[str],
        response: Response,
        expected: Mapping[str, Post] | None = None,
    ) -> list[ReadBack]: ...


@runtime_checkable
class SupportsJsonImport(Protocol):
    """Adapters that can import a post from its canonical JSON bytes alone (the load's fast path:
    ``synth.synthesize_json`` plus ``synth.generate.reference_of``, no ``Post`` built).

    ``import_request_json(canonical_json(post), post.meta.reference, post.meta.payload.seed)``
    must equal ``import_request(post)`` byte for byte (method, path, name, headers, body), and
    ``import_ack_ref(post.meta.reference, r)`` must equal ``import_ack(post, r)``. An adapter whose
    body is not the canonical document (WordPress, an http mapping) sets ``json_import = False``;
    use ``json_import_of`` rather than ``isinstance``."""

    json_import: bool
    """True when this adapter, as configured, sends the canonical JSON unchanged."""
    acknowledged_statuses: frozenset[int]
    """The statuses that acknowledge an import by themselves: ``import_ack_ref(reference, r)``
    is ``Ack(reference, True, r.status)`` exactly when ``r.status`` is one of them (so a load
    run need not build the ``Response`` and ``Ack`` of a success)."""

    def import_request_json(self, body: bytes, reference: str, seed: int) -> Request: ...
    def import_ack_ref(self, reference: str, response: Response) -> Ack: ...
    def import_request_template(self) -> Request | None:
        """``import_request_json(body, ...)`` with ``body=None`` when only the body differs from
        one post to the next (same method, path, name, headers and sensitive names), else None
        (the path or a header depends on the post's reference or seed)."""
        ...


@runtime_checkable
class SupportsJsonBatch(Protocol):
    """Adapters whose batch request is built from canonical JSON bytes alone; same equalities as
    ``SupportsJsonImport`` with ``batch_request``/``batch_acks``."""

    json_import: bool

    def batch_request_json(self, bodies: Sequence[bytes]) -> Request: ...
    def batch_acks_refs(self, references: Sequence[str], response: Response) -> list[Ack]: ...


def json_import_of(target: object) -> SupportsJsonImport | None:
    """``target`` when it can import from canonical JSON bytes as configured, else None."""
    if isinstance(target, SupportsJsonImport) and target.json_import:
        return target
    return None


def json_batch_of(target: object) -> SupportsJsonBatch | None:
    """``target`` when it can build batches from canonical JSON bytes as configured, else None."""
    if isinstance(target, SupportsJsonBatch) and target.json_import:
        return target
    return None


class TargetError(Exception):
    """A target or its definition failed. ``exit_code`` 2 is a user mistake, 3 a target failure."""

    exit_code = 3

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
