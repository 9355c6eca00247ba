"""The reference site's endpoints against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import orjson
import pytest

import synth

pytestmark = pytest.mark.integration


def body(seed: int) -> bytes:
    return synth.canonical_json(synth.synthesize(seed))


def test_health_version_and_openapi(start_reference) -> None:
    site = start_reference("--release", "2.7.1")
    with site.client() as c:
        assert c.get("/health").json() == {"ok": True}
        assert c.get("/version").json() == {"name": "anp-reference", "release": "2.7.1"}
        schema = c.get("/openapi.json").json()
    expected = {
        ("get", "/health"),
        ("get", "/version"),
        ("post", "/import/posts"),
        ("post", "/import/batch"),
        ("get", "/posts/{reference}"),
        ("post", "/posts/lookup"),
        ("get", "/posts"),
        ("get", "/posts/count"),
        ("get", "/stats"),
    }
    found = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert found == expected
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path} has no summary"
            assert op.get("responses"), f"{method} {path} documents no responses"
    assert "409" in schema["paths"]["/import/posts"]["post"]["responses"]
    assert "reject" in schema["info"]["description"]
    assert schema["paths"]["/import/posts"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Post"}


def test_import_read_back_list_count_lookup(site) -> None:
    seeds = [11, 12, 13, 14, 15]
    posts = {s: synth.synthesize(s) for s in seeds}
    with site.client() as c:
        for s in seeds:
            r = c.post("/import/posts", content=synth.canonical_json(posts[s]))
            assert r.status_code == 201, r.text
            assert r.json() == {
                "status": "created",
                "reference": posts[s].meta.reference,
                "hash": posts[s].meta.hash,
            }
        one = posts[12]
        r = c.get(f"/posts/{one.meta.reference}")
        assert r.status_code == 200
        assert r.content == synth.canonical_json(one)
        assert r.headers["x-anp-hash"] == one.meta.hash
        assert c.get("/posts/count").json() == {"count": 5}

        refs = sorted(p.meta.reference for p in posts.values())
        page1 = c.get("/posts", params={"limit": 3}).json()
        assert [i["reference"] for i in page1["items"]] == refs[:3]
        assert page1["next"] == refs[2]
        page2 = c.get("/posts", params={"limit": 3, "after": page1["next"]}).json()
        assert [i["reference"] for i in page2["items"]] == refs[3:]
        assert page2["next"] is None
        assert {
            (i["reference"], i["hash"], i["seed"]) for i in page1["items"] + page2["items"]
        } == {(p.meta.reference, p.meta.hash, s) for s, p in posts.items()}

        r = c.post(
            "/posts/lookup", json={"references": [posts[11].meta.reference, "anp-ref-999999-0000"]}
        )
        assert r.status_code == 200
        got = r.json()["posts"]
        assert got["anp-ref-999999-0000"] is None
        assert synth.Post.model_validate(got[posts[11].meta.reference]) == posts[11]


def test_missing_post_and_unknown_route_use_the_error_body(start_reference) -> None:
    site = start_reference()
    with site.client() as c:
        r = c.get("/posts/anp-ref-000001-0000")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["field"] == "reference"
        r = c.get("/no/such/route")
        assert r.status_code == 404
        assert set(r.json()["error"]) == {"code", "field", "message", "expected", "retry_safe"}
        r = c.get("/posts", params={"limit": 0})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "limit"


def test_batch_gives_one_result_per_item(site) -> None:
    a, b = synth.synthesize(21), synth.synthesize(22)
    changed = a.model_copy(update={"intro": a.intro + " changed"})
    changed = changed.model_copy(
        update={"meta": changed.meta.model_copy(update={"hash": synth.post_hash(changed)})}
    )
    items = [
        synth.canonical_json(a),
        synth.canonical_json(b),
        synth.canonical_json(a),
        synth.canonical_json(changed),
        b'{"title": 5}',
    ]
    with site.client() as c:
        r = c.post("/import/batch", content=b"[" + b",".join(items) + b"]")
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x["status"] for x in results] == [201, 201, 200, 409, 422]
        assert [x["index"] for x in results] == [0, 1, 2, 3, 4]
        assert results[3]["error"]["code"] == "conflict"
        assert results[4]["reference"] is None
        assert results[4]["error"]["field"] == "4.breadcrumb"
        assert c.get(f"/posts/{a.meta.reference}").content == synth.canonical_json(a)
    assert site.count_rows() == 2


def test_stats_count_every_request_by_route_template_and_status(start_reference) -> None:
    site = start_reference()
    with site.client() as c:
        assert c.post("/import/posts", content=body(31)).status_code == 201
        assert c.post("/import/posts", content=body(31)).status_code == 200
        assert c.post("/import/posts", content=b"nope").status_code == 400
        for seed in (31, 32):
            c.get(f"/posts/{synth.synthesize(seed).meta.reference}")
        c.get("/missing")
        stats = c.get("/stats").json()
    assert stats["requests"] == {
        "POST /import/posts": {"total": 3, "by_status": {"200": 1, "201": 1, "400": 1}},
        "GET /posts/{reference}": {"total": 2, "by_status": {"200": 1, "404": 1}},
        "GET <unmatched>": {"total": 1, "by_status": {"404": 1}},
    }
    assert stats["posts"] == 1
    assert stats["posts_unchanged"] == 1
    assert stats["injected_failures"] == 0
    code = site.stop()
    assert code == 0
    last = orjson.loads(site.log_file.read_bytes().splitlines()[-1])
    assert last["event"] == "shutdown"
    assert last["stats"]["requests"]["GET /stats"] == {"total": 1, "by_status": {"200": 1}}
