"""``POST /posts/lookup`` with ``"raw": true``: the adapter's pure judging of raw answers, then the
real reference site (stored texts equal the exact bytes ``GET /posts/{reference}`` serves).

The ``site``/``start_reference`` fixtures (``conftest.py``) are typed ``Any`` here: importing
``conftest`` by name clashes with ``tests/loadtests/conftest.py`` in a run of both folders."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from synth import Post, canonical_json, synthesize, synthesize_json
from targets import ReferenceTarget, Response, Sender, import_posts
from targets.base import TIMEOUT

POST = synthesize(11)
OTHER = synthesize(12)
REF = POST.meta.reference


def _target(**kwargs: Any) -> ReferenceTarget:
    return ReferenceTarget("ref", "http://127.0.0.1:9/", **kwargs)


def _answer(posts: dict[str, object], status: int = 200) -> Response:
    return Response(status, orjson.dumps({"posts": posts}))


class _Expected:
    """``expected_post`` for the adapter, recording which references it was asked for."""

    def __init__(self, *posts: Post) -> None:
        self.posts = {p.meta.reference: p for p in posts}
        self.asked: list[str] = []

    def __call__(self, reference: str) -> Post:
        self.asked.append(reference)
        return self.posts[reference]


def _judge(text: object, expected: Post = POST) -> tuple[Any, ...]:
    ref = expected.meta.reference
    lookup = _Expected(expected)
    (back,) = _target().raw_lookup_read_backs(
        [ref], _answer({ref: text}), {ref: canonical_json(expected)}, lookup
    )
    return back.copies, back.content_ok, back.error, bool(lookup.asked)


# --- pure ---------------------------------------------------------------------------------------


def test_raw_lookup_request_sets_the_flag_and_keeps_the_limit() -> None:
    target = _target(lookup_limit=3)
    request = target.raw_lookup_request(["a", "b"])
    assert (request.method, request.path) == ("POST", "/posts/lookup")
    assert orjson.loads(request.body or b"") == {"references": ["a", "b"], "raw": True}
    with pytest.raises(ValueError, match=r"1\.\.3 references, got 4"):
        target.raw_lookup_request(["a"] * 4)
    with pytest.raises(ValueError, match=r"got 0"):
        target.raw_lookup_request([])


def test_identical_text_is_intact_without_parsing() -> None:
    # copies, content_ok, error, whether the expected Post had to be built
    assert _judge(canonical_json(POST).decode()) == (1, True, None, False)


def test_same_content_spelled_differently_is_intact_after_parsing() -> None:
    spaced = json.dumps(json.loads(canonical_json(POST)), indent=2, ensure_ascii=True)
    assert spaced.encode() != canonical_json(POST)
    assert _judge(spaced) == (1, True, None, True)


def test_other_content_a_wrong_hash_or_a_broken_text_is_corrupted() -> None:
    assert _judge(canonical_json(OTHER).decode()) == (1, False, None, True)
    doc = json.loads(canonical_json(POST))
    doc["meta"]["hash"] = "0" * len(doc["meta"]["hash"])
    assert _judge(orjson.dumps(doc).decode()) == (1, False, None, True)
    doc = json.loads(canonical_json(POST))
    doc["title"] += "!"  # content changed, hash left as it was
    assert _judge(orjson.dumps(doc).decode()) == (1, False, None, True)
    assert _judge("{not json") == (1, None, "bad_body", True)
    assert _judge({"invalid_utf8": True}) == (1, None, "bad_body", False)


def test_text_of_another_size_is_corrupted() -> None:
    small = synthesize(11, size="s")
    ref = small.meta.reference
    answer = _answer({ref: synthesize_json(11, size="l").decode()})
    (back,) = _target().raw_lookup_read_backs(
        [ref], answer, {ref: synthesize_json(11, size="s")}, _Expected(small)
    )
    assert (back.copies, back.content_ok) == (1, False)


def test_null_absent_and_failed_answers() -> None:
    target = _target()
    expected = {REF: canonical_json(POST), "gone": b"x", "unasked": b"y"}
    lookup = _Expected(POST)
    backs = target.raw_lookup_read_backs(
        [REF, "gone", "unasked"],
        _answer({REF: canonical_json(POST).decode(), "gone": None}),
        expected,
        lookup,
    )
    assert [(b.copies, b.content_ok, b.error) for b in backs] == [
        (1, True, None),
        (0, None, None),  # stored nowhere: missing
        (0, None, "missing_item"),  # not answered: unknown
    ]
    for response, kind in (
        (Response(0, error=TIMEOUT), "timeout"),
        (
            Response(503, b'{"error":{"code":"storage_unavailable"}}'),
            "http_503_storage_unavailable",
        ),
        (Response(200, b"[1,2]"), "bad_body"),
        (Response(200, b"{not json"), "bad_body"),
        (Response(200, b""), "bad_body"),
    ):
        backs = target.raw_lookup_read_backs([REF, "gone"], response, expected, lookup)
        assert [(b.copies, b.error) for b in backs] == [(0, kind), (0, kind)]
    assert lookup.asked == []


def test_raw_lookup_refused_only_for_a_422_naming_raw() -> None:
    target = _target()
    old_site = {"error": {"code": "invalid_post", "field": "raw", "message": "extra"}}
    assert target.raw_lookup_refused(Response(422, orjson.dumps(old_site)))
    other = {"error": {"code": "invalid_post", "field": "references.0"}}
    assert not target.raw_lookup_refused(Response(422, orjson.dumps(other)))
    assert not target.raw_lookup_refused(Response(400, orjson.dumps(old_site)))
    assert not target.raw_lookup_refused(Response(422, b"not json"))
    assert not target.raw_lookup_refused(_answer({}))


# --- against the real reference site -----------------------------------------------------------


def _import(site: Any, seeds: range) -> list[Post]:
    posts = [synthesize(s) for s in seeds]
    target = ReferenceTarget("ref", site.url)
    with Sender(site.url) as sender:
        assert all(a.acknowledged for a in import_posts(target, posts, sender=sender))
    return posts


@pytest.mark.integration
def test_raw_texts_are_the_bytes_get_serves(site: Any) -> None:
    posts = _import(site, range(40, 46))
    refs = [p.meta.reference for p in posts]
    absent = synthesize(999).meta.reference
    with site.client() as c:
        r = c.post("/posts/lookup", json={"references": [*refs, absent, refs[0]], "raw": True})
        assert r.status_code == 200, r.text
        got = r.json()["posts"]
        assert list(got) == [*refs, absent]  # asked order, each reference once
        assert got[absent] is None
        for post in posts:
            text = got[post.meta.reference]
            assert isinstance(text, str)
            served = c.get(f"/posts/{post.meta.reference}").content
            assert text.encode() == served == canonical_json(post)
        # without the flag (or with it false) the answer is unchanged: post objects
        for body in ({"references": refs[:2]}, {"references": refs[:2], "raw": False}):
            plain = c.post("/posts/lookup", json=body).json()["posts"]
            assert Post.model_validate(plain[refs[0]]) == posts[0]
        bad = c.post("/posts/lookup", json={"references": refs[:1], "raw": "yes"})
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "raw"


@pytest.mark.integration
def test_non_utf8_stored_bytes_are_marked_not_passed_on(start_reference: Any) -> None:
    site = start_reference()
    posts = _import(site, range(50, 52))
    assert site.db_path is not None
    conn = sqlite3.connect(site.db_path, timeout=30)
    with conn:
        conn.execute(
            "UPDATE posts SET body = ? WHERE reference = ?",
            (b'{"title":"\xff\xfe"}', posts[0].meta.reference),
        )
    conn.close()
    target = ReferenceTarget("ref", site.url)
    refs = [p.meta.reference for p in posts]
    expected = {p.meta.reference: canonical_json(p) for p in posts}
    with Sender(site.url) as sender:
        response = sender.send(target.raw_lookup_request(refs))
    assert response.status == 200
    assert orjson.loads(response.body)["posts"][refs[0]] == {"invalid_utf8": True}
    backs = target.raw_lookup_read_backs(refs, response, expected, _Expected(*posts))
    assert [(b.copies, b.content_ok, b.error) for b in backs] == [
        (1, None, "bad_body"),
        (1, True, None),
    ]


@pytest.mark.integration
def test_openapi_documents_the_raw_flag_and_answer(start_reference: Any) -> None:
    site = start_reference()
    with site.client() as c:
        schema = c.get("/openapi.json").json()
    op = schema["paths"]["/posts/lookup"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["raw"]["type"] == "boolean"
    assert body["properties"]["raw"]["default"] is False
    answers = json.dumps(op["responses"]["200"])
    assert "RawLookupResult" in answers and "LookupResult" in answers
    raw_posts = schema["components"]["schemas"]["RawLookupResult"]["properties"]["posts"]
    kinds = raw_posts["additionalProperties"]["anyOf"]
    assert {"type": "string"} in kinds and {"type": "null"} in kinds


# --- the raw verdict equals the classic one, over many altered stored texts ------------------


def _classic_corrupted(text: bytes, expected: Post) -> bool | None:
    """The classic path's verdict on one stored text: through the lookup when the text is JSON,
    else through the single-post read it falls back to. None: not landed."""
    from loadtests.verify import is_corrupted

    target = _target()
    ref = expected.meta.reference
    try:
        embedded = json.loads(text)
    except ValueError:
        back = target.read_back(ref, Response(200, text), expected)
    else:
        (back,) = target.lookup_read_backs(
            [ref], Response(200, json.dumps({"posts": {ref: embedded}}).encode()), {ref: expected}
        )
    return None if back.copies == 0 else is_corrupted(expected, back)


def _raw_corrupted(text: bytes, expected: Post) -> bool | None:
    ref = expected.meta.reference
    (back,) = _target().raw_lookup_read_backs(
        [ref],
        _answer({ref: text.decode()}),
        {ref: canonical_json(expected)},
        _Expected(expected),
    )
    if back.copies == 0:
        return None
    return back.error is not None or back.content_ok is not True


def _leaves(doc: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _leaves(v, (*path, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _leaves(v, (*path, i))]
    return [path]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), data=st.data())
def test_raw_and_classic_verdicts_agree(seed: int, data: st.DataObject) -> None:
    post = synthesize(seed)
    doc = json.loads(canonical_json(post))
    how = data.draw(st.sampled_from(["leaf", "respell", "bytes", "same"]))
    if how == "leaf":  # one value changed (the hash left alone, or the hash itself)
        path = data.draw(st.sampled_from(_leaves(doc)))
        holder: Any = doc
        for key in path[:-1]:
            holder = holder[key]
        old = holder[path[-1]]
        holder[path[-1]] = data.draw(
            st.one_of(st.text(max_size=5), st.integers(-3, 3), st.booleans(), st.none())
        )
        text = orjson.dumps(doc)
        if holder[path[-1]] == old and type(holder[path[-1]]) is type(old):
            text = canonical_json(post)
    elif how == "respell":  # the same content, other JSON spelling
        text = json.dumps(doc, indent=data.draw(st.sampled_from([None, 0, 2]))).encode()
    elif how == "bytes":  # a slice of the text replaced
        raw = canonical_json(post).decode()
        start = data.draw(st.integers(0, len(raw) - 1))
        end = data.draw(st.integers(start, min(len(raw), start + 8)))
        text = (raw[:start] + data.draw(st.text(max_size=4)) + raw[end:]).encode()
    else:
        text = canonical_json(post)
    verdict = _raw_corrupted(text, post)
    event(f"{how}: corrupted={verdict}")
    assert verdict == _classic_corrupted(text, post)
