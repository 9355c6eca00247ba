"""Idempotency, the 409 policy, and concurrent imports counted in the database itself."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import synth

pytestmark = pytest.mark.integration


def changed_copy(post: synth.Post) -> synth.Post:
    """Same reference, different content, correct hash for that content."""
    other = post.model_copy(update={"final_notes": post.final_notes + " (edited)"})
    return other.model_copy(
        update={"meta": other.meta.model_copy(update={"hash": synth.post_hash(other)})}
    )


def stored(site, reference: str):
    return site.query(
        "SELECT reference, seed, hash, title, body, created_at FROM posts WHERE reference = ?",
        (reference,),
    )


def test_reimport_is_acknowledged_and_changes_nothing(site) -> None:
    post = synth.synthesize(101)
    data = synth.canonical_json(post)
    with site.client() as c:
        assert c.post("/import/posts", content=data).status_code == 201
        before = stored(site, post.meta.reference)
        for _ in range(3):
            r = c.post("/import/posts", content=data)
            assert r.status_code == 200
            assert r.json() == {
                "status": "unchanged",
                "reference": post.meta.reference,
                "hash": post.meta.hash,
            }
        r = c.post("/import/batch", content=b"[" + data + b"]")
        assert r.json()["results"][0]["status"] == 200
    assert site.count_rows() == 1
    after = stored(site, post.meta.reference)
    assert after == before  # same bytes, same created_at: nothing was rewritten
    assert bytes(after[0][4]) == data


def test_same_reference_different_content_is_rejected_with_409(site) -> None:
    post = synth.synthesize(102)
    other = changed_copy(post)
    assert other.meta.reference == post.meta.reference and other.meta.hash != post.meta.hash
    with site.client() as c:
        assert c.post("/import/posts", content=synth.canonical_json(post)).status_code == 201
        r = c.post("/import/posts", content=synth.canonical_json(other))
        assert r.status_code == 409
        error = r.json()["error"]
        assert error["code"] == "conflict"
        assert error["field"] == "meta.reference"
        assert error["retry_safe"] is False
        assert post.meta.hash in error["expected"]
        assert c.get(f"/posts/{post.meta.reference}").content == synth.canonical_json(post)
        assert c.get("/stats").json()["posts_conflict"] == 1
    assert site.count_rows() == 1


def test_concurrent_overlapping_imports_never_lose_or_duplicate(site) -> None:
    seeds = list(range(1000, 1060))
    bodies = {s: synth.canonical_json(synth.synthesize(s)) for s in seeds}
    # 8 clients each import 45 of the 60 posts, in their own shuffled order, half of them twice,
    # some through the batch endpoint: every post is imported several times concurrently.
    plans = []
    for client_no in range(8):
        rng = random.Random(client_no)
        mine = rng.sample(seeds, 45)
        plans.append(mine + mine[: len(mine) // 2])

    def run(plan: list[int]) -> list[int]:
        statuses = []
        with httpx.Client(base_url=site.url, timeout=60.0) as c:
            for i, seed in enumerate(plan):
                if i % 10 == 9:
                    r = c.post(
                        "/import/batch",
                        content=b"[" + bodies[seed] + b"," + bodies[plan[i - 1]] + b"]",
                    )
                    statuses += [x["status"] for x in r.json()["results"]]
                else:
                    statuses.append(c.post("/import/posts", content=bodies[seed]).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [s for statuses in pool.map(run, plans) for s in statuses]
    covered = set().union(*map(set, plans))
    assert set(results) <= {200, 201}
    assert results.count(201) == len(covered)  # exactly one creation per distinct post
    assert site.count_rows() == len(covered)
    rows = site.query(
        "SELECT reference, count(*) FROM posts GROUP BY reference HAVING count(*) > 1"
    )
    assert rows == []
    for seed in covered:
        ref = synth.synthesize(seed).meta.reference
        assert bytes(stored(site, ref)[0][4]) == bodies[seed]


def test_concurrent_conflicting_imports_keep_exactly_one_version(site) -> None:
    base = [synth.synthesize(s) for s in range(1100, 1120)]
    variants = [(p, changed_copy(p)) for p in base]

    def run(which: int) -> list[int]:
        with httpx.Client(base_url=site.url, timeout=60.0) as c:
            return [
                c.post("/import/posts", content=synth.canonical_json(pair[which])).status_code
                for pair in variants
            ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        a, b, a2, b2 = pool.map(run, [0, 1, 0, 1])
    for i in range(len(base)):
        statuses = sorted([a[i], b[i], a2[i], b2[i]])
        assert statuses.count(201) == 1
        assert set(statuses) <= {200, 201, 409}
    assert site.count_rows() == len(base)
