"""The ``http`` adapter: a JSON import endpoint described entirely by a definition file.

The ``[http]`` table says the method and path, extra headers (``${NAME}`` replaced from the
environment when the target is loaded; such headers are hidden in ``Request.redacted()``), the
body (``mode = "canonical"``: the post's canonical JSON; ``mode = "mapping"``: a JSON object
built by ``[http.body]``), which statuses mean "stored", and how to read a post back.

Body mapping values: a dotted path into the post's canonical JSON (``meta.reference``,
``sections.0.heading``), ``$canonical`` (the canonical JSON as one string), ``$hash``,
``$reference``, ``$seed``, or a nested table for a nested object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from synth import InvalidPost, Post, canonical_json
from targets.adapters.common import (
    JSON_HEADERS,
    dumps,
    error_kind,
    json_body,
    quote_reference,
    rebuild_post,
    transport_maybe_written,
)
from targets.base import Ack, ReadBack, Request, Response, TargetError
from targets.definitions import HttpDef
from targets.transport import Timeouts

_MISSING = object()


def get_path(document: Any, path: str) -> Any:
    """The value at a dotted path (list items by index); ``KeyError`` naming the path when absent."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(path)
    return current


def _special(value: str, document: Mapping[str, Any], canonical: str) -> Any:
    meta = document.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    if value == "$canonical":
        return canonical
    if value == "$hash":
        return meta.get("hash")
    if value == "$reference":
        return meta.get("reference")
    payload = meta.get("payload")
    return payload.get("seed") if isinstance(payload, dict) else None


def map_body(
    mapping: Mapping[str, Any],
    document: Mapping[str, Any],
    canonical: str,
    *,
    lenient: bool = False,
) -> dict[str, Any]:
    """Build the JSON object ``mapping`` describes from a post document (its canonical JSON,
    parsed). ``lenient`` leaves out absent paths instead of raising ``KeyError``."""
    out: dict[str, Any] = {}
    for key, spec in mapping.items():
        if isinstance(spec, Mapping):
            out[key] = map_body(spec, document, canonical, lenient=lenient)
        elif spec.startswith("$"):
            out[key] = _special(spec, document, canonical)
        else:
            try:
                out[key] = get_path(document, spec)
            except KeyError:
                if not lenient:
                    raise
    return out


class HttpTarget:
    """A site with a custom JSON import endpoint."""

    kind = "http"
    batch_limit = 0
    lookup_limit = 0

    def __init__(
        self,
        name: str,
        base_url: str,
        spec: HttpDef,
        *,
        headers: Mapping[str, str] | None = None,
        sensitive: frozenset[str] = frozenset(),
        timeouts: Timeouts | None = None,
    ) -> None:
        """``headers`` are the resolved ``[http.headers]`` (``${NAME}`` already substituted);
        ``sensitive`` the lower-case names of those that held a variable."""
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.spec = spec
        self.timeouts = timeouts or Timeouts()
        self._headers: Mapping[str, str] = {**JSON_HEADERS, **(headers or {})}
        self._sensitive = sensitive

    def __repr__(self) -> str:
        return f"HttpTarget(name={self.name!r}, base_url={self.base_url!r})"

    def _request(self, method: str, path: str, name: str, body: bytes | None = None) -> Request:
        return Request(method, path, name, self._headers, body, self._sensitive)

    # --- import ---------------------------------------------------------------------------------

    def _path(self, reference: str, seed: object) -> str:
        return self.spec.path.replace("{reference}", quote_reference(reference)).replace(
            "{seed}", quote(str(seed), safe="")
        )

    def import_body(self, post: Post) -> bytes:
        canonical = canonical_json(post)
        if self.json_import or self.spec.body is None:
            return canonical
        text = canonical.decode("utf-8")
        try:
            return dumps(map_body(self.spec.body, json.loads(text), text))
        except KeyError as exc:
            raise TargetError(
                f"target {self.name!r}: [http.body] path {exc.args[0]!r} is not in the post; "
                "expected a dotted path such as 'meta.reference' (fix the definition)",
                exit_code=2,
            ) from None

    def import_request(self, post: Post) -> Request:
        return self._import(self.import_body(post), post.meta.reference, post.meta.payload.seed)

    def _import(self, body: bytes, reference: str, seed: object) -> Request:
        """The import request carrying ``body``: the one place both entry points build it."""
        path = self._path(reference, seed)
        return self._request(self.spec.method, path, f"{self.spec.method} {self.spec.path}", body)

    @property
    def json_import(self) -> bool:
        """The body is the canonical JSON itself (``mode = "canonical"`` or no ``[http.body]``),
        so ``import_request_json`` may be used (``targets.base.SupportsJsonImport``)."""
        return self.spec.mode == "canonical" or self.spec.body is None

    def import_request_json(self, body: bytes, reference: str, seed: int) -> Request:
        """``import_request(post)`` from ``canonical_json(post)``, its reference and its seed.
        Only when ``json_import`` (a mapped body needs the post: ``TargetError``, exit 2)."""
        if not self.json_import:
            raise TargetError(
                f"target {self.name!r}: [http.body] maps fields, so the import body is not the "
                "canonical JSON; expected import_request(post) for this target",
                exit_code=2,
            )
        return self._import(body, reference, seed)

    def import_request_template(self) -> Request | None:
        """The import request without its body when its path names neither ``{reference}`` nor
        ``{seed}`` (the headers never depend on the post), else None."""
        if not self.json_import or "{reference}" in self.spec.path or "{seed}" in self.spec.path:
            return None
        return replace(self._import(b"", "", 0), body=None)

    @property
    def acknowledged_statuses(self) -> frozenset[int]:
        """The definition's ``acknowledged`` statuses (``import_ack_ref`` reads nothing else)."""
        return frozenset(self.spec.acknowledged)

    def import_ack(self, post: Post, response: Response) -> Ack:
        return self.import_ack_ref(post.meta.reference, response)

    def import_ack_ref(self, reference: str, response: Response) -> Ack:
        """``import_ack`` from the post's reference alone."""
        if response.status in self.spec.acknowledged:
            return Ack(reference, True, response.status)
        return Ack(
            reference,
            False,
            response.status,
            error_kind(response),
            may_have_written=transport_maybe_written(response),
        )

    def batch_request(self, posts: Sequence[Post]) -> Request:
        raise TargetError(
            f"target {self.name!r} (http) has no batch endpoint (batch_limit = 0)", exit_code=2
        )

    def batch_acks(self, posts: Sequence[Post], response: Response) -> list[Ack]:
        raise TargetError(
            f"target {self.name!r} (http) has no batch endpoint (batch_limit = 0)", exit_code=2
        )

    def invalid_request(self, invalid: InvalidPost) -> Request:
        """Canonical mode sends the invalid body as it is; mapping mode maps a JSON document
        leniently (absent paths left out) and sends any other body as it is. Either way the
        variant's own Content-Type goes with it (``wrong_content_type`` is about that header)."""
        document = invalid.document  # None for a body that is not a JSON document
        body = invalid.body
        if not self.json_import and self.spec.body and isinstance(document, dict):
            text = invalid.body.decode("utf-8", errors="replace")
            body = dumps(map_body(self.spec.body, document, text, lenient=True))
        return Request(
            self.spec.method,
            self._path(invalid.reference, invalid.seed),
            f"{self.spec.method} {self.spec.path} [invalid]",
            {**self._headers, "Content-Type": invalid.content_type},
            body,
            self._sensitive,
        )

    # --- read back ------------------------------------------------------------------------------

    def read_request(self, reference: str) -> Request:
        if self.spec.read is None:
            raise TargetError(
                f"target {self.name!r} has no [http.read] table; expected one to read posts back",
                exit_code=2,
            )
        path = self.spec.read.path.replace("{reference}", quote_reference(reference))
        return self._request("GET", path, f"GET {self.spec.read.path}")

    def read_back(
        self, reference: str, response: Response, expected: Post | None = None
    ) -> ReadBack:
        read = self.spec.read
        if read is None:
            return ReadBack(reference, 0, error="no_read_back")
        if response.status in read.missing:
            return ReadBack(reference, 0)
        if not 200 <= response.status < 300:
            return ReadBack(reference, 0, error=error_kind(response))
        if read.compare == "canonical":
            post = rebuild_post(response.body)
            if post is None:
                return ReadBack(reference, 1, error="bad_body")
            ok = None if expected is None else post == expected
            return ReadBack(reference, 1, post=post, stored_hash=post.meta.hash, content_ok=ok)
        try:
            stored = get_path(json_body(response), read.hash_path or "")
        except KeyError:
            return ReadBack(reference, 1, error="bad_body")
        stored_hash = stored if isinstance(stored, str) else None
        ok = None if expected is None else stored_hash == expected.meta.hash
        return ReadBack(reference, 1, stored_hash=stored_hash, content_ok=ok)

    # --- site -----------------------------------------------------------------------------------

    def release_request(self) -> Request:
        path = self.spec.release_path or self.spec.health_path
        return self._request("GET", path, f"GET {path}")

    def release(self, response: Response) -> str:
        """The release at ``release_field``; ``unknown`` when the definition names no
        ``release_path``."""
        if self.spec.release_path is None:
            return "unknown"
        body = json_body(response)
        try:
            value = get_path(body, self.spec.release_field)
        except KeyError:
            value = None
        if response.status != 200 or not isinstance(value, str | int | float):
            raise TargetError(
                f"GET {self.spec.release_path} answered {error_kind(response, body)}; expected 200 "
                f"with a release at {self.spec.release_field!r}"
            )
        return str(value)

    def health_request(self) -> Request:
        return self._request("GET", self.spec.health_path, f"GET {self.spec.health_path}")
