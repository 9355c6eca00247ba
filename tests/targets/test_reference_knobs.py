"""Fault and release knobs against a real site: --fail-rate, --latency-ms, --release."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import synth

pytestmark = pytest.mark.integration


def bodies(start: int, n: int) -> list[bytes]:
    return [synth.canonical_json(synth.synthesize(s)) for s in range(start, start + n)]


@pytest.fixture
def failing_site(start_reference, backend):
    return start_reference("--fail-rate", "0.25", backend=backend)


def test_fail_rate_is_deterministic_and_stores_nothing(failing_site) -> None:
    data = bodies(2000, 40)
    with failing_site.client() as c:
        statuses = [c.post("/import/posts", content=b).status_code for b in data]
        failed = [n for n, s in enumerate(statuses, start=1) if s == 503]
        assert failed == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]  # floor(n/4) steps up at n = 4k
        r = c.post("/import/posts", content=data[3])  # request 41: not picked, so the retry lands
        assert r.status_code == 201
        stats = c.get("/stats").json()
        error = None
        for _ in range(3):  # 42, 43 pass; 44 fails with the documented body
            r = c.post("/import/posts", content=b"{}")
            if r.status_code == 503:
                error = r.json()["error"]
        assert (
            error is not None
            and error["code"] == "injected_failure"
            and error["retry_safe"] is True
        )
    assert stats["injected_failures"] == 10
    assert stats["requests"]["POST /import/posts"]["by_status"] == {"201": 31, "503": 10}
    stored = {r for (r,) in failing_site.query("SELECT reference FROM posts")}
    for n in failed[1:]:
        assert synth.synthesize(2000 + n - 1).meta.reference not in stored
    assert failing_site.count_rows() == 31


def test_fail_rate_count_is_exact_under_concurrency(start_reference) -> None:
    site = start_reference("--fail-rate", "0.1")
    data = bodies(2100, 120)

    def run(chunk: list[bytes]) -> list[tuple[str, int]]:
        with httpx.Client(base_url=site.url, timeout=60.0) as c:
            out = []
            for i, b in enumerate(chunk):
                if i % 5 == 4:  # batch requests count as one import request each
                    r = c.post("/import/batch", content=b"[" + b + b"]")
                    out.append(("POST /import/batch", r.status_code))
                else:
                    out.append(
                        ("POST /import/posts", c.post("/import/posts", content=b).status_code)
                    )
                if i % 7 == 0:
                    out.append(("GET /posts/count", c.get("/posts/count").status_code))
            return out

    with ThreadPoolExecutor(max_workers=6) as pool:
        seen = [s for chunk in pool.map(run, [data[i::6] for i in range(6)]) for s in chunk]
    statuses = [status for route, status in seen if route.startswith("POST /import")]
    assert len(statuses) == 120
    assert statuses.count(503) == 12  # floor(120 * 0.1), whatever the interleaving
    with site.client() as c:
        stats = c.get("/stats").json()
    assert stats["injected_failures"] == 12
    # the site's own counters equal what the clients saw, per route template and status
    expected: dict[str, dict[str, int]] = {}
    for route, status in seen:
        by_status = expected.setdefault(route, {})
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    assert {route: v["by_status"] for route, v in stats["requests"].items()} == expected
    assert site.count_rows() == 120 - 12


def test_latency_adds_at_least_the_configured_time(start_reference) -> None:
    site = start_reference("--latency-ms", "150")
    data = bodies(2300, 3)
    with site.client() as c:
        for b in data:
            t0 = time.perf_counter()
            r = c.post("/import/posts", content=b)
            assert r.status_code == 201
            assert time.perf_counter() - t0 >= 0.150
        t0 = time.perf_counter()
        r = c.post("/import/batch", content=b"[" + data[0] + b"]")
        assert time.perf_counter() - t0 >= 0.150
        assert r.json()["results"][0]["status"] == 200


def test_slowdown_site_still_answers_correctly(start_reference) -> None:
    site = start_reference("--slowdown", "0.5", "--release", "1.4.1-slow")
    data = bodies(2400, 5)
    with site.client() as c:
        assert c.get("/version").json()["release"] == "1.4.1-slow"
        assert [c.post("/import/posts", content=b).status_code for b in data] == [201] * 5
    assert site.count_rows() == 5
