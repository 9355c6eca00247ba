"""A validator for ``synth.Post`` that returns plain dicts: the model's own rules, no model objects.

``Post.model_validate_json`` builds one pydantic model object per nested model (about 60 for a
typical post), and the site then unfolds them again into dicts to write the canonical JSON. This
module derives, from ``Post``'s own pydantic-core schema, the same schema with every ``model``
node replaced by a ``typed-dict`` node holding the same fields, the same field validators, the
same strictness and the same ``extra="forbid"``. Validating with it checks exactly what the model
checks, in about a third of the time, and its output is nested dicts whose keys are in model field
order, so ``orjson.dumps`` of it is the canonical JSON (``synth.canonical_json``).

The derivation accepts only the schema node types ``Post`` uses today and raises on anything else,
so that a change to ``synth.model`` (a validator, a computed field, a new kind of type) cannot
silently loosen the site's checks: the import of this module fails instead and the tests say so.

The site uses this validator only to *accept*: when it refuses a document, the site validates the
document again with the model itself so that every error is the model's error, word for word.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import SchemaValidator

from synth import Post

# Node types copied as they are (their children are converted).
_PLAIN_NODES = frozenset({"str", "int", "bool", "list", "literal", "default", "nullable"})
# Keys of a model's config that mean something for validation here.
_KNOWN_MODEL_KEYS = frozenset(
    {"type", "cls", "schema", "config", "ref", "metadata", "custom_init", "root_model"}
)
_KNOWN_FIELDS_KEYS = frozenset({"type", "fields", "model_name", "computed_fields"})


class SchemaNotPlain(TypeError):
    """The model's schema holds something this derivation does not know how to copy exactly."""


def plain_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (a model's pydantic-core schema) with models turned into typed dicts."""
    kind = schema.get("type")
    if kind == "model":
        return _model(schema)
    if kind == "tagged-union":
        out = {k: v for k, v in schema.items() if k != "choices"}
        out["choices"] = {tag: plain_schema(choice) for tag, choice in schema["choices"].items()}
        return out
    if kind in _PLAIN_NODES:
        out = dict(schema)
        for key in ("schema", "items_schema"):
            if key in out:
                out[key] = plain_schema(out[key])
        return out
    raise SchemaNotPlain(f"schema node type {kind!r} is not supported by the plain validator")


def _model(schema: dict[str, Any]) -> dict[str, Any]:
    unknown = set(schema) - _KNOWN_MODEL_KEYS
    if unknown or schema.get("custom_init") or schema.get("root_model"):
        raise SchemaNotPlain(f"model schema has {sorted(unknown) or 'a custom init'}")
    inner = schema["schema"]
    if (
        inner.get("type") != "model-fields"
        or inner.get("computed_fields")
        or set(inner) - _KNOWN_FIELDS_KEYS
    ):
        raise SchemaNotPlain(f"model {schema.get('cls')!r} is not plain fields")
    config = schema.get("config", {})
    if config.get("extra_fields_behavior") != "forbid" or config.get("strict") is not True:
        raise SchemaNotPlain(f"model {schema.get('cls')!r} is not strict with extra='forbid'")
    fields: dict[str, Any] = {}
    for name, field in inner["fields"].items():
        if field.get("type") != "model-field" or field.get("validation_alias"):
            raise SchemaNotPlain(f"field {name!r} of {schema.get('cls')!r} is not a plain field")
        converted = plain_schema(field["schema"])
        fields[name] = {
            "type": "typed-dict-field",
            "schema": converted,
            "required": converted["type"] != "default",
        }
    return {
        "type": "typed-dict",
        "fields": fields,
        "extra_behavior": "forbid",
        "strict": True,
        "total": True,
        # The model's config is what makes its fields strict (it is inherited by the field
        # validators when they are built), so the typed dict carries it too.
        "config": dict(config),
    }


POST_SCHEMA = plain_schema(Post.__pydantic_core_schema__)  # type: ignore[arg-type]
"""``synth.Post``'s schema with typed dicts instead of models."""

PLAIN_POST = SchemaValidator(POST_SCHEMA)
"""Validates one post (JSON bytes or parsed data) into nested dicts in field order."""

PLAIN_POSTS = SchemaValidator({"type": "list", "items_schema": POST_SCHEMA})
"""Validates a JSON array of posts in one call."""
