"""Validation at the boundary: every bad input gets a specific 4xx, never a 5xx, and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import synth

pytestmark = pytest.mark.integration

ERROR_KEYS = {"code", "field", "message", "expected", "retry_safe"}


@pytest.fixture(scope="module")
def shared_site(module_site):
    return module_site.url, module_site.db_path


def post(url: str, body: bytes, content_type: str | None = "application/json"):
    import httpx

    headers = {} if content_type is None else {"content-type": content_type}
    return httpx.post(url + "/import/posts", content=body, headers=headers, timeout=30.0)


def assert_error(r, status: int, code: str | None = None, field: str | None = None):
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["message"] and error["expected"]
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert error["field"] == field
    return error


def test_synth_offers_invalid_kinds() -> None:
    assert len(synth.INVALID_KINDS) >= 8


@pytest.mark.parametrize("kind", synth.INVALID_KINDS)
@pytest.mark.parametrize("seed", [3, 8])
def test_every_invalid_variant_gets_its_documented_status(
    shared_site, kind: str, seed: int
) -> None:
    url, _ = shared_site
    bad = synth.synthesize_invalid(seed, kind)
    if kind == "changed_content":
        assert post(url, synth.canonical_json(synth.synthesize(seed))).status_code in (200, 201)
    r = post(url, bad.body, bad.content_type)
    assert r.status_code in bad.expected_status, f"{kind}: {r.status_code} {r.text[:300]}"
    assert set(r.json()["error"]) == ERROR_KEYS
    import httpx

    assert httpx.get(f"{url}/health", timeout=30.0).status_code == 200  # still serving
    if kind != "changed_content":
        got = httpx.get(f"{url}/posts/{bad.reference}", timeout=30.0)
        assert got.status_code == 404, f"{kind}: the broken post was stored"


def test_hash_mismatch_names_the_field_and_the_expected_hash(shared_site) -> None:
    url, _ = shared_site
    p = synth.synthesize(41)
    tampered = p.model_copy(update={"intro": p.intro + "!"})
    error = assert_error(
        post(url, synth.canonical_json(tampered)), 422, "hash_mismatch", "meta.hash"
    )
    assert synth.post_hash(tampered) in error["expected"]
    assert error["retry_safe"] is False


def retitled(seed: int, title: str) -> bytes:
    p = synth.synthesize(seed).model_copy(update={"title": title})
    p = p.model_copy(update={"meta": p.meta.model_copy(update={"hash": synth.post_hash(p)})})
    return synth.canonical_json(p)


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("", "empty_title"),
        ("   ", "empty_title"),
        ("tabs\tin title", "control_characters"),
        ("bell \x07", "control_characters"),
        ("escape \x1b[31m red", "control_characters"),
        ("right-to-left \u202e override", "control_characters"),
        ("a <b>bold</b> title", "markup"),
        ("x > y", "markup"),
        ("title; drop", "sql_like"),
        ("it -- comment", "sql_like"),
        ("x' OR '1'='1", "sql_like"),
        ('name" or 1', "sql_like"),
        ("a /* hidden */ title", "sql_like"),
        ("1 union select password", "sql_like"),
        ("x" * 301, "invalid_post"),
    ],
)
def test_bad_titles_are_refused_with_422(shared_site, title: str, code: str) -> None:
    url, _ = shared_site
    assert_error(post(url, retitled(42, title)), 422, code, "title")


@pytest.mark.parametrize(
    ("seed", "title"),
    [
        (431, "don't panic: tuning wal mode"),
        (432, "o'reilly's cache rules"),
        (433, "café & crème 100%"),
    ],
)
def test_ordinary_titles_pass(shared_site, seed: int, title: str) -> None:
    url, _ = shared_site
    assert post(url, retitled(seed, title)).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"", 400, "bad_json", None),
        (b"{", 400, "bad_json", None),
        (b"\xff\xfe{}", 400, "bad_json", None),
        (b"[]", 422, "invalid_post", None),
        (b'{"title": 5}', 422, "invalid_post", "breadcrumb"),
    ],
)
def test_malformed_bodies(
    shared_site, body: bytes, status: int, code: str, field: str | None
) -> None:
    url, _ = shared_site
    assert_error(post(url, body), status, code, field)


def test_wrong_type_names_the_dotted_field(shared_site) -> None:
    url, _ = shared_site
    data = synth.canonical_json(synth.synthesize(44)).replace(
        b'"has_images":true', b'"has_images":"yes"'
    )
    data = data.replace(b'"has_images":false', b'"has_images":"yes"')
    error = assert_error(post(url, data), 422, "invalid_post", "meta.flags.has_images")
    assert "boolean" in error["expected"]


def test_out_of_range_integers_are_422_not_500(shared_site) -> None:
    url, _ = shared_site
    data = synth.canonical_json(synth.synthesize(45))
    huge = data.replace(b'"view_count":', b'"view_count":99999999999999999999999', 1)
    assert post(url, huge).status_code == 422
    seed = data.replace(b'"seed":45', b'"seed":-1', 1)
    assert_error(post(url, seed), 422, field="meta.payload.seed")


def test_bad_reference_is_422(shared_site) -> None:
    url, _ = shared_site
    p = synth.synthesize(46)
    p = p.model_copy(update={"meta": p.meta.model_copy(update={"reference": "../etc/passwd"})})
    p = p.model_copy(update={"meta": p.meta.model_copy(update={"hash": synth.post_hash(p)})})
    assert_error(post(url, synth.canonical_json(p)), 422, field="meta.reference")


def test_oversized_body_is_413_by_content_length_and_by_streaming(shared_site) -> None:
    import httpx

    url, _ = shared_site
    big = b"x" * (1024 * 1024 + 1)
    assert_error(post(url, big), 413, "body_too_large", "body")

    def chunks() -> Iterator[
        bytes
    ]:  # no Content-Length: the site must count the bytes as they stream in
        for _ in range(40):
            yield b"y" * 65536

    r = httpx.post(url + "/import/posts", content=chunks(), timeout=30.0)
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "body_too_large")


def test_content_type_must_be_json_when_given(shared_site) -> None:
    url, _ = shared_site
    data = synth.canonical_json(synth.synthesize(47))
    assert_error(post(url, data, "text/plain"), 415, "unsupported_media_type", "Content-Type")
    assert post(url, data, "application/json; charset=utf-8").status_code == 201
    assert post(url, data, None).status_code == 200


def test_batch_rejects_non_arrays_and_too_many_items(shared_site) -> None:
    import httpx

    url, _ = shared_site
    r = httpx.post(url + "/import/batch", content=b'{"a": 1}', timeout=30.0)
    assert_error(r, 422, "invalid_batch")
    r = httpx.post(
        url + "/import/batch", content=b"[" + b",".join([b"{}"] * 1001) + b"]", timeout=30.0
    )
    assert_error(r, 422, "batch_too_large")
    r = httpx.post(url + "/import/batch", content=b"[1, ", timeout=30.0)
    assert_error(r, 400, "bad_json")


def test_nothing_invalid_was_stored(shared_site) -> None:
    import sqlite3

    _, db = shared_site
    conn = sqlite3.connect(db)
    try:
        titles = [t for (t,) in conn.execute("SELECT title FROM posts")]
    finally:
        conn.close()
    for t in titles:
        assert "<" not in t and ";" not in t and t.isprintable() and t.strip()
