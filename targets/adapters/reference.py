"""Adapter for the reference import site (``targets/reference``; API in notes/reference-api.md).

Posts travel as synth's canonical JSON. ``201 created`` and ``200 unchanged`` are acknowledged;
everything else is not, with an error kind such as ``http_409_conflict`` or ``timeout``.

Fast read-back: ``raw_lookup_request`` asks ``POST /posts/lookup`` with ``"raw": true``, so each
stored post comes back as its canonical JSON text; ``raw_lookup_read_backs`` compares that text
with the expected canonical bytes and parses only the posts that differ (verification's fast path,
``loadtests.verify_fast``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import orjson

from synth import InvalidPost, Post, canonical_json
from targets.adapters.common import (
    JSON_HEADERS,
    dumps,
    error_kind,
    header,
    json_body,
    lookup_body,
    lookup_found,
    quote_reference,
    rebuild_post,
    transport_maybe_written,
)
from targets.base import Ack, ReadBack, Request, Response, TargetError
from targets.transport import Timeouts

ACK_STATUSES = frozenset({200, 201})
SITE_MAX_BATCH = 1000
SITE_MAX_LOOKUP = 1000


class ReferenceTarget:
    """The reference site. ``token`` (from ``token_env``) is sent as a bearer token."""

    kind = "reference"
    json_import = True
    """The body is the canonical JSON itself (``targets.base.SupportsJsonImport`` and
    ``SupportsJsonBatch``): loads may send ``synth.synthesize_json`` as it is."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        token: str | None = None,
        batch_limit: int = SITE_MAX_BATCH,
        lookup_limit: int = SITE_MAX_LOOKUP,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.batch_limit = batch_limit
        self.lookup_limit = lookup_limit
        self.timeouts = timeouts or Timeouts()
        headers = dict(JSON_HEADERS)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._headers: Mapping[str, str] = headers

    def __repr__(self) -> str:
        return f"ReferenceTarget(name={self.name!r}, base_url={self.base_url!r})"

    # --- import ---------------------------------------------------------------------------------

    def import_request(self, post: Post) -> Request:
        return self.import_request_json(
            canonical_json(post), post.meta.reference, post.meta.payload.seed
        )

    def import_ack(self, post: Post, response: Response) -> Ack:
        return self.import_ack_ref(post.meta.reference, response)

    acknowledged_statuses = ACK_STATUSES

    def import_request_template(self) -> Request:
        """The import request without its body: only the body differs from post to post."""
        return Request("POST", "/import/posts", "POST /import/posts", self._headers)

    def import_request_json(self, body: bytes, reference: str, seed: int) -> Request:
        """``import_request(post)`` from ``canonical_json(post)`` (the reference and seed are not
        needed here; the http adapter's path may use them)."""
        return Request("POST", "/import/posts", "POST /import/posts", self._headers, body)

    def batch_request_json(self, bodies: Sequence[bytes]) -> Request:
        """``batch_request(posts)`` from the posts' canonical JSON bytes."""
        if not bodies or len(bodies) > self.batch_limit:
            raise ValueError(f"a batch holds 1..{self.batch_limit} posts, got {len(bodies)}")
        body = b"[" + b",".join(bodies) + b"]"
        return Request("POST", "/import/batch", "POST /import/batch", self._headers, body)

    def import_ack_ref(self, reference: str, response: Response) -> Ack:
        """``import_ack`` from the post's reference alone."""
        if response.status in ACK_STATUSES:
            return Ack(reference, True, response.status)
        return Ack(
            reference,
            False,
            response.status,
            error_kind(response),
            may_have_written=transport_maybe_written(response),
        )

    def batch_request(self, posts: Sequence[Post]) -> Request:
        return self.batch_request_json([canonical_json(p) for p in posts])

    def batch_acks(self, posts: Sequence[Post], response: Response) -> list[Ack]:
        return self.batch_acks_refs([p.meta.reference for p in posts], response)

    def batch_acks_refs(self, references: Sequence[str], response: Response) -> list[Ack]:
        """``batch_acks(posts, response)`` from the posts' references alone."""
        body = json_body(response)
        results = body.get("results") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(results, list):
            kind = error_kind(response, body) if response.status != 200 else "bad_body"
            maybe = transport_maybe_written(response) or response.status == 200
            return [
                Ack(reference, False, response.status, kind, may_have_written=maybe)
                for reference in references
            ]
        by_index = {
            item["index"]: item
            for item in results
            if isinstance(item, dict) and isinstance(item.get("index"), int)
        }
        acks = []
        for index, reference in enumerate(references):
            item = by_index.get(index)
            if item is None:
                acks.append(Ack(reference, False, 200, "missing_item", may_have_written=True))
                continue
            status = item.get("status")
            status = status if isinstance(status, int) else 0
            if status in ACK_STATUSES and item.get("reference") in (reference, None):
                acks.append(Ack(reference, True, status))
            elif status in ACK_STATUSES:  # the site stored something, under another reference
                acks.append(Ack(reference, False, status, "reference_mismatch", True))
            else:
                kind = error_kind(Response(status=status), {"error": item.get("error")})
                acks.append(Ack(reference, False, status, kind))
        return acks

    def invalid_request(self, invalid: InvalidPost) -> Request:
        headers = dict(self._headers)
        headers["Content-Type"] = invalid.content_type
        return Request(
            "POST", "/import/posts", "POST /import/posts [invalid]", headers, invalid.body
        )

    # --- read back ------------------------------------------------------------------------------

    def read_request(self, reference: str) -> Request:
        path = f"/posts/{quote_reference(reference)}"
        return Request("GET", path, "GET /posts/{reference}", self._headers)

    def read_back(
        self, reference: str, response: Response, expected: Post | None = None
    ) -> ReadBack:
        if response.status == 404:
            return ReadBack(reference, 0)
        if response.status != 200:
            return ReadBack(reference, 0, error=error_kind(response))
        post = rebuild_post(response.body)
        stored_hash = header(response, "x-anp-hash") or (post.meta.hash if post else None)
        return _read_back(reference, post, stored_hash, expected)

    def lookup_request(self, references: Sequence[str]) -> Request:
        body = lookup_body(references, self.lookup_limit)
        return Request("POST", "/posts/lookup", "POST /posts/lookup", self._headers, body)

    def lookup_read_backs(
        self,
        references: Sequence[str],
        response: Response,
        expected: Mapping[str, Post] | None = None,
    ) -> list[ReadBack]:
        found = lookup_found(references, response)
        if isinstance(found, list):
            return found
        out = []
        for reference in references:
            wanted = expected.get(reference) if expected else None
            if reference not in found:
                out.append(ReadBack(reference, 0, error="missing_item"))
            elif found[reference] is None:
                out.append(ReadBack(reference, 0))
            else:
                post = rebuild_post(dumps(found[reference]))
                out.append(_read_back(reference, post, post.meta.hash if post else None, wanted))
        return out

    def raw_lookup_request(self, references: Sequence[str]) -> Request:
        """``POST /posts/lookup`` with ``"raw": true``: stored posts come back as JSON strings."""
        if not references or len(references) > self.lookup_limit:
            raise ValueError(
                f"a lookup holds 1..{self.lookup_limit} references, got {len(references)}"
            )
        body = orjson.dumps({"references": list(references), "raw": True})
        return Request("POST", "/posts/lookup", "POST /posts/lookup", self._headers, body)

    def raw_lookup_refused(self, response: Response) -> bool:
        """Whether the site rejected the ``raw`` flag itself (a site older than the flag answers
        422 naming the field ``raw``); the caller then uses ``lookup_request`` instead."""
        if response.status != 422:
            return False
        body = _loads(response.body)
        error = body.get("error") if isinstance(body, dict) else None
        return isinstance(error, dict) and error.get("field") == "raw"

    def raw_lookup_read_backs(
        self,
        references: Sequence[str],
        response: Response,
        expected: Mapping[str, bytes],
        expected_post: Callable[[str], Post],
    ) -> list[ReadBack]:
        """One ReadBack per reference, judged against ``expected`` (reference -> the canonical
        JSON bytes it must hold). A stored text equal to those bytes is intact
        (``content_ok=True``, nothing parsed); any other text is parsed and compared with
        ``expected_post(reference)``, exactly as ``lookup_read_backs`` does."""
        body = _loads(response.body)
        found = body.get("posts") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(found, dict):
            kind = error_kind(response, body) if response.status != 200 else "bad_body"
            return [ReadBack(r, 0, error=kind) for r in references]
        out = []
        missing = object()
        for reference in references:
            text = found.get(reference, missing)
            if isinstance(text, str) and text.encode() == expected[reference]:
                out.append(ReadBack(reference, 1, content_ok=True))
            elif text is missing:
                out.append(ReadBack(reference, 0, error="missing_item"))
            elif text is None:
                out.append(ReadBack(reference, 0))
            elif isinstance(text, str):
                post = rebuild_post(text)
                stored_hash = post.meta.hash if post else None
                out.append(_read_back(reference, post, stored_hash, expected_post(reference)))
            else:  # {"invalid_utf8": true} or anything else: stored, but not a post
                out.append(ReadBack(reference, 1, error="bad_body"))
        return out

    # --- site -----------------------------------------------------------------------------------

    def release_request(self) -> Request:
        return Request("GET", "/version", "GET /version", self._headers)

    def release(self, response: Response) -> str:
        body = json_body(response)
        if (
            response.status == 200
            and isinstance(body, dict)
            and isinstance(body.get("release"), str)
        ):
            return str(body["release"])
        raise TargetError(
            f"GET /version answered {error_kind(response, body)}; expected 200 with a release"
        )

    def health_request(self) -> Request:
        return Request("GET", "/health", "GET /health", self._headers)


def _loads(data: bytes) -> object:
    """The parsed JSON, or None when ``data`` is empty or not JSON."""
    try:
        return orjson.loads(data) if data else None
    except orjson.JSONDecodeError:
        return None


def _read_back(
    reference: str, post: Post | None, stored_hash: str | None, expected: Post | None
) -> ReadBack:
    if post is None:
        return ReadBack(reference, 1, stored_hash=stored_hash, error="bad_body")
    content_ok = None if expected is None else post == expected
    return ReadBack(reference, 1, post=post, stored_hash=stored_hash, content_ok=content_ok)
