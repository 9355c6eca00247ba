"""The site's error body and the exception that carries it.

Every error answer has the same shape::

    {"error": {"code": "...", "field": "meta.hash" | null, "message": "...",
               "expected": "...", "retry_safe": bool}}

``field`` is the pydantic location of the failing value joined with dots (``meta.score.depth``,
``sections.0.heading``; batch items are prefixed with their index in the array).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import ValidationError


class ApiError(Exception):
    """An answer other than success; raised anywhere below a route, rendered by the app."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        expected: str = "",
        retry_safe: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.expected = expected
        self.retry_safe = retry_safe
        self.headers = headers
        self.reference: str | None = None
        """The post's reference when it was known (for the access log)."""

    def detail(self) -> dict[str, Any]:
        """The inner object of the error body."""
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
            "retry_safe": self.retry_safe,
        }

    def body(self) -> bytes:
        """The whole error body as JSON bytes."""
        return orjson.dumps({"error": self.detail()})


def loc_to_field(loc: Sequence[int | str], prefix: str = "") -> str | None:
    """Join a pydantic location with dots; discriminator tags (``paragraph``) are dropped."""
    parts = [str(p) for p in loc]
    field = ".".join(([prefix] if prefix else []) + parts)
    return field or None


# What a pydantic error type means, in words for the ``expected`` member.
_EXPECTED = {
    "missing": "the field to be present",
    "extra_forbidden": "no such field (unknown keys are refused)",
    "string_type": "a JSON string",
    "int_type": "a JSON integer",
    "bool_type": "a JSON boolean (true or false)",
    "list_type": "a JSON array",
    "model_type": "a JSON object",
    "dict_type": "a JSON object",
    "literal_error": "one of the allowed literal values",
    "union_tag_invalid": "a block kind among paragraph, code, list, figure",
    "union_tag_not_found": "a block object with a 'kind' member",
    "model_attributes_type": "a JSON object",
}


def from_validation_error(exc: ValidationError, prefix: str = "") -> ApiError:
    """A 422 naming the first failing field and what was expected there."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0] if errors else {"loc": (), "type": "value_error", "msg": "invalid post"}
    loc = tuple(first.get("loc", ()))
    loc = _strip_tags(loc)
    kind = str(first.get("type", "value_error"))
    expected = _EXPECTED.get(kind, str(first.get("msg", "a valid value")))
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    field = loc_to_field(loc, prefix)
    return ApiError(
        422,
        "invalid_post",
        f"{field or 'body'}: {first.get('msg', 'invalid')}{more}",
        field=field,
        expected=expected,
        retry_safe=False,
    )


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # A discriminated union adds the tag value as a location part (``lead.0.paragraph.text``);
    # the field path users know is ``lead.0.text``.
    tags = {"paragraph", "code", "list", "figure"}
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in tags and i > 0 and isinstance(loc[i - 1], int):
            continue
        out.append(part)
    return tuple(out)


def not_json(message: str, *, field: str | None = None) -> ApiError:
    """400: the body is not JSON or not UTF-8."""
    return ApiError(
        400,
        "bad_json",
        message,
        field=field,
        expected="a UTF-8 JSON document (synth canonical JSON of a post)",
        retry_safe=False,
    )
