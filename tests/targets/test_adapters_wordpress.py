"""The wordpress adapter's pure logic: what it sends for a Post, how it judges single and 207
batch answers (including the meta-400-still-created quirk), and how it judges read-backs."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from synth import INVALID_KINDS, CodeBlock, Figure, Post, synthesize, synthesize_invalid
from targets import Response, TargetError, WordPressTarget, content_html
from targets.adapters.wordpress import document_fields, judge
from targets.adapters.wp_content import block_html, post_fields, slug_for
from targets.base import REDACTED

POST = synthesize(21)
OTHER = synthesize(22)


def _target(**kwargs: Any) -> WordPressTarget:
    return WordPressTarget(
        "wp", "http://127.0.0.1:8080", user="anp", app_password="abcd efgh ijkl", **kwargs
    )


def _json(value: object, status: int = 200) -> Response:
    return Response(status, json.dumps(value).encode())


def _stored(post: Post, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": 7,
        "title": post.title,
        "content": content_html(post),
        "anp_hash": post.meta.hash,
    }
    row.update(changes)
    return row


def test_import_request_fields() -> None:
    request = _target().import_request(POST)
    assert (request.method, request.path, request.name) == (
        "POST",
        "/wp-json/wp/v2/posts",
        "POST /wp/v2/posts",
    )
    body = json.loads(request.body or b"")
    assert body["title"] == POST.title
    assert body["content"] == content_html(POST)
    assert body["excerpt"] == POST.meta.summary
    assert body["status"] == "publish"
    assert body["slug"] == POST.meta.reference
    assert body["date"] == POST.meta.revision.last_reviewed + "T00:00:00"
    assert body["meta"] == {
        "anp_reference": POST.meta.reference,
        "anp_hash": POST.meta.hash,
        "anp_seed": 21,
        "anp_generator_version": POST.meta.payload.generator_version,
    }


def test_application_password_is_basic_auth_and_hidden() -> None:
    target = _target()
    request = target.import_request(POST)
    expected = base64.b64encode(b"anp:abcd efgh ijkl").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.redacted()["headers"]["Authorization"] == REDACTED  # type: ignore[index]
    for shown in (repr(request), repr(target), str(request.redacted())):
        assert "abcd efgh" not in shown and expected not in shown


def test_content_is_an_escaped_fragment_with_every_section() -> None:
    html = content_html(POST)
    assert html.startswith("<p>")
    assert html.endswith(f"<p>{POST.final_notes}</p>".replace("&", "&amp;"))
    for section in POST.sections:
        assert f"<h2>{section.heading}</h2>" in html
    code = block_html(CodeBlock(language="py", code="if a < b & c:\n    pass"))
    assert code == '<pre><code class="language-py">if a &lt; b &amp; c:\n    pass</code></pre>'
    figure = block_html(Figure(caption='a "b"', source="s", url="https://x/?a=1&b=2"))
    assert 'src="https://x/?a=1&amp;b=2" alt="a &quot;b&quot;"' in figure


@pytest.mark.parametrize(
    ("reference", "slug"),
    [("anp-ref-000679-3304", "anp-ref-000679-3304"), ("ANP_Ref 1", "anp-ref-1"), ("-x-", "x")],
)
def test_slug_for(reference: str, slug: str) -> None:
    assert slug_for(reference) == slug


@pytest.mark.parametrize(
    ("status", "body", "acknowledged", "error", "maybe"),
    [
        (201, {"id": 1}, True, None, False),
        (
            400,
            {
                "code": "rest_invalid_type",
                "message": "meta.anp_seed is not of type integer.",
                "additional_data": [{"param": "meta.anp_seed"}],
            },
            False,
            "http_400_rest_invalid_type",
            True,
        ),
        (
            400,
            {
                "code": "rest_invalid_param",
                "message": "Invalid parameter(s): status",
                "data": {"params": {"status": "status is not one of publish"}},
            },
            False,
            "http_400_rest_invalid_param",
            False,
        ),
        (400, {"code": "empty_content"}, False, "http_400_empty_content", False),
        (401, {"code": "rest_cannot_create"}, False, "http_401_rest_cannot_create", False),
        (500, {"code": "internal_server_error"}, False, "http_500_internal_server_error", True),
    ],
)
def test_import_ack(
    status: int, body: object, acknowledged: bool, error: str | None, maybe: bool
) -> None:
    ack = _target().import_ack(POST, _json(body, status))
    assert (ack.acknowledged, ack.status, ack.error, ack.may_have_written) == (
        acknowledged,
        status,
        error,
        maybe,
    )


def test_batch_request_limit_and_shape() -> None:
    target = _target()
    request = target.batch_request([POST, OTHER])
    body = json.loads(request.body or b"")
    assert [r["path"] for r in body["requests"]] == ["/wp/v2/posts", "/wp/v2/posts"]
    assert body["requests"][1]["body"] == post_fields(OTHER)
    with pytest.raises(ValueError, match=r"a WordPress batch holds 1\.\.25 posts, got 26"):
        target.batch_request([POST] * 26)
    with pytest.raises(TargetError, match=r"batch_limit must be 1\.\.25, got 30"):
        _target(batch_limit=30)


def test_batch_207_mixed_statuses() -> None:
    answer = {
        "responses": [
            {"status": 201, "body": {"id": 1}},
            {
                "status": 400,
                "body": {
                    "code": "rest_invalid_type",
                    "message": "meta.anp_seed is not of type integer.",
                },
            },
            {
                "status": 400,
                "body": {"code": "rest_invalid_param", "message": "Invalid parameter(s): status"},
            },
        ]
    }
    posts = [POST, OTHER, synthesize(23)]
    acks = _target().batch_acks(posts, _json(answer, 207))
    assert [(a.reference, a.acknowledged, a.error, a.may_have_written) for a in acks] == [
        (POST.meta.reference, True, None, False),
        (OTHER.meta.reference, False, "http_400_rest_invalid_type", True),
        (posts[2].meta.reference, False, "http_400_rest_invalid_param", False),
    ]


def test_batch_whole_failure_short_answer_and_bad_body() -> None:
    target = _target()
    whole = target.batch_acks([POST], _json({"code": "rest_batch_max_requests"}, 400))
    assert (whole[0].acknowledged, whole[0].error) == (False, "http_400_rest_batch_max_requests")
    short = target.batch_acks(
        [POST, OTHER], _json({"responses": [{"status": 201, "body": {}}]}, 207)
    )
    assert [(a.acknowledged, a.error) for a in short] == [(True, None), (False, "missing_item")]
    garbage = target.batch_acks([POST], Response(207, b"<html>"))
    assert (garbage[0].error, garbage[0].may_have_written) == ("bad_body", True)


def test_judge_counts_copies_and_compares_the_first() -> None:
    assert judge("r", [], POST).copies == 0
    one = judge("r", [_stored(POST)], POST)
    assert (one.copies, one.stored_hash, one.content_ok) == (1, POST.meta.hash, True)
    two = judge("r", [_stored(POST), _stored(POST, id=8)], POST)
    assert (two.copies, two.content_ok) == (2, True)
    assert judge("r", [_stored(POST)], None).content_ok is None


@pytest.mark.parametrize(
    "change",
    [{"title": "other"}, {"anp_hash": "0" * 24}, {"content": "<p>x</p>"}, {"anp_hash": ""}],
)
def test_judge_finds_each_difference(change: dict[str, object]) -> None:
    assert judge("r", [_stored(POST, **change)], POST).content_ok is False


def test_read_back_and_lookup_answers() -> None:
    target = _target()
    ref = POST.meta.reference
    back = target.read_back(
        ref, _json({"reference": ref, "copies": 1, "posts": [_stored(POST)]}), POST
    )
    assert (back.copies, back.content_ok, back.error) == (1, True, None)
    assert (
        target.read_back(ref, _json({"code": "rest_forbidden"}, 401)).error
        == "http_401_rest_forbidden"
    )
    assert target.read_back(ref, _json({"posts": "x"})).error == "bad_body"
    gone = target.read_back(ref, _json({"code": "anp_not_found"}, 404))
    assert (gone.copies, gone.error) == (0, None)
    no_plugin = target.read_back(ref, _json({"code": "rest_no_route"}, 404))
    assert (no_plugin.copies, no_plugin.error) == (0, "http_404_rest_no_route")
    found = {"posts": {ref: [_stored(POST), _stored(POST, id=9)], "gone": []}}
    backs = target.lookup_read_backs([ref, "gone", "unasked"], _json(found), {ref: POST})
    assert [(b.copies, b.content_ok, b.error) for b in backs] == [
        (2, True, None),
        (0, None, None),
        (0, None, "missing_item"),
    ]
    assert json.loads(target.lookup_request(["a", "b"]).body or b"") == {"references": ["a", "b"]}
    with pytest.raises(ValueError, match=r"1\.\.100 references, got 101"):
        target.lookup_request(["a"] * 101)


def test_release_needs_the_plugin() -> None:
    target = _target()
    assert target.release(_json({"wordpress": "6.1.9", "plugin": "1"})) == "6.1.9"
    with pytest.raises(TargetError, match="is the anp-loadtest must-use plugin installed"):
        target.release(_json({"code": "rest_no_route"}, 404))


@pytest.mark.parametrize("kind", INVALID_KINDS)
def test_every_invalid_kind_maps_to_a_request(kind: str) -> None:
    invalid = synthesize_invalid(31, kind)
    request = _target().invalid_request(invalid)
    assert request.path == "/wp-json/wp/v2/posts"
    assert request.headers["Content-Type"] == invalid.content_type
    if isinstance(invalid.document, dict):
        body = json.loads(request.body or b"")
        assert body["status"] == "publish"
        assert body["meta"]["anp_reference"] == invalid.reference
    else:
        assert request.body == invalid.body


def test_document_fields_keep_bad_values() -> None:
    document = json.loads(synthesize_invalid(31, "wrong_type").body)
    fields = document_fields(document)
    assert fields["content"] == document["sections"]  # an object where a list belongs
    missing = json.loads(synthesize_invalid(7, "missing_field").body)
    assert "hash" not in missing["meta"]  # seed 7 drops meta.hash
    assert "anp_hash" not in document_fields(missing)["meta"]
    valid = json.loads(synthesize_invalid(31, "hash_mismatch").body)
    assert document_fields(valid)["content"].startswith("<p>")


# --- the bring-up scripts (no WordPress needed) -------------------------------------------------

SCRIPTS = Path(__file__).resolve().parents[2] / "targets" / "wordpress"


def test_down_stops_recorded_pids_and_ignores_junk(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "run" / "apache2.pid").write_text(f"{sleeper.pid}\n")
        (tmp_path / "run" / "mysqld.pid").write_text("not-a-pid\n")
        done = subprocess.run(
            [str(SCRIPTS / "down.sh")],
            env={**os.environ, "ANP_WP_ROOT": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert sleeper.wait(timeout=10) == -signal.SIGTERM
        assert f"stopped apache2 (pid {sleeper.pid})" in done.stdout
        assert "ignoring" in done.stderr and "not a PID" in done.stderr
        assert not (tmp_path / "run" / "apache2.pid").exists()
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANP_WP_PORT": "80a"}, "ANP_WP_PORT must be a port number, got '80a'"),
        (
            {"ANP_WP_ROOT": "relative/dir"},
            "ANP_WP_ROOT must be an absolute path, got 'relative/dir'",
        ),
        ({"ANP_WP_ROOT": str(SCRIPTS)}, "was not made by this script; refusing to use it"),
    ],
)
def test_up_refuses_bad_settings(env: dict[str, str], message: str) -> None:
    done = subprocess.run(
        [str(SCRIPTS / "up.sh")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert message in done.stderr
