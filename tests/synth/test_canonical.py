"""canonical_json, post_hash, post_from_json and the synthesize_json fast path."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from pydantic import BaseModel
from synth_seeded import SEEDS, posts

from synth import (
    SIZES,
    Post,
    SynthError,
    canonical_hash,
    canonical_json,
    post_from_json,
    post_hash,
    synthesize,
    synthesize_json,
)


def test_every_post_validates_and_equals_the_original_over_10000_seeds() -> None:
    for post in posts():
        data = canonical_json(post)
        again = Post.model_validate_json(data)
        assert again == post
        assert canonical_json(again) == data


def test_canonical_json_equals_pydantics_own_compact_dump() -> None:
    for post in posts()[:3000]:
        assert canonical_json(post) == post.model_dump_json().encode()
    for size in SIZES:
        post = synthesize(11, size=size)
        assert canonical_json(post) == post.model_dump_json().encode()


def test_synthesize_json_is_canonical_json_of_synthesize() -> None:
    for seed, post in zip(SEEDS, posts(), strict=True):
        assert synthesize_json(seed) == canonical_json(post)
    for size in SIZES:
        for seed in (0, 679, 2**63 - 1):
            assert synthesize_json(seed, size=size) == canonical_json(synthesize(seed, size=size))


def _key_order_matches(value: object, model: type[BaseModel]) -> None:
    assert isinstance(value, dict)
    assert list(value) == list(model.model_fields)


def test_keys_follow_model_field_order_and_output_is_compact() -> None:
    data = canonical_json(synthesize(679))
    doc = orjson.loads(data)
    from synth.model import Meta, Payload, Section

    _key_order_matches(doc, Post)
    _key_order_matches(doc["meta"], Meta)
    _key_order_matches(doc["meta"]["payload"], Payload)
    _key_order_matches(doc["sections"][0], Section)
    assert b'": ' not in data.replace(b'\\"', b"")[:200]
    assert not data.endswith(b"\n")


def test_non_ascii_is_written_as_utf8_not_escaped() -> None:
    post = synthesize(3).model_copy(update={"intro": "café — naïve ünïcode ✓."})
    data = canonical_json(post)
    assert "café — naïve ünïcode ✓.".encode() in data
    assert b"\\u" not in data
    assert post_from_json(data) == post


def test_post_hash_matches_the_documented_recipe() -> None:
    for post in posts()[:500]:
        doc = orjson.loads(canonical_json(post))
        doc["meta"]["hash"] = ""
        digest = hashlib.sha256(orjson.dumps(doc)).hexdigest()[:24]
        assert post_hash(post) == digest == post.meta.hash


def test_post_hash_changes_with_content_and_ignores_the_old_hash() -> None:
    post = synthesize(8)
    edited = post.model_copy(update={"title": post.title + " again"})
    assert post_hash(edited) != post_hash(post)
    rehashed = post.model_copy(update={"meta": post.meta.model_copy(update={"hash": "x"})})
    assert post_hash(rehashed) == post_hash(post)


def test_post_from_json_accepts_bytes_and_str() -> None:
    data = canonical_json(synthesize(21))
    assert post_from_json(data) == post_from_json(data.decode()) == synthesize(21)


def _without(path: list[str]) -> bytes:
    doc = orjson.loads(canonical_json(synthesize(21)))
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    del holder[path[-1]]
    return orjson.dumps(doc)


def _with(path: list[str], value: object) -> bytes:
    doc = orjson.loads(canonical_json(synthesize(21)))
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    return orjson.dumps(doc)


BAD_DOCUMENTS = [
    ("not json", b"{not json", "Invalid JSON"),
    ("empty", b"", "Invalid JSON"),
    ("array", b"[]", "(document)"),
    ("missing title", _without(["title"]), "title: Field required"),
    ("missing hash", _without(["meta", "hash"]), "meta.hash: Field required"),
    ("string seed", _with(["meta", "payload", "seed"], "21"), "meta.payload.seed"),
    ("float reading time", _with(["meta", "reading_time"], 2.5), "meta.reading_time"),
    ("extra key", _with(["meta", "colour"], "red"), "meta.colour: Extra inputs"),
    ("bad block kind", _with(["lead"], [{"kind": "video"}]), "lead.0"),
]


@pytest.mark.parametrize(
    ("name", "data", "needle"), BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS]
)
def test_post_from_json_names_what_failed(name, data, needle) -> None:
    with pytest.raises(SynthError) as caught:
        post_from_json(data)
    message = str(caught.value)
    assert message.startswith("not a valid anp post")
    assert needle in message
    assert "will fail again" in message


def test_post_from_json_refuses_other_types() -> None:
    with pytest.raises(SynthError, match="expects JSON as bytes or str, got a dict"):
        post_from_json({"title": "x"})  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 5, 679, 123_456, 2**63 - 1])
def test_canonical_hash_of_the_bytes_equals_post_hash(seed: int) -> None:
    post = synthesize(seed)
    body = canonical_json(post)
    assert canonical_hash(body) == post_hash(post) == post.meta.hash
    tampered = body.replace(post.title.encode(), post.title.upper().encode(), 1)
    assert tampered != body and canonical_hash(tampered) != post.meta.hash
    assert canonical_hash(b'{"title":"no hash key"}') == ""
