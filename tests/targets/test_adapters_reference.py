"""The reference adapter: pure request building and response judging, then the same adapter
against the real reference site on loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest
import wordpress_fixtures
from wordpress_fixtures import ReferenceSite

from synth import canonical_json, synthesize
from targets import (
    ReferenceTarget,
    Response,
    Sender,
    TargetError,
    fetch_release,
    import_posts,
    read_back_posts,
)
from targets.base import REDACTED, TIMEOUT

reference_site = wordpress_fixtures.reference_site

POST = synthesize(11)
OTHER = synthesize(12)


def _target(**kwargs: Any) -> ReferenceTarget:
    return ReferenceTarget("ref", "http://127.0.0.1:9/", **kwargs)


def _json(value: object, status: int = 200, **headers: str) -> Response:
    return Response(status, json.dumps(value).encode(), headers)


# --- pure ---------------------------------------------------------------------------------------


def test_import_request_is_the_canonical_json() -> None:
    request = _target().import_request(POST)
    assert (request.method, request.path, request.name) == (
        "POST",
        "/import/posts",
        "POST /import/posts",
    )
    assert request.body == canonical_json(POST)
    assert request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in request.headers


def test_token_is_sent_but_never_shown() -> None:
    target = _target(token="s3cret-token")
    request = target.import_request(POST)
    assert request.headers["Authorization"] == "Bearer s3cret-token"
    assert request.redacted()["headers"]["Authorization"] == REDACTED  # type: ignore[index]
    for shown in (repr(request), str(request.redacted()), repr(target)):
        assert "s3cret-token" not in shown


@pytest.mark.parametrize(
    ("status", "body", "acknowledged", "error", "maybe"),
    [
        (201, {"status": "created"}, True, None, False),
        (200, {"status": "unchanged"}, True, None, False),
        (409, {"error": {"code": "conflict"}}, False, "http_409_conflict", False),
        (422, {"error": {"code": "hash_mismatch"}}, False, "http_422_hash_mismatch", False),
        (503, {"error": {"code": "injected_failure"}}, False, "http_503_injected_failure", True),
        (401, "nope", False, "http_401", False),
    ],
)
def test_import_ack(
    status: int, body: object, acknowledged: bool, error: str | None, maybe: bool
) -> None:
    ack = _target().import_ack(POST, _json(body, status))
    assert (ack.reference, ack.acknowledged, ack.status) == (
        POST.meta.reference,
        acknowledged,
        status,
    )
    assert (ack.error, ack.may_have_written) == (error, maybe)


def test_timeout_ack_may_have_written_and_refused_did_not() -> None:
    timed_out = _target().import_ack(POST, Response(0, error=TIMEOUT))
    refused = _target().import_ack(POST, Response(0, error="connection_refused"))
    assert (timed_out.error, timed_out.may_have_written) == ("timeout", True)
    assert (refused.error, refused.may_have_written) == ("connection_refused", False)


def test_batch_request_and_per_item_acks() -> None:
    target = _target(batch_limit=2)
    request = target.batch_request([POST, OTHER])
    assert [p["meta"]["reference"] for p in json.loads(request.body or b"")] == [
        POST.meta.reference,
        OTHER.meta.reference,
    ]
    with pytest.raises(ValueError, match=r"a batch holds 1\.\.2 posts, got 3"):
        target.batch_request([POST, OTHER, POST])
    body = {
        "results": [
            {
                "index": 1,
                "reference": OTHER.meta.reference,
                "status": 409,
                "error": {"code": "conflict"},
            },
            {"index": 0, "reference": POST.meta.reference, "status": 201, "error": None},
        ]
    }
    acks = target.batch_acks([POST, OTHER], _json(body))
    assert [(a.acknowledged, a.status, a.error) for a in acks] == [
        (True, 201, None),
        (False, 409, "http_409_conflict"),
    ]


def test_batch_acks_whole_failure_and_missing_item() -> None:
    target = _target()
    failed = target.batch_acks([POST, OTHER], _json({"error": {"code": "too_large"}}, 413))
    assert {(a.acknowledged, a.error) for a in failed} == {(False, "http_413_too_large")}
    mismatch = {"results": [{"index": 0, "reference": "anp-ref-other", "status": 201}]}
    (odd,) = target.batch_acks([POST], _json(mismatch))
    assert (odd.acknowledged, odd.error, odd.may_have_written) == (
        False,
        "reference_mismatch",
        True,
    )
    partial = target.batch_acks([POST, OTHER], _json({"results": [{"index": 0, "status": 201}]}))
    assert [(a.acknowledged, a.error, a.may_have_written) for a in partial] == [
        (True, None, False),
        (False, "missing_item", True),
    ]


def test_read_back_rebuilds_the_post() -> None:
    target = _target()
    ok = target.read_back(
        POST.meta.reference, Response(200, canonical_json(POST), {"X-Anp-Hash": "h"}), POST
    )
    assert (ok.copies, ok.post, ok.stored_hash, ok.content_ok, ok.error) == (
        1,
        POST,
        "h",
        True,
        None,
    )
    differs = target.read_back(POST.meta.reference, Response(200, canonical_json(OTHER)), POST)
    assert differs.content_ok is False
    assert target.read_back("r", Response(404, b"{}")).copies == 0
    broken = target.read_back("r", Response(200, b"{not json"))
    assert (broken.copies, broken.error) == (1, "bad_body")
    failed = target.read_back("r", Response(0, error=TIMEOUT))
    assert (failed.copies, failed.error) == (0, "timeout")


def test_lookup_request_and_read_backs() -> None:
    target = _target(lookup_limit=3)
    request = target.lookup_request(["a", "b"])
    assert json.loads(request.body or b"") == {"references": ["a", "b"]}
    posts = {"posts": {POST.meta.reference: json.loads(canonical_json(POST)), "gone": None}}
    backs = target.lookup_read_backs(
        [POST.meta.reference, "gone", "unasked"], _json(posts), {POST.meta.reference: POST}
    )
    assert [(b.copies, b.content_ok, b.error) for b in backs] == [
        (1, True, None),
        (0, None, None),
        (0, None, "missing_item"),
    ]
    with pytest.raises(ValueError, match=r"1\.\.3 references, got 4"):
        target.lookup_request(["a"] * 4)


def test_release() -> None:
    target = _target()
    assert target.release(_json({"name": "anp-reference", "release": "1.4.0"})) == "1.4.0"
    with pytest.raises(TargetError, match="GET /version answered http_500"):
        target.release(Response(500))


# --- against the real reference site -----------------------------------------------------------


@pytest.mark.integration
def test_reference_site_import_batch_read_back_and_release(reference_site: ReferenceSite) -> None:
    target = ReferenceTarget("ref", reference_site.url, batch_limit=10)
    posts = [synthesize(seed) for seed in range(300, 325)]
    with Sender(target.base_url) as sender:
        assert sender.send(target.health_request()).status == 200
        assert fetch_release(target, sender) == "1.4.0"
        single = target.import_ack(posts[0], sender.send(target.import_request(posts[0])))
        assert (single.acknowledged, single.status) == (True, 201)
        again = target.import_ack(posts[0], sender.send(target.import_request(posts[0])))
        assert (again.acknowledged, again.status) == (True, 200)
        acks = import_posts(target, posts, sender=sender)  # 3 batches of <= 10
        assert [a.status for a in acks] == [200] + [201] * 24
        backs = read_back_posts(target, posts, sender=sender)
        assert all(
            b.copies == 1 and b.content_ok and b.post == p
            for b, p in zip(backs, posts, strict=True)
        )
        one = target.read_back(
            posts[3].meta.reference,
            sender.send(target.read_request(posts[3].meta.reference)),
            posts[3],
        )
        assert (one.post, one.stored_hash) == (posts[3], posts[3].meta.hash)
        missing = synthesize(999)
        gone = target.read_back(
            missing.meta.reference, sender.send(target.read_request(missing.meta.reference))
        )
        assert (gone.copies, gone.error) == (0, None)
