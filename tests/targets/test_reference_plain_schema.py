"""The plain-dict validator accepts exactly what ``synth.Post`` accepts, and dumps canonically."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

import synth
from synth import Post
from targets.reference.plain_schema import (
    PLAIN_POST,
    PLAIN_POSTS,
    SchemaNotPlain,
    plain_schema,
)

# Values of every JSON type (and an int too large for 64 bits, a float, an empty string).
REPLACEMENTS: list[Any] = [None, True, False, 0, -1, 2**70, 1.5, "", "x", [], ["x"], {}, {"a": 1}]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


def _mutations(doc: dict[str, Any]) -> Iterator[Any]:
    """Every leaf and container swapped for every JSON type; keys dropped and added."""
    for path in _paths(doc):
        for value in REPLACEMENTS:
            yield _set(doc, path, value)
        parent = doc
        for part in path:
            parent = parent[part]
        if isinstance(parent, dict):
            yield _set(doc, path, {**parent, "unexpected": 1})
            for key in parent:
                yield _set(doc, path, {k: v for k, v in parent.items() if k != key})
        if isinstance(parent, list):
            yield _set(doc, path, [*parent, *parent[:1]])


def _accepts_model(data: Any, *, json: bool) -> bool:
    try:
        Post.model_validate_json(orjson.dumps(data)) if json else Post.model_validate(data)
    except ValidationError:
        return False
    return True


def _accepts_plain(data: Any, *, json: bool) -> bool:
    try:
        PLAIN_POST.validate_json(orjson.dumps(data)) if json else PLAIN_POST.validate_python(data)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("seed", [3, 679])
def test_plain_validator_accepts_exactly_what_the_model_accepts(seed: int) -> None:
    doc = orjson.loads(synth.canonical_json(synth.synthesize(seed)))
    checked = 0
    for mutated in _mutations(doc):
        try:
            orjson.dumps(mutated)
        except TypeError:  # an int over 64 bits: only the python-mode comparison applies
            modes = [False]
        else:
            modes = [True, False]
        for json in modes:
            model = _accepts_model(mutated, json=json)
            assert _accepts_plain(mutated, json=json) is model, (json, str(mutated)[:300])
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("size", synth.SIZES)
def test_plain_dicts_dump_to_the_canonical_json(size: str) -> None:
    for seed in range(40):
        canonical = synth.canonical_json(synth.synthesize(seed, size=size))
        assert orjson.dumps(PLAIN_POST.validate_json(canonical)) == canonical


def test_plain_list_validates_an_array_of_posts_in_order() -> None:
    bodies = [synth.canonical_json(synth.synthesize(s)) for s in range(5)]
    posts = PLAIN_POSTS.validate_json(b"[" + b",".join(bodies) + b"]")
    assert [orjson.dumps(p) for p in posts] == bodies


def test_a_missing_optional_field_gets_the_model_default() -> None:
    doc = orjson.loads(synth.canonical_json(synth.synthesize(9)))
    del doc["meta"]["payload"]["generator_version"]
    plain = PLAIN_POST.validate_python(doc)
    assert plain["meta"]["payload"]["generator_version"] is None
    assert orjson.dumps(plain) == synth.canonical_json(Post.model_validate(doc))


def test_schema_features_it_cannot_copy_exactly_are_refused() -> None:
    schema = copy.deepcopy(Post.__pydantic_core_schema__)
    schema["schema"]["computed_fields"] = [{"type": "computed-field"}]  # type: ignore[index,typeddict-unknown-key]
    with pytest.raises(SchemaNotPlain):
        plain_schema(schema)  # type: ignore[arg-type]
    with pytest.raises(SchemaNotPlain):
        plain_schema({"type": "function-after", "schema": {"type": "str"}})
