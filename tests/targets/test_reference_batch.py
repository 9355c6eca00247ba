"""Batch imports: every item checked as a single import is, its own answer, one transaction.

Also: the fast validation path (plain dicts, hash on bytes, title prefilter) gives exactly the
answers of the model path it shortcuts.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from targets.reference.errors import ApiError
from targets.reference.validation import (
    _SQL_LIKE,
    _SQL_NEEDS,
    ValidPost,
    _parse_with_model,
    check_title,
    parse_post,
    validate_batch,
)

# Letters that IGNORECASE matches with ASCII ones (I with dot, dotless i, long s, Kelvin sign).
NON_ASCII = ["\u0130", "\u0131", "\u017f", "\u212a"]


def body(seed: int) -> bytes:
    return synth.canonical_json(synth.synthesize(seed))


def rehashed(doc: dict[str, Any]) -> bytes:
    """``doc`` as canonical JSON with its hash recomputed (valid apart from what was changed)."""
    post = synth.Post.model_validate(doc)
    meta = post.meta.model_copy(update={"hash": synth.post_hash(post)})
    return synth.canonical_json(post.model_copy(update={"meta": meta}))


def batch(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def outcome(fn: Any, *args: Any) -> Any:
    """A ValidPost, or the ApiError's status, detail and reference."""
    try:
        return fn(*args)
    except ApiError as exc:
        return (exc.status, exc.detail(), exc.reference)


# --- the fast path answers as the model path does ------------------------------------------------


def _documents() -> list[bytes]:
    docs = [body(s) for s in (1, 2, 679)]
    docs += [synth.canonical_json(synth.synthesize(4, size=size)) for size in synth.SIZES]
    for seed in (3, 8):
        docs += [synth.synthesize_invalid(seed, kind).body for kind in synth.INVALID_KINDS]
    base = orjson.loads(body(5))
    docs.append(orjson.dumps(base, option=orjson.OPT_INDENT_2))  # not canonical, right hash
    docs.append(orjson.dumps({**base, "title": "x"}))  # stale hash
    docs.append(body(6).replace(b'"seed":', b'"seed":1' + b"0" * 30))  # over 64 bits
    docs.append(body(6).replace(b'"intro":"', b'"intro":"\\ud800'))  # lone surrogate
    docs.append(rehashed({**base, "title": "a -- b"}))
    docs.append(rehashed({**base, "title": f"UN{NON_ASCII[0]}ON SELECT x"}))  # IGNORECASE
    docs.append(rehashed({**base, "meta": {**base["meta"], "reference": "bad ref"}}))
    docs.append(orjson.dumps({**base, "meta": {**base["meta"], "hash": 'a"hash":"b'}}))
    return docs


@pytest.mark.parametrize("index", range(len(_documents())))
def test_parse_post_answers_exactly_as_the_model_path(index: int) -> None:
    raw = _documents()[index]
    assert outcome(parse_post, raw) == outcome(_parse_with_model, raw)


def test_batch_items_answer_as_single_imports_with_the_index_in_the_field() -> None:
    # documents that are JSON objects (a body that is not UTF-8 JSON fails a whole batch: 400)
    docs = [d for d in _documents() if d.lstrip()[:1] == b"{"]
    docs = [d for d in docs if not _is_bad_json(d)]
    for items in (docs, [body(s) for s in range(10, 15)]):
        results = validate_batch(batch(items), 1000)
        assert len(results) == len(items)
        for i, (raw, got) in enumerate(zip(items, results, strict=True)):
            single = outcome(parse_post, raw)
            if isinstance(got, ValidPost):
                assert got == single
            else:
                status, detail, reference = single
                assert (got.status, got.code, got.field) == (
                    status,
                    detail["code"],
                    f"{i}.{detail['field']}" if detail["field"] else str(i),
                )
                assert got.expected and got.retry_safe is False
                # a batch row also names the reference an invalid item claims
                assert got.reference == reference or reference is None


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b"[" + b"1" * 5000 + b"]", b'[{"a": NaN}]', b"[1, "],
)
def test_a_batch_body_that_no_parser_takes_is_a_400(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        validate_batch(raw, 1000)
    assert caught.value.status == 400 and caught.value.code == "bad_json"


def _is_bad_json(raw: bytes) -> bool:
    answer = outcome(parse_post, raw)
    return isinstance(answer, tuple) and answer[0] == 400


def test_a_batch_that_is_not_canonical_json_still_stores_canonical_bytes() -> None:
    items = [orjson.dumps(orjson.loads(body(s)), option=orjson.OPT_INDENT_2) for s in (7, 8)]
    results = validate_batch(batch(items), 1000)
    assert [r.body for r in results if isinstance(r, ValidPost)] == [body(7), body(8)]


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"aAdeilnnoprstuxyz ;-/*'\"`=019\t", *NON_ASCII]), max_size=40
    )
)
def test_the_title_prefilter_never_hides_sql_like_text(title: str) -> None:
    if title.isascii() and _SQL_NEEDS.search(title.lower()) is None:
        assert _SQL_LIKE.search(title) is None
    for word in ("union select", "DROP TABLE", "'or", "1 or 2=2", "insert into", "delete from"):
        with pytest.raises(ApiError):
            check_title(f"x {word} {title}")


# --- over HTTP, on each storage backend ---------------------------------------------------------


@pytest.mark.integration
def test_one_bad_item_gets_its_own_error_and_the_good_ones_land(site) -> None:
    base = orjson.loads(body(301))
    wrong_type = orjson.loads(body(302))
    wrong_type["meta"]["reading_time"] = "7"
    bad = {
        1: orjson.dumps(wrong_type),
        3: rehashed({**base, "title": "1 union select password"}),
        5: orjson.dumps({**base, "intro": base["intro"] + "!"}),  # hash no longer matches
        7: orjson.dumps({**orjson.loads(body(303)), "extra": 1}),
    }
    good = {i: body(310 + i) for i in (0, 2, 4, 6, 8)}
    items = [bad.get(i) or good[i] for i in range(9)]
    with site.client() as c:
        r = c.post("/import/batch", content=batch(items))
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x["status"] for x in results] == [201, 422, 201, 422, 201, 422, 201, 422, 201]
        errors = {x["index"]: x["error"] for x in results if x["status"] == 422}
        assert errors[3]["code"] == "sql_like" and errors[3]["field"] == "3.title"
        assert errors[5]["code"] == "hash_mismatch" and errors[5]["field"] == "5.meta.hash"
        assert synth.post_hash(synth.Post.model_validate_json(items[5])) in errors[5]["expected"]
        assert errors[1]["field"] == "1.meta.reading_time"
        assert errors[7]["field"] == "7.extra"
        assert all(e["retry_safe"] is False and e["expected"] for e in errors.values())
        assert results[5]["reference"] == base["meta"]["reference"]
        for i, data in good.items():
            assert results[i]["error"] is None
            assert c.get(f"/posts/{results[i]['reference']}").content == data
        assert c.get("/stats").json()["posts_invalid"] == 4
    assert site.count_rows() == len(good)


@pytest.mark.integration
def test_a_batch_mixing_new_unchanged_conflicting_and_repeated_items(site) -> None:
    stored = [synth.synthesize(s) for s in (401, 402)]
    changed = orjson.loads(synth.canonical_json(stored[1]))
    changed["final_notes"] += " (edited)"
    with site.client() as c:
        for post in stored:
            assert c.post("/import/posts", content=synth.canonical_json(post)).status_code == 201
        items = [
            synth.canonical_json(stored[0]),  # unchanged
            rehashed(changed),  # conflict with the stored version
            body(403),  # new
            body(403),  # the same new post again in this batch: unchanged
            body(404),  # new
        ]
        other_404 = orjson.loads(body(404))
        other_404["intro"] += " (other)"
        items.append(rehashed(other_404))  # conflicts with item 4 of this very batch
        r = c.post("/import/batch", content=batch(items))
        results = r.json()["results"]
        assert [x["status"] for x in results] == [200, 409, 201, 200, 201, 409]
        assert results[1]["error"]["field"] == "1.meta.reference"
        assert results[5]["error"]["code"] == "conflict"
        assert stored[1].meta.hash in results[1]["error"]["expected"]
        ref = stored[1].meta.reference
        assert c.get(f"/posts/{ref}").content == synth.canonical_json(stored[1])
        assert c.get(f"/posts/{synth.synthesize(404).meta.reference}").content == body(404)
        counts = c.get("/stats").json()
        assert (counts["posts"], counts["posts_unchanged"], counts["posts_conflict"]) == (4, 2, 2)
    assert site.count_rows() == 4


@pytest.mark.integration
def test_concurrent_overlapping_batches_are_counted_once_in_the_database(site) -> None:
    seeds = list(range(5000, 5120))
    bodies = {s: body(s) for s in seeds}

    def run(client_no: int) -> list[int]:
        rng = random.Random(client_no)
        statuses = []
        with httpx.Client(base_url=site.url, timeout=120.0) as c:
            for _ in range(6):
                chosen = rng.sample(seeds, 25)
                r = c.post("/import/batch", content=batch([bodies[s] for s in chosen]))
                assert r.status_code == 200, r.text
                statuses += [x["status"] for x in r.json()["results"]]
        return statuses

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [s for part in pool.map(run, range(6)) for s in part]
    covered = set().union(*(_chosen(seeds, n) for n in range(6)))  # the draws run() made
    assert set(statuses) <= {200, 201}
    assert statuses.count(201) == len(covered)
    assert site.count_rows() == len(covered)
    assert site.query("SELECT reference FROM posts GROUP BY reference HAVING count(*) > 1") == []


def _chosen(seeds: list[int], client_no: int) -> set[int]:
    rng = random.Random(client_no)
    return {s for _ in range(6) for s in rng.sample(seeds, 25)}
