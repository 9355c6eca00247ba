"""Verification's fast path (``loadtests.verify_fast``): the same counts as the classic path on a
reference site whose SQLite file was edited behind its back, and the fallbacks (a site older than
the ``raw`` flag, raw lookups that fail) against a tiny real HTTP server on loopback."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from run_fixtures import Site, reference_site

from loadtests.verify import verify_posts
from loadtests.verify_fast import RawChecker, uses_raw_lookup
from synth import canonical_json, synthesize
from targets import ReferenceTarget
from targets.base import Request
from targets.transport import Sender

pytestmark = pytest.mark.integration
__all__ = ["reference_site"]  # the fixture, imported for pytest


def _ref(seed: int) -> str:
    return synthesize(seed).meta.reference


class CountingTarget(ReferenceTarget):
    """The reference adapter, counting the lookups of each kind it builds."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.raw_lookups = 0
        self.classic_lookups = 0

    def raw_lookup_request(self, references: Sequence[str]) -> Request:
        self.raw_lookups += 1
        return super().raw_lookup_request(references)

    def lookup_request(self, references: Sequence[str]) -> Request:
        self.classic_lookups += 1
        return super().lookup_request(references)


def _edit(db: object, seed: int, body: bytes) -> None:
    conn = sqlite3.connect(str(db), timeout=30)
    with conn:
        conn.execute("UPDATE posts SET body = ? WHERE reference = ?", (body, _ref(seed)))
    conn.close()


def test_fast_and_classic_paths_count_the_same_injected_faults(reference_site: Site) -> None:
    site = reference_site
    site.import_seeds(range(0, 1100))  # two lookup pieces
    site.import_seeds(range(5000, 5004))  # landed without an ack the harness saw
    conn = sqlite3.connect(site.db, timeout=30)
    with conn:
        for seed in (3, 999, 1099):
            conn.execute("DELETE FROM posts WHERE reference = ?", (_ref(seed),))
    conn.close()
    doc = json.loads(canonical_json(synthesize(10)))
    doc["title"] += " (edited)"  # content changed, stored hash unchanged
    _edit(site.db, 10, json.dumps(doc).encode())
    doc = json.loads(canonical_json(synthesize(11)))
    doc["meta"]["hash"] = "f" * len(doc["meta"]["hash"])  # only the hash differs
    _edit(site.db, 11, json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode())
    _edit(site.db, 20, b"{not json")
    _edit(site.db, 21, b'{"title":"\xff"}')  # not UTF-8
    _edit(site.db, 30, canonical_json(synthesize(31)))  # another post's body
    _edit(site.db, 1050, canonical_json(synthesize(1050, size="xl")))  # another size
    # the same content spelled differently is not corruption (either path)
    spaced = json.dumps(json.loads(canonical_json(synthesize(40))), indent=1, ensure_ascii=True)
    _edit(site.db, 40, spaced.encode())
    corrupted = sorted(_ref(s) for s in (10, 11, 20, 21, 30, 1050))

    results = {}
    for raw_reads in (True, False):
        target = CountingTarget("t", site.url)
        assert uses_raw_lookup(target)
        with Sender(site.url) as sender:
            v = verify_posts(
                target,
                sender,
                acknowledged=((0, 1099),),
                sent=((0, 1099), (5000, 5009)),
                raw_reads=raw_reads,
            )
        assert v.error is None
        assert (v.acknowledged, v.landed, v.missing, v.duplicates) == (1100, 1097, 3, 0)
        assert v.corrupted == 6
        assert sorted(v.corrupted_refs) == corrupted
        assert sorted(v.missing_refs) == sorted(_ref(s) for s in (3, 999, 1099))
        assert v.landed_unacknowledged == 4
        assert sorted(v.unacknowledged_refs) == sorted(_ref(s) for s in range(5000, 5004))
        if raw_reads:
            assert (target.raw_lookups, target.classic_lookups) == (3, 0)
        else:
            assert target.raw_lookups == 0 and target.classic_lookups == 3
        results[raw_reads] = v.model_dump(exclude={"duration_s"})
    assert results[True] == results[False]


def test_sized_posts_on_the_fast_path(reference_site: Site) -> None:
    reference_site.import_seeds(range(0, 30), size="l")
    with Sender(reference_site.url) as sender:
        right = verify_posts(reference_site.target, sender, acknowledged=((0, 29),), size="l")
        wrong = verify_posts(reference_site.target, sender, acknowledged=((0, 29),), size="m")
        natural = verify_posts(reference_site.target, sender, acknowledged=((0, 29),))
    assert (right.landed, right.corrupted) == (30, 0)
    assert (wrong.landed, wrong.corrupted) == (30, 30)
    natural_l = sum(synthesize(s) == synthesize(s, size="l") for s in range(30))
    assert (natural.landed, natural.corrupted) == (30, 30 - natural_l)


# --- fallbacks, against a tiny site that speaks the lookup API --------------------------------


class _OldSite(BaseHTTPRequestHandler):
    """Stored canonical bodies by reference. ``mode`` "old": the lookup refuses ``raw`` as an
    unknown field (422, like a site older than the flag); "fail_raw": raw lookups answer 500.
    Counts requests by kind."""

    bodies: ClassVar[dict[str, bytes]] = {}
    mode: ClassVar[str] = "old"
    counts: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def _count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def do_POST(self) -> None:
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "raw" in asked:
            self._count("raw")
            if self.mode == "old":
                error = {"code": "invalid_post", "field": "raw", "message": "extra field"}
                self._send(422, json.dumps({"error": error}).encode())
            else:
                self._send(500, b'{"error":{"code":"boom"}}')
            return
        self._count("classic")
        parts = [
            json.dumps(r).encode() + b":" + self.bodies.get(r, b"null") for r in asked["references"]
        ]
        self._send(200, b'{"posts":{' + b",".join(parts) + b"}}")

    def do_GET(self) -> None:
        self._count("get")
        ref = self.path.rsplit("/", 1)[-1]
        if ref in self.bodies:
            self._send(200, self.bodies[ref])
        else:
            self._send(404, b'{"error":{"code":"not_found"}}')

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def old_site() -> Iterator[str]:
    _OldSite.bodies = {_ref(s): canonical_json(synthesize(s)) for s in range(300) if s != 77}
    _OldSite.bodies[_ref(5)] = canonical_json(synthesize(6))
    _OldSite.counts = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OldSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _check_counts(url: str) -> None:
    target = ReferenceTarget("old", url, lookup_limit=50)
    with Sender(url) as sender:
        v = verify_posts(target, sender, acknowledged=((0, 299),), concurrency=2)
    assert v.error is None
    assert (v.acknowledged, v.landed, v.missing, v.corrupted) == (300, 299, 1, 1)
    assert (v.missing_refs, v.corrupted_refs) == ([_ref(77)], [_ref(5)])


def test_a_site_older_than_the_flag_is_read_the_classic_way(old_site: str) -> None:
    _OldSite.mode = "old"
    _check_counts(old_site)
    # chunks of 2 x 50 seeds: the first chunk's two raw lookups are refused, then classic only
    assert _OldSite.counts == {"raw": 2, "classic": 6}


def test_failed_raw_lookups_are_read_again_one_post_each(old_site: str) -> None:
    _OldSite.mode = "fail_raw"
    _check_counts(old_site)
    assert _OldSite.counts == {"raw": 6, "get": 300}


def test_raw_checker_needs_the_raw_lookup() -> None:
    from targets.adapters.wordpress import WordPressTarget

    wp = WordPressTarget("wp", "http://127.0.0.1:9", user="u", app_password="p")
    assert not uses_raw_lookup(wp)
    with Sender(wp.base_url) as sender, pytest.raises(TypeError, match="no raw lookup"):
        RawChecker(wp, sender, 2, fallback=None)  # type: ignore[arg-type]
