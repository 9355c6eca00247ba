"""Adapter for WordPress's REST API, authenticated with an Application Password (HTTP Basic).

- Create: ``POST /wp-json/wp/v2/posts`` with title, content (an HTML fragment of the body, see
  ``wp_content``), excerpt (the summary), status ``publish``, a slug derived from the anp
  reference, the revision date and the meta ``anp_reference``, ``anp_hash``, ``anp_seed`` and
  ``anp_generator_version`` (registered by the must-use plugin ``targets/wordpress/anp-loadtest.php``;
  without it WordPress silently drops them).
- Batch: ``POST /wp-json/batch/v1``, at most 25 requests; 207 carries one status per item.
- Read back: the plugin's ``GET /wp-json/anp/v1/posts/{reference}`` (raw fields, as with
  ``context=edit``) lists *every* post carrying the reference, because WordPress renames a
  duplicate slug to ``-2`` without an error; ``POST /wp-json/anp/v1/lookup`` does 100 at once.
- Release: the WordPress version from the plugin's ``GET /wp-json/anp/v1/info``.

Quirks measured on Debian's WordPress 6.1.9 (see tests/targets/test_wordpress.py):
- a meta value of the wrong type gets ``400 rest_invalid_type`` but the post *is* created (with the
  meta keys before the bad one): such an Ack has ``may_have_written=True``;
- a duplicate slug is silently renamed ``<slug>-2``; the read-back counts copies;
- the post date is the revision's ``last reviewed`` day; on a server whose clock is before that
  day WordPress turns ``publish`` into ``future`` (scheduled). The read-back counts posts of every
  status but trash, so verification does not depend on the clock;
- a missing title still gives 201; leading/trailing spaces of a title are trimmed;
- a body that is not JSON gets ``400 rest_invalid_json``; an empty title+content+excerpt gets
  ``400 empty_content``.

synth's invalid variants (``invalid_request``) against that WordPress, as measured: it rejects
only the three in ``WORDPRESS_REJECTS``. It stores the other ten with 201: empty title, control
characters, markup and SQL-like text in the title (an administrator has ``unfiltered_html``, so
markup is stored as sent), an unknown key, a missing or wrong hash, a wrong type (``sections``
as an object becomes an ignored ``content`` object), a 2 MiB body, and changed content under
an existing reference (stored as a second copy, slug ``-2``). The harness reports that as it is:
an ``invalid`` scenario counts each such 201 as ``unexpected_acceptance`` (nothing here hides it).
A body that is not a JSON document (``not_json``, ``invalid_unicode``) is sent byte for byte.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from synth import InvalidPost, Post
from targets.adapters.common import (
    JSON_HEADERS,
    dumps,
    error_code,
    error_kind,
    json_body,
    lookup_body,
    lookup_found,
    quote_reference,
    transport_maybe_written,
)
from targets.adapters.wp_content import content_html, post_fields, slug_for
from targets.base import Ack, ReadBack, Request, Response, TargetError
from targets.transport import Timeouts

SITE_MAX_BATCH = 25
"""WordPress refuses a batch of more than 25 requests with 400."""
SITE_MAX_LOOKUP = 100
"""The plugin's lookup route takes at most 100 references."""
CREATE_ROUTE = "/wp/v2/posts"
"""The REST route that creates a post (a batch item's ``path``)."""
POSTS_PATH = "/wp-json" + CREATE_ROUTE
BATCH_PATH = "/wp-json/batch/v1"
WORDPRESS_REJECTS = {
    "invalid_unicode": (400, "rest_invalid_json"),
    "not_json": (400, "rest_invalid_json"),
    "wrong_content_type": (400, "empty_content"),
}
"""synth invalid kinds WordPress 6.1 refuses (status, code); every other kind gets 201."""
META_ERROR_CODES = frozenset(
    {"rest_invalid_type", "rest_invalid_param", "rest_meta_database_error"}
)


def _meta_error(body: Any) -> bool:
    """Whether a 400 body blames a meta value: WordPress has created the post by then."""
    if not isinstance(body, dict) or error_code(body) not in META_ERROR_CODES:
        return False
    text = json.dumps([body.get("message"), body.get("data"), body.get("additional_data")])
    return "meta" in text


class WordPressTarget:
    """A WordPress site with the anp-loadtest must-use plugin."""

    kind = "wordpress"

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        user: str,
        app_password: str,
        batch_limit: int = SITE_MAX_BATCH,
        lookup_limit: int = SITE_MAX_LOOKUP,
        timeouts: Timeouts | None = None,
    ) -> None:
        if not 1 <= batch_limit <= SITE_MAX_BATCH:
            raise TargetError(
                f"WordPress batch_limit must be 1..{SITE_MAX_BATCH}, got {batch_limit}",
                exit_code=2,
            )
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.batch_limit = batch_limit
        self.lookup_limit = min(lookup_limit, SITE_MAX_LOOKUP)
        self.timeouts = timeouts or Timeouts()
        token = base64.b64encode(f"{user}:{app_password}".encode()).decode("ascii")
        self._headers: Mapping[str, str] = {**JSON_HEADERS, "Authorization": f"Basic {token}"}

    def __repr__(self) -> str:
        return f"WordPressTarget(name={self.name!r}, base_url={self.base_url!r})"

    # --- import ---------------------------------------------------------------------------------

    def import_request(self, post: Post) -> Request:
        return self._create_request(post_fields(post))

    def _create_request(
        self,
        fields: Mapping[str, Any] | bytes,
        name: str = "POST /wp/v2/posts",
        content_type: str | None = None,
    ) -> Request:
        """``POST /wp/v2/posts`` carrying ``fields`` as JSON (or bytes sent as they are): the one
        place ``import_request`` and ``invalid_request`` build it."""
        body = fields if isinstance(fields, bytes) else dumps(fields)
        headers = self._headers
        if content_type is not None:
            headers = {**headers, "Content-Type": content_type}
        return Request("POST", POSTS_PATH, name, headers, body)

    def import_ack(self, post: Post, response: Response) -> Ack:
        return self._ack(post.meta.reference, response.status, response, json_body(response))

    def _ack(self, reference: str, status: int, response: Response, body: Any) -> Ack:
        if status == 201:
            return Ack(reference, True, status)
        if status == 0:
            return Ack(reference, False, 0, error_kind(response), transport_maybe_written(response))
        kind = error_kind(Response(status=status), body)
        maybe = (status == 400 and _meta_error(body)) or status >= 500
        return Ack(reference, False, status, kind, may_have_written=maybe)

    def batch_request(self, posts: Sequence[Post]) -> Request:
        if not posts or len(posts) > self.batch_limit:
            raise ValueError(
                f"a WordPress batch holds 1..{self.batch_limit} posts, got {len(posts)}"
            )
        requests = [{"method": "POST", "path": CREATE_ROUTE, "body": post_fields(p)} for p in posts]
        return Request(
            "POST", BATCH_PATH, "POST /batch/v1", self._headers, dumps({"requests": requests})
        )

    def batch_acks(self, posts: Sequence[Post], response: Response) -> list[Ack]:
        body = json_body(response)
        items = body.get("responses") if isinstance(body, dict) else None
        if response.status not in (200, 207) or not isinstance(items, list):
            if response.status in (200, 207):
                kind, maybe = "bad_body", True
            else:
                kind = error_kind(response, body)
                maybe = transport_maybe_written(response)
            return [Ack(p.meta.reference, False, response.status, kind, maybe) for p in posts]
        acks = []
        for index, post in enumerate(posts):
            reference = post.meta.reference
            item = items[index] if index < len(items) else None
            if not isinstance(item, dict) or not isinstance(item.get("status"), int):
                acks.append(Ack(reference, False, response.status, "missing_item", True))
                continue
            acks.append(self._ack(reference, item["status"], response, item.get("body")))
        return acks

    def invalid_request(self, invalid: InvalidPost) -> Request:
        """An invalid variant as WordPress would receive it: a JSON document is mapped field by
        field as ``post_fields`` does (keeping wrong types and bad values); a body that is not a
        JSON object is sent as it is. The variant's Content-Type is kept either way."""
        document = invalid.document  # None for a body that is not a JSON document
        body = document_fields(document) if isinstance(document, dict) else invalid.body
        return self._create_request(body, "POST /wp/v2/posts [invalid]", invalid.content_type)

    # --- read back ------------------------------------------------------------------------------

    def read_request(self, reference: str) -> Request:
        path = f"/wp-json/anp/v1/posts/{quote_reference(reference)}"
        return Request("GET", path, "GET /anp/v1/posts/{reference}", self._headers)

    def read_back(
        self, reference: str, response: Response, expected: Post | None = None
    ) -> ReadBack:
        body = json_body(response)
        if response.status == 404 and error_code(body) == "anp_not_found":
            return ReadBack(reference, 0)
        if response.status != 200:  # a 404 rest_no_route means the plugin is missing
            return ReadBack(reference, 0, error=error_kind(response, body))
        stored = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(stored, list):
            return ReadBack(reference, 0, error="bad_body")
        return judge(reference, stored, expected)

    def lookup_request(self, references: Sequence[str]) -> Request:
        body = lookup_body(references, self.lookup_limit)
        return Request("POST", "/wp-json/anp/v1/lookup", "POST /anp/v1/lookup", self._headers, body)

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
            stored = found.get(reference)
            if not isinstance(stored, list):
                out.append(ReadBack(reference, 0, error="missing_item"))
            else:
                out.append(judge(reference, stored, expected.get(reference) if expected else None))
        return out

    def purge_request(self, references: Sequence[str]) -> Request:
        """Delete every post carrying these references (at most 100; tests and resets)."""
        if not references or len(references) > SITE_MAX_LOOKUP:
            raise ValueError(
                f"a purge holds 1..{SITE_MAX_LOOKUP} references, got {len(references)}"
            )
        body = dumps({"references": list(references)})
        return Request("POST", "/wp-json/anp/v1/purge", "POST /anp/v1/purge", self._headers, body)

    # --- site -----------------------------------------------------------------------------------

    def release_request(self) -> Request:
        return Request("GET", "/wp-json/anp/v1/info", "GET /anp/v1/info", self._headers)

    def release(self, response: Response) -> str:
        body = json_body(response)
        if (
            response.status == 200
            and isinstance(body, dict)
            and isinstance(body.get("wordpress"), str)
        ):
            return str(body["wordpress"])
        raise TargetError(
            f"GET /wp-json/anp/v1/info answered {error_kind(response, body)}; expected 200 with "
            "the WordPress version (is the anp-loadtest must-use plugin installed?)"
        )

    def health_request(self) -> Request:
        """The plugin's info route: it answers 200 only when WordPress is up, the Application
        Password works and the must-use plugin (without which the anp meta would be dropped
        silently) is installed."""
        return Request("GET", "/wp-json/anp/v1/info", "GET /anp/v1/info", self._headers)


def judge(reference: str, stored: Sequence[Any], expected: Post | None) -> ReadBack:
    """A ReadBack from the plugin's list of stored posts (oldest first). The first copy is the one
    compared: title, stored anp hash and content must equal what ``post_fields`` sends. (When a
    refused-but-written attempt left an incomplete first copy, that copy is what is judged.)"""
    posts = [p for p in stored if isinstance(p, dict)]
    if not posts:
        return ReadBack(reference, 0)
    first = posts[0]
    stored_hash = first.get("anp_hash") if isinstance(first.get("anp_hash"), str) else None
    content_ok = None
    if expected is not None:
        content_ok = (
            first.get("title") == expected.title
            and stored_hash == expected.meta.hash
            and first.get("content") == content_html(expected)
        )
    return ReadBack(reference, len(posts), stored_hash=stored_hash or None, content_ok=content_ok)


def document_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """WordPress fields for a post document that may be invalid: a valid Post maps exactly as
    ``post_fields``; otherwise each field is taken as it is, wrong types included."""
    try:
        return post_fields(Post.model_validate(dict(document)))
    except ValidationError:
        pass
    fields: dict[str, Any] = {}
    if "title" in document:
        fields["title"] = document["title"]
    sections = document.get("sections")
    if "sections" in document and not isinstance(sections, list):
        fields["content"] = sections  # the wrong type travels on, for WordPress to judge
    else:
        texts = [document.get("intro"), document.get("final_notes")]
        fields["content"] = "\n".join(f"<p>{t}</p>" for t in texts if isinstance(t, str))
    meta = document.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    if "summary" in meta:
        fields["excerpt"] = meta["summary"]
    fields["status"] = "publish"
    reference = meta.get("reference")
    if isinstance(reference, str) and reference:
        fields["slug"] = slug_for(reference)
    payload = meta.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    wp_meta = {
        "anp_reference": reference,
        "anp_hash": meta.get("hash"),
        "anp_seed": payload.get("seed"),
        "anp_generator_version": payload.get("generator_version"),
    }
    fields["meta"] = {k: v for k, v in wp_meta.items() if v is not None}
    return fields
