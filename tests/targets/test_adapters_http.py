"""The generic http adapter: body mapping, header substitution and hiding, acknowledgement and
read-back rules, all from a definition file; then the shipped example against the real
reference site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import wordpress_fixtures
from wordpress_fixtures import ReferenceSite

from synth import canonical_json, synthesize, synthesize_invalid
from targets import DefinitionError, HttpTarget, Response, Sender, TargetError, load_target
from targets.adapters.http import get_path, map_body
from targets.base import REDACTED

reference_site = wordpress_fixtures.reference_site

REPO = Path(__file__).resolve().parents[2]
POST = synthesize(41)
OTHER = synthesize(42)

MAPPING = """
kind = "http"
name = "custom"
base_url = "http://127.0.0.1:9"
[http]
method = "PUT"
path = "/api/articles/{reference}?seed={seed}"
mode = "mapping"
acknowledged = [200, 202]
[http.headers]
X-Import-Key = "key-${ANP_TEST_KEY}"
X-Client = "anp"
[http.body]
title = "title"
ref = "meta.reference"
first_heading = "sections.0.heading"
document = "$canonical"
[http.body.extra]
hash = "$hash"
seed = "$seed"
reference = "$reference"
[http.read]
path = "/api/articles/{reference}"
compare = "hash"
hash_path = "data.hash"
missing = [404, 410]
"""


def _target(tmp_path: Path, text: str = MAPPING, **env: str) -> HttpTarget:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    target = load_target(path, environ={"ANP_TEST_KEY": "s3cr3t", **env})
    assert isinstance(target, HttpTarget)
    return target


def test_mapping_body_path_and_method(tmp_path: Path) -> None:
    request = _target(tmp_path).import_request(POST)
    assert request.method == "PUT"
    assert request.path == f"/api/articles/{POST.meta.reference}?seed=41"
    assert request.name == "PUT /api/articles/{reference}?seed={seed}"
    body = json.loads(request.body or b"")
    assert body == {
        "title": POST.title,
        "ref": POST.meta.reference,
        "first_heading": POST.sections[0].heading,
        "document": canonical_json(POST).decode(),
        "extra": {"hash": POST.meta.hash, "seed": 41, "reference": POST.meta.reference},
    }


def test_canonical_mode_sends_the_canonical_json() -> None:
    target = load_target(REPO / "targets" / "example-http.toml", environ={})
    assert target.import_request(POST).body == canonical_json(POST)


def test_substituted_headers_are_sent_but_hidden(tmp_path: Path) -> None:
    request = _target(tmp_path).import_request(POST)
    assert request.headers["X-Import-Key"] == "key-s3cr3t"
    shown = request.redacted()
    assert shown["headers"]["X-Import-Key"] == REDACTED  # type: ignore[index]
    assert shown["headers"]["X-Client"] == "anp"  # type: ignore[index]
    assert "s3cr3t" not in repr(request) and "s3cr3t" not in str(shown)


def test_unset_header_variable_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(MAPPING, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_target(path, environ={})
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"{path}: key 'http.headers.X-Import-Key': environment variable ANP_TEST_KEY is not set; "
        "expected it to hold the value (export ANP_TEST_KEY=... and retry)"
    )


def test_a_path_the_post_lacks_is_named(tmp_path: Path) -> None:
    target = _target(tmp_path, MAPPING.replace('"sections.0.heading"', '"sections.99.heading"'))
    with pytest.raises(TargetError, match=r"\[http.body\] path 'sections.99.heading' is not in"):
        target.import_request(POST)


@pytest.mark.parametrize(
    ("status", "acknowledged", "error"),
    [(200, True, None), (202, True, None), (201, False, "http_201"), (409, False, "http_409")],
)
def test_acknowledged_statuses_come_from_the_definition(
    tmp_path: Path, status: int, acknowledged: bool, error: str | None
) -> None:
    ack = _target(tmp_path).import_ack(POST, Response(status, b""))
    assert (ack.acknowledged, ack.error) == (acknowledged, error)


def test_hash_read_back(tmp_path: Path) -> None:
    target = _target(tmp_path)
    ref = POST.meta.reference
    assert target.read_request(ref).path == f"/api/articles/{ref}"
    good = Response(200, json.dumps({"data": {"hash": POST.meta.hash}}).encode())
    assert (
        target.read_back(ref, good, POST).content_ok,
        target.read_back(ref, good).stored_hash,
    ) == (
        True,
        POST.meta.hash,
    )
    assert target.read_back(ref, good, OTHER).content_ok is False
    assert target.read_back(ref, Response(410)).copies == 0
    assert target.read_back(ref, Response(200, b'{"data": {}}')).error == "bad_body"
    assert target.read_back(ref, Response(500)).error == "http_500"


def test_canonical_read_back() -> None:
    target = load_target(REPO / "targets" / "example-http.toml", environ={})
    ref = POST.meta.reference
    back = target.read_back(ref, Response(200, canonical_json(POST)), POST)
    assert (back.copies, back.post, back.content_ok) == (1, POST, True)
    assert target.read_back(ref, Response(200, canonical_json(OTHER)), POST).content_ok is False


def test_no_batch_endpoint(tmp_path: Path) -> None:
    target = _target(tmp_path)
    assert target.batch_limit == 0
    with pytest.raises(TargetError, match="has no batch endpoint"):
        target.batch_request([POST])


def test_invalid_variants(tmp_path: Path) -> None:
    mapped = _target(tmp_path)
    hostile = synthesize_invalid(41, "html_injection")
    body = json.loads(mapped.invalid_request(hostile).body or b"")
    assert body["title"] == json.loads(hostile.body)["title"]
    missing = synthesize_invalid(7, "missing_field")  # seed 7 drops meta.hash
    extra = json.loads(mapped.invalid_request(missing).body or b"")["extra"]
    assert extra["hash"] is None and extra["reference"] == missing.reference
    broken = synthesize_invalid(41, "not_json")
    request = mapped.invalid_request(broken)
    assert (request.body, request.headers["Content-Type"]) == (broken.body, broken.content_type)


def test_get_path_and_map_body() -> None:
    document = {"a": {"b": [10, {"c": "x"}]}}
    assert get_path(document, "a.b.1.c") == "x"
    with pytest.raises(KeyError):
        get_path(document, "a.b.5")
    assert map_body({"v": "a.b.0", "w": "a.zz"}, document, "{}", lenient=True) == {"v": 10}


def test_release_without_and_with_a_release_path(tmp_path: Path) -> None:
    assert _target(tmp_path).release(Response(200, b"{}")) == "unknown"
    example = load_target(REPO / "targets" / "example-http.toml", environ={})
    assert example.release(Response(200, b'{"release": "2.0"}')) == "2.0"
    with pytest.raises(TargetError, match="expected 200 with a release at 'release'"):
        example.release(Response(200, b"{}"))


@pytest.mark.integration
def test_example_definition_against_the_reference_site(reference_site: ReferenceSite) -> None:
    target = load_target(
        REPO / "targets" / "example-http.toml", environ={"ANP_REF_URL": reference_site.url}
    )
    assert target.base_url == reference_site.url
    posts = [synthesize(seed) for seed in range(500, 505)]
    with Sender(target.base_url) as sender:
        assert sender.send(target.health_request()).status == 200
        assert target.release(sender.send(target.release_request())) == "1.4.0"
        for post in posts:
            ack = target.import_ack(post, sender.send(target.import_request(post)))
            assert (ack.acknowledged, ack.status) == (True, 201)
        again = target.import_ack(posts[0], sender.send(target.import_request(posts[0])))
        assert (again.acknowledged, again.status) == (True, 200)
        changed = synthesize_invalid(500, "changed_content")
        conflict = sender.send(target.invalid_request(changed))
        assert conflict.status == 409
        for post in posts:
            back = target.read_back(
                post.meta.reference, sender.send(target.read_request(post.meta.reference)), post
            )
            assert (back.copies, back.post, back.content_ok) == (1, post, True)
        never = synthesize(506)
        back = target.read_back(
            never.meta.reference, sender.send(target.read_request(never.meta.reference))
        )
        assert (back.copies, back.error) == (0, None)


@pytest.mark.integration
def test_mapping_definition_with_token_against_the_reference_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The bearer token from ``${ENV}`` in a header (a wrong token gets 401) and a read-back
    that compares the hash at a dotted path of the canonical JSON."""
    folder = tmp_path_factory.mktemp("http-token")
    site = ReferenceSite(
        folder / "ref.db",
        "--token-env",
        "ANP_TEST_REF_TOKEN",
        env={"ANP_TEST_REF_TOKEN": "tok-123"},
    )
    try:
        text = (
            'kind = "http"\nname = "tok"\nbase_url = "' + site.url + '"\n'
            '[http]\npath = "/import/posts"\nhealth_path = "/health"\n'
            '[http.headers]\nAuthorization = "Bearer ${ANP_TEST_REF_TOKEN}"\n'
            '[http.read]\npath = "/posts/{reference}"\ncompare = "hash"\nhash_path = "meta.hash"\n'
        )
        path = folder / "tok.toml"
        path.write_text(text, encoding="utf-8")
        target = load_target(path, environ={"ANP_TEST_REF_TOKEN": "tok-123"})
        wrong = load_target(path, environ={"ANP_TEST_REF_TOKEN": "wrong"})
        post = synthesize(600)
        with Sender(site.url) as sender:
            refused = wrong.import_ack(post, sender.send(wrong.import_request(post)))
            assert (refused.acknowledged, refused.status) == (False, 401)
            ack = target.import_ack(post, sender.send(target.import_request(post)))
            assert (ack.acknowledged, ack.status) == (True, 201)
            back = target.read_back(
                post.meta.reference, sender.send(target.read_request(post.meta.reference)), post
            )
            assert (back.copies, back.stored_hash, back.content_ok) == (1, post.meta.hash, True)
    finally:
        site.stop()
