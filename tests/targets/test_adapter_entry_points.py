"""Each adapter builds a request in one place, whichever entry point asks for it.

- The requests are those the adapters produced before ``import_request``/``batch_request`` were
  made to share a builder with the bytes entry points (digests recorded from that code).
- The two entry points give the same method, path, headers and body on several seeds: ``*_json``
  and the Post path (reference, canonical http), a batch item and a single import (WordPress), an
  invalid request carrying a valid document and a plain import (WordPress).
- ``invalid_request`` maps every invalid kind on many seeds without raising; a body that is not
  a JSON document travels byte for byte, and the variant's Content-Type always goes with it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

from synth import (
    INVALID_KINDS,
    InvalidPost,
    canonical_json,
    synthesize,
    synthesize_invalid,
    synthesize_json,
)
from synth.generate import reference_of
from targets import HttpTarget, ReferenceTarget, Request, WordPressTarget
from targets.adapters.registry import build_target
from targets.definitions import parse_definition

CANONICAL = """
kind = "http"
name = "c"
base_url = "http://127.0.0.1:9"
[http]
method = "PUT"
path = "/p/{reference}?s={seed}"
[http.headers]
X-Key = "k-${K}"
"""
MAPPING = """
kind = "http"
name = "m"
base_url = "http://127.0.0.1:9"
[http]
path = "/p/{seed}"
mode = "mapping"
[http.body]
ref = "meta.reference"
doc = "$canonical"
h = "$hash"
[http.body.n]
t = "title"
s = "$seed"
"""
SEEDS = [0, 1, 2, 7, 99, 12345, 2**63 - 1]

GOLDEN = {
    "reference": "825582178391b3119511cf64a5698c34d4b8c001dfad14328ad3f39139aea94e",
    "wordpress": "f7592ee13ba547afc8cd2ae71e6256efbb9b2f4e5b6163ec2c2b576483d92d49",
    "http-canonical": "e480ebc713ead268f99f89c3d09277bc52504e08ba59e950ec98bb7ab27c7221",
    "http-mapping": "1f74d3dacbde4f8dfed4d0387d6a96ed6c6f27403a159391cdc85644534c4dfe",
}
"""sha256 of every import and batch request below, as built by the adapters of commit 11d3767
(before the entry points shared a builder)."""


def _http(text: str) -> HttpTarget:
    definition = parse_definition(tomllib.loads(text), Path("x.toml"))
    target = build_target(definition, Path("x.toml"), {"K": "s3"})
    assert isinstance(target, HttpTarget)
    return target


def _targets() -> dict[str, ReferenceTarget | WordPressTarget | HttpTarget]:
    return {
        "reference": ReferenceTarget("ref", "http://127.0.0.1:9", token="t0k"),
        "wordpress": WordPressTarget("wp", "http://127.0.0.1:9", user="u", app_password="p w"),
        "http-canonical": _http(CANONICAL),
        "http-mapping": _http(MAPPING),
    }


def _row(request: Request) -> list[object]:
    return [
        request.method,
        request.path,
        request.name,
        sorted(request.headers.items()),
        (request.body or b"").hex(),
        sorted(request.sensitive),
    ]


def _same(a: Request, b: Request) -> None:
    assert (a.method, a.path, a.name) == (b.method, b.path, b.name)
    assert dict(a.headers) == dict(b.headers)
    assert a.body == b.body
    assert a.sensitive == b.sensitive


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_requests_are_those_of_the_code_before_sharing(name: str) -> None:
    target = _targets()[name]
    digest = hashlib.sha256()
    for seed in SEEDS:
        for size in (None, "s", "xl"):
            request = target.import_request(synthesize(seed, size=size))
            digest.update(json.dumps(_row(request)).encode())
    if target.batch_limit:
        for first in (0, 5, 40):
            posts = [synthesize(s) for s in range(first, first + 1 + first % 7)]
            digest.update(json.dumps(_row(target.batch_request(posts))).encode())
    assert digest.hexdigest() == GOLDEN[name]


@pytest.mark.parametrize("name", ["reference", "http-canonical"])
def test_bytes_and_post_entry_points_agree(name: str) -> None:
    target = _targets()[name]
    assert isinstance(target, ReferenceTarget | HttpTarget)
    for seed in SEEDS:
        post = synthesize(seed)
        body = synthesize_json(seed)
        _same(
            target.import_request_json(body, reference_of(seed), seed), target.import_request(post)
        )
    if isinstance(target, ReferenceTarget):
        posts = [synthesize(s) for s in SEEDS]
        _same(
            target.batch_request_json([canonical_json(p) for p in posts]),
            target.batch_request(posts),
        )


def test_wordpress_batch_items_are_the_single_imports() -> None:
    target = _targets()["wordpress"]
    posts = [synthesize(s) for s in SEEDS]
    batch = target.batch_request(posts)
    items = json.loads(batch.body or b"")["requests"]
    assert len(items) == len(posts)
    for post, item in zip(posts, items, strict=True):
        single = target.import_request(post)
        assert (item["method"], "/wp-json" + item["path"]) == (single.method, single.path)
        assert item["body"] == json.loads(single.body or b"")
    assert dict(batch.headers) == dict(target.import_request(posts[0]).headers)


def test_wordpress_invalid_request_of_a_valid_document_is_the_import() -> None:
    target = _targets()["wordpress"]
    for seed in SEEDS:
        post = synthesize(seed)
        body = canonical_json(post)
        valid = InvalidPost(
            kind="none",
            seed=seed,
            reference=post.meta.reference,
            body=body,
            content_type="application/json",
            expected_status=(),
            description="a valid post",
            document=json.loads(body),
        )
        invalid, single = target.invalid_request(valid), target.import_request(post)
        assert invalid.name == single.name + " [invalid]"
        assert (invalid.method, invalid.path, invalid.body) == (
            single.method,
            single.path,
            single.body,
        )
        assert dict(invalid.headers) == dict(single.headers)


@pytest.mark.parametrize("name", ["wordpress", "http-canonical", "http-mapping", "reference"])
def test_every_invalid_kind_maps_without_raising(name: str) -> None:
    # seed 1's invalid_unicode puts the bytes ED A0 80 (a UTF-16 surrogate) in the title: json.loads
    # accepts them, and re-encoding the mapped document raised UnicodeEncodeError.
    target = _targets()[name]
    for seed in range(40):
        for kind in INVALID_KINDS:
            invalid = synthesize_invalid(seed, kind)
            request = target.invalid_request(invalid)
            assert request.headers["Content-Type"] == invalid.content_type, (seed, kind)
            if invalid.document is None or name in ("reference", "http-canonical"):
                assert request.body == invalid.body, (seed, kind)
            else:
                assert json.loads(request.body or b""), (seed, kind)
