"""The bytes fast path (``targets.base.SupportsJsonImport``/``SupportsJsonBatch``): built from
``synthesize_json(seed)`` and ``reference_of(seed)``, the requests and acks must be exactly those
of the ``Post`` path, for many seeds and every size; adapters whose body is not the canonical
document must not offer it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from synth import SIZES, canonical_json, synthesize, synthesize_json
from synth.generate import reference_of
from targets import HttpTarget, ReferenceTarget, Request, Response, TargetError, load_target
from targets.adapters.wordpress import WordPressTarget
from targets.base import (
    TIMEOUT,
    Ack,
    SupportsJsonImport,
    json_batch_of,
    json_import_of,
)

SEEDS = [*range(0, 120), 999_999, 1_000_003, 123_456_789_012, 2**63 - 1]
SIZE_CHOICES = [None, *SIZES]

CANONICAL_HTTP = """
kind = "http"
name = "canonical"
base_url = "http://127.0.0.1:9"
[http]
method = "PUT"
path = "/api/posts/{reference}?seed={seed}"
mode = "canonical"
acknowledged = [200, 202]
[http.headers]
X-Import-Key = "key-${ANP_TEST_KEY}"
"""

MAPPING_HTTP = """
kind = "http"
name = "mapped"
base_url = "http://127.0.0.1:9"
[http]
method = "POST"
path = "/import"
mode = "mapping"
[http.body]
ref = "meta.reference"
"""


def _http(tmp_path: Path, text: str) -> HttpTarget:
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    target = load_target(path, environ={"ANP_TEST_KEY": "s3cr3t"})
    assert isinstance(target, HttpTarget)
    return target


def _reference() -> ReferenceTarget:
    return ReferenceTarget("ref", "http://127.0.0.1:9/", token="t0k3n")


def _same(fast: Request, slow: Request) -> None:
    assert fast.method == slow.method
    assert fast.path == slow.path
    assert fast.name == slow.name
    assert dict(fast.headers) == dict(slow.headers)
    assert fast.body == slow.body
    assert fast.sensitive == slow.sensitive
    assert fast.redacted() == slow.redacted()


def _json_targets(tmp_path: Path) -> list[SupportsJsonImport]:
    found = [json_import_of(_reference()), json_import_of(_http(tmp_path, CANONICAL_HTTP))]
    assert all(t is not None for t in found)
    return [t for t in found if t is not None]


@pytest.mark.parametrize("size", SIZE_CHOICES)
def test_import_request_json_equals_the_post_path(tmp_path: Path, size: str | None) -> None:
    targets = _json_targets(tmp_path)
    for seed in SEEDS:
        post = synthesize(seed, size=size)
        body = synthesize_json(seed, size=size)
        reference = reference_of(seed)
        assert reference == post.meta.reference
        assert body == canonical_json(post)
        for target in targets:
            _same(target.import_request_json(body, reference, seed), target.import_request(post))


ANSWERS = [
    Response(201, b'{"status":"created"}'),
    Response(200, b'{"status":"unchanged"}'),
    Response(202, b""),
    Response(409, b'{"error":{"code":"conflict"}}'),
    Response(500, b"oops"),
    Response(0, error=TIMEOUT),
    Response(0, error="connection_refused"),
]


def test_import_ack_ref_equals_import_ack(tmp_path: Path) -> None:
    for target in _json_targets(tmp_path):
        for seed in SEEDS[:20]:
            post = synthesize(seed)
            for response in ANSWERS:
                assert target.import_ack_ref(reference_of(seed), response) == target.import_ack(
                    post, response
                )
    # the judgements themselves differ by answer (so the comparison above compares something)
    reference = _reference()
    acked = [reference.import_ack_ref("r", a).acknowledged for a in ANSWERS]
    assert acked == [True, True, False, False, False, False, False]


def test_the_acknowledged_statuses_are_exactly_the_acks_by_status(tmp_path: Path) -> None:
    """``acknowledged_statuses`` says which answers ``import_ack_ref`` acknowledges by their
    status alone, as ``Ack(reference, True, status)`` (the load's shortcut for a success)."""
    for target in _json_targets(tmp_path):
        statuses = target.acknowledged_statuses
        for status in range(100, 600):
            for response in (Response(status, b""), Response(status, b'{"status":"created"}')):
                ack = target.import_ack_ref("anp-ref-000001-0001", response)
                assert ack.acknowledged == (status in statuses), (target, status)
                if ack.acknowledged:
                    assert ack == Ack("anp-ref-000001-0001", True, status)
    assert _reference().acknowledged_statuses == {200, 201}
    assert _http(tmp_path, CANONICAL_HTTP).acknowledged_statuses == {200, 202}


def test_the_request_template_is_the_request_without_its_body(tmp_path: Path) -> None:
    """A template only where nothing but the body differs from post to post: the reference
    adapter and an http adapter with a fixed path; none when the path names the post."""
    fixed = _http(tmp_path, CANONICAL_HTTP.replace("/api/posts/{reference}?seed={seed}", "/in"))
    for target in (_reference(), fixed):
        template = target.import_request_template()
        assert template is not None and template.body is None
        for seed in SEEDS[:5]:
            body = synthesize_json(seed)
            request = target.import_request_json(body, reference_of(seed), seed)
            _same(replace(template, body=body), request)
    assert _http(tmp_path, CANONICAL_HTTP).import_request_template() is None
    seed_only = CANONICAL_HTTP.replace("/api/posts/{reference}?seed={seed}", "/in?s={seed}")
    assert _http(tmp_path, seed_only).import_request_template() is None


@pytest.mark.parametrize("size", [None, "xl"])
def test_batch_request_json_and_acks_equal_the_post_path(size: str | None) -> None:
    target = _reference()
    batch = json_batch_of(target)
    assert batch is not None
    for first in range(0, 100, 7):
        seeds = list(range(first, first + 1 + first % 5))
        posts = [synthesize(s, size=size) for s in seeds]
        bodies = [synthesize_json(s, size=size) for s in seeds]
        _same(batch.batch_request_json(bodies), target.batch_request(posts))
        refs = [reference_of(s) for s in seeds]
        results = [
            {"index": i, "status": 201 if i % 2 else 409, "reference": r}
            for i, r in enumerate(refs)
        ]
        answers = [
            Response(200, json.dumps({"results": results}).encode()),
            Response(200, json.dumps({"results": results[:-1]}).encode()),
            Response(200, b"not json"),
            Response(503, b""),
            Response(0, error=TIMEOUT),
        ]
        for response in answers:
            assert batch.batch_acks_refs(refs, response) == target.batch_acks(posts, response)
    with pytest.raises(ValueError, match=r"a batch holds 1\.\.1000 posts, got 0"):
        batch.batch_request_json([])


def test_only_canonical_bodies_offer_the_fast_path(tmp_path: Path) -> None:
    mapped = _http(tmp_path, MAPPING_HTTP)
    assert json_import_of(mapped) is None
    assert json_batch_of(mapped) is None  # no batch endpoint either
    with pytest.raises(TargetError, match="maps fields") as caught:
        mapped.import_request_json(synthesize_json(1), reference_of(1), 1)
    assert caught.value.exit_code == 2
    wordpress = WordPressTarget("wp", "http://127.0.0.1:9", user="u", app_password="p")
    assert json_import_of(wordpress) is None
    assert json_batch_of(wordpress) is None
    assert json_import_of(None) is None
