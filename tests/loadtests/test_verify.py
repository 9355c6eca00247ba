"""Verification against real servers: the reference site (SQLite edited behind its back to inject
missing and corrupted posts) and a tiny real HTTP server speaking the WordPress plugin's lookup
API (to inject duplicates, which the reference site's primary key cannot hold)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from run_fixtures import Site, reference_site

from loadtests.verify import subtract_ranges, verify_posts
from loadtests.verify_parallel import (
    merge_verifications,
    split_ranges,
    verify_in_processes,
    worker_count,
)
from results import Verification
from synth import synthesize
from targets.adapters.wordpress import WordPressTarget
from targets.adapters.wp_content import content_html
from targets.transport import Sender

pytestmark = pytest.mark.integration
__all__ = ["reference_site"]  # the fixture, imported for pytest


def _ref(seed: int) -> str:
    return synthesize(seed).meta.reference


def test_all_landed_and_intact(reference_site: Site):
    reference_site.import_seeds(range(0, 250))
    with Sender(reference_site.url) as sender:
        v = verify_posts(reference_site.target, sender, acknowledged=((0, 249),))
    assert v.performed and v.error is None
    assert (v.acknowledged, v.landed, v.missing, v.duplicates, v.corrupted) == (250, 250, 0, 0, 0)
    assert v.landed_unacknowledged == 0


def test_injected_missing_corrupted_and_unacknowledged_are_counted_exactly(reference_site: Site):
    site = reference_site
    site.import_seeds(range(0, 1200))  # more than one lookup request (1000 references each)
    site.import_seeds(range(5000, 5007))  # landed, but the harness will not have seen an ack
    deleted = [3, 999, 1000, 1199]
    retitled = [10, 1100]
    garbled = [20]
    conn = sqlite3.connect(site.db, timeout=30)
    with conn:
        for seed in deleted:
            conn.execute("DELETE FROM posts WHERE reference = ?", (_ref(seed),))
        for seed in retitled:
            body = json.loads(
                conn.execute(
                    "SELECT body FROM posts WHERE reference = ?", (_ref(seed),)
                ).fetchone()[0]
            )
            body["title"] = body["title"] + " (edited)"
            conn.execute(
                "UPDATE posts SET body = ? WHERE reference = ?",
                (json.dumps(body).encode(), _ref(seed)),
            )
        for seed in garbled:
            conn.execute(
                "UPDATE posts SET body = ? WHERE reference = ?", (b"{not json", _ref(seed))
            )
    conn.close()
    with Sender(site.url) as sender:
        v = verify_posts(
            site.target,
            sender,
            acknowledged=((0, 1199),),
            sent=((0, 1199), (5000, 5009)),  # 5007-5009 were sent and never landed
        )
    assert v.error is None
    assert v.acknowledged == 1200
    assert v.missing == 4
    assert v.landed == 1196
    assert v.corrupted == 3
    assert v.duplicates == 0
    assert v.landed_unacknowledged == 7
    assert sorted(v.missing_refs) == sorted(_ref(s) for s in deleted)
    assert sorted(v.corrupted_refs) == sorted(_ref(s) for s in retitled + garbled)
    assert sorted(v.unacknowledged_refs) == sorted(_ref(s) for s in range(5000, 5007))
    # the same verification spread over worker processes gives the same result
    parallel = verify_in_processes(
        str(site.definition),
        site.target,
        acknowledged=((0, 1199),),
        sent=((0, 1199), (5000, 5009)),
        workers=3,
    )
    assert parallel.model_dump(exclude={"duration_s"}) == v.model_dump(exclude={"duration_s"})


def test_sized_posts_are_compared_with_the_same_size(reference_site: Site):
    reference_site.import_seeds(range(0, 20), size="s")
    with Sender(reference_site.url) as sender:
        right = verify_posts(reference_site.target, sender, acknowledged=((0, 19),), size="s")
        wrong = verify_posts(reference_site.target, sender, acknowledged=((0, 19),), size="l")
    assert (right.landed, right.corrupted) == (20, 0)
    # the reference does not depend on the size, so the other size finds every post different
    assert (wrong.landed, wrong.missing, wrong.corrupted) == (20, 0, 20)


def test_dead_target_reports_an_error_not_missing_posts(reference_site: Site):
    reference_site.import_seeds(range(0, 10))
    reference_site.process.kill()
    with Sender(reference_site.url) as sender:
        v = verify_posts(reference_site.target, sender, acknowledged=((0, 9),))
    assert v.missing == 0 and v.landed == 0
    assert v.error is not None and "10 post(s) could not be read back" in v.error
    assert "connection_refused" in v.error


class _PluginLookup(BaseHTTPRequestHandler):
    """The anp-loadtest plugin's lookup route, storing ``copies[reference]`` identical posts."""

    copies: ClassVar[dict[str, int]] = {}
    posts: ClassVar[dict[str, dict[str, str]]] = {}

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        refs = json.loads(self.rfile.read(length))["references"]
        found = {r: [self.posts[r]] * self.copies.get(r, 0) for r in refs}
        self._json({"posts": found})

    def do_GET(self) -> None:
        self._json({"name": "test"})

    def _json(self, value: object) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def plugin_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PluginLookup)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_duplicates_from_a_site_that_stores_copies(plugin_server: str):
    posts = {}
    copies = {}
    for seed in range(0, 150):
        post = synthesize(seed)
        ref = post.meta.reference
        posts[ref] = {
            "title": post.title,
            "anp_hash": post.meta.hash,
            "content": content_html(post),
        }
        copies[ref] = 1
    for seed in (7, 70, 140):
        copies[_ref(seed)] = 2
    copies[_ref(99)] = 3
    copies[_ref(12)] = 0  # missing
    _PluginLookup.posts = posts
    _PluginLookup.copies = copies
    target = WordPressTarget("wp-test", plugin_server, user="u", app_password="p")
    with Sender(plugin_server) as sender:
        v = verify_posts(target, sender, acknowledged=((0, 149),), concurrency=4)
    assert v.error is None
    assert (v.acknowledged, v.landed, v.missing, v.duplicates, v.corrupted) == (150, 149, 1, 4, 0)
    assert sorted(v.duplicate_refs) == sorted(_ref(s) for s in (7, 70, 99, 140))


@pytest.mark.parametrize(
    ("ranges", "minus", "expected"),
    [
        (((0, 9),), ((0, 9),), ()),
        (((0, 9),), (), ((0, 9),)),
        (((0, 9),), ((3, 4),), ((0, 2), (5, 9))),
        (((0, 9), (20, 29)), ((5, 25),), ((0, 4), (26, 29))),
        (((0, 9),), ((9, 100),), ((0, 8),)),
        (((5, 9),), ((0, 2), (4, 6), (8, 8)), ((7, 7), (9, 9))),
    ],
)
def test_subtract_ranges(ranges, minus, expected):
    assert subtract_ranges(ranges, minus) == expected


def test_verification_stops_at_its_bound_and_says_how_far_it_got(reference_site: Site):
    reference_site.import_seeds(range(0, 10))
    with Sender(reference_site.url) as sender:
        v = verify_posts(reference_site.target, sender, acknowledged=((0, 9),), deadline_s=0)
    assert v.error == (
        "verification stopped at its 0 s bound (anp run --verify-timeout, anp verify --timeout) "
        "after checking 0 of 10 seeds; retrying with a longer bound is safe"
    )
    assert v.landed == 0 and v.missing == 0


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_split_ranges_is_contiguous_balanced_and_complete(parts):
    ranges = ((0, 9), (20, 20), (30, 52))
    slices = split_ranges(ranges, parts)
    seeds = [s for part in slices for a, b in part for s in range(a, b + 1)]
    assert seeds == [s for a, b in ranges for s in range(a, b + 1)]
    sizes = [sum(b - a + 1 for a, b in part) for part in slices]
    assert len(slices) == parts and max(sizes) - min(sizes) <= 1
    assert split_ranges((), 3) == []
    assert len(split_ranges(((0, 1),), 5)) == 2


def test_worker_count_and_merge():
    assert worker_count(100, cpu_count=8) == 1
    assert worker_count(1_000_000, cpu_count=1) == 1
    assert worker_count(1_000_000, cpu_count=2) == 1
    assert worker_count(1_000_000, cpu_count=4) == 4
    assert worker_count(5000, cpu_count=8) == 1
    assert worker_count(60_000, cpu_count=8) == 2
    assert worker_count(1_000_000, cpu_count=16) == 4
    a = Verification(performed=True, acknowledged=3, landed=2, missing=1, missing_refs=["a"])
    b = Verification(performed=True, acknowledged=2, landed=2, corrupted=1, error="x")
    merged = merge_verifications([a, b], 1.5)
    assert (merged.acknowledged, merged.landed, merged.missing, merged.corrupted) == (5, 4, 1, 1)
    assert merged.missing_refs == ["a"] and merged.error == "x" and merged.duration_s == 1.5
