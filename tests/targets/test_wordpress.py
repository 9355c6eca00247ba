"""The wordpress adapter against the real WordPress brought up by targets/wordpress/up.sh.

Skipped when WordPress is not up, failed instead when ANP_REQUIRE_REAL_TARGETS=1. Every test
purges the references it uses first, so reruns against the same WordPress start clean.
"""

from __future__ import annotations

import json
import re

import pytest
import wordpress_fixtures

from synth import INVALID_KINDS, Post, synthesize, synthesize_invalid
from targets import Request, Sender, WordPressTarget, fetch_release, import_posts, read_back_posts
from targets.adapters.wordpress import WORDPRESS_REJECTS

pytestmark = [pytest.mark.wordpress, pytest.mark.integration]

wordpress = wordpress_fixtures.wordpress
wp_sender = wordpress_fixtures.wp_sender

SEEDS = 7_000_000  # this module's seeds start here, away from anything a demo imports


def _posts(offset: int, count: int) -> list[Post]:
    return [synthesize(SEEDS + offset + i) for i in range(count)]


def _purge(target: WordPressTarget, sender: Sender, references: list[str]) -> None:
    for i in range(0, len(references), 100):
        answer = sender.send(target.purge_request(references[i : i + 100]))
        assert answer.status == 200, answer.body[:300]


def _with_body(request: Request, body: object) -> Request:
    return Request(
        request.method, request.path, request.name, request.headers, json.dumps(body).encode()
    )


def test_create_and_read_back_with_hash(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    (post,) = _posts(0, 1)
    _purge(wordpress, wp_sender, [post.meta.reference])
    ack = wordpress.import_ack(post, wp_sender.send(wordpress.import_request(post)))
    assert (ack.acknowledged, ack.status, ack.error) == (True, 201, None)
    back = wordpress.read_back(
        post.meta.reference, wp_sender.send(wordpress.read_request(post.meta.reference)), post
    )
    assert (back.copies, back.stored_hash, back.content_ok, back.error) == (
        1,
        post.meta.hash,
        True,
        None,
    )
    # the raw fields through WordPress's own API (context=edit) agree with the plugin's view
    listing = wp_sender.send(
        Request(
            "GET",
            f"/wp-json/wp/v2/posts?slug={post.meta.reference}&context=edit",
            "GET /wp/v2/posts",
            wordpress.import_request(post).headers,
        )
    )
    (stored,) = json.loads(listing.body)
    assert stored["title"]["raw"] == post.title
    assert (
        stored["content"]["raw"]
        == json.loads(wordpress.import_request(post).body or b"")["content"]
    )
    assert stored["meta"]["anp_hash"] == post.meta.hash
    assert stored["meta"]["anp_seed"] == post.meta.payload.seed


def test_a_different_post_under_the_reference_is_not_content_ok(
    wordpress: WordPressTarget, wp_sender: Sender
) -> None:
    post, other = _posts(10, 2)
    _purge(wordpress, wp_sender, [post.meta.reference])
    assert wordpress.import_ack(post, wp_sender.send(wordpress.import_request(post))).acknowledged
    back = wordpress.read_back(
        post.meta.reference, wp_sender.send(wordpress.read_request(post.meta.reference)), other
    )
    assert (back.copies, back.content_ok) == (1, False)


def test_duplicate_slug_is_renamed_and_counted_as_two_copies(
    wordpress: WordPressTarget, wp_sender: Sender
) -> None:
    (post,) = _posts(20, 1)
    _purge(wordpress, wp_sender, [post.meta.reference])
    first = wp_sender.send(wordpress.import_request(post))
    second = wp_sender.send(wordpress.import_request(post))
    assert (first.status, second.status) == (201, 201)  # WordPress does not refuse the duplicate
    assert json.loads(first.body)["slug"] == post.meta.reference
    assert json.loads(second.body)["slug"] == post.meta.reference + "-2"
    back = wordpress.read_back(
        post.meta.reference, wp_sender.send(wordpress.read_request(post.meta.reference)), post
    )
    assert (back.copies, back.content_ok) == (2, True)


def test_batches_of_25_split_by_the_caller(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    posts = _posts(100, 30)
    references = [p.meta.reference for p in posts]
    _purge(wordpress, wp_sender, references)
    acks = import_posts(wordpress, posts, sender=wp_sender)  # 25 + 5
    assert [a.reference for a in acks] == references
    assert all(a.acknowledged and a.status == 201 for a in acks)
    backs = read_back_posts(wordpress, posts, sender=wp_sender)  # one lookup request
    assert [(b.copies, b.content_ok) for b in backs] == [(1, True)] * 30


def test_more_than_25_in_one_batch_is_refused_whole(
    wordpress: WordPressTarget, wp_sender: Sender
) -> None:
    posts = _posts(200, 26)
    _purge(wordpress, wp_sender, [p.meta.reference for p in posts])
    request = wordpress.batch_request(posts[:25])
    body = json.loads(request.body or b"")
    body["requests"].append(
        {"method": "POST", "path": "/wp/v2/posts", "body": body["requests"][0]["body"]}
    )
    acks = wordpress.batch_acks(posts, wp_sender.send(_with_body(request, body)))
    assert {(a.acknowledged, a.status) for a in acks} == {(False, 400)}
    assert [b.copies for b in read_back_posts(wordpress, posts, sender=wp_sender)] == [0] * 26


def test_207_with_mixed_statuses(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    posts = _posts(300, 3)
    _purge(wordpress, wp_sender, [p.meta.reference for p in posts])
    request = wordpress.batch_request(posts)
    body = json.loads(request.body or b"")
    body["requests"][1]["body"]["status"] = "no-such-status"  # refused before anything is written
    body["requests"][2]["body"]["meta"]["anp_seed"] = "not a number"  # refused after the insert
    answer = wp_sender.send(_with_body(request, body))
    assert answer.status == 207
    acks = wordpress.batch_acks(posts, answer)
    assert [(a.acknowledged, a.status, a.may_have_written) for a in acks] == [
        (True, 201, False),
        (False, 400, False),
        (False, 400, True),
    ]
    assert acks[1].error == "http_400_rest_invalid_param"
    backs = read_back_posts(wordpress, posts, sender=wp_sender)
    assert [b.copies for b in backs] == [1, 0, 1]  # the meta-400 post exists all the same


def test_meta_400_still_creates_the_post(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    (post,) = _posts(400, 1)
    _purge(wordpress, wp_sender, [post.meta.reference])
    request = wordpress.import_request(post)
    body = json.loads(request.body or b"")
    body["meta"]["anp_seed"] = "not a number"
    ack = wordpress.import_ack(post, wp_sender.send(_with_body(request, body)))
    assert (ack.acknowledged, ack.status, ack.error, ack.may_have_written) == (
        False,
        400,
        "http_400_rest_invalid_type",
        True,
    )
    back = wordpress.read_back(
        post.meta.reference, wp_sender.send(wordpress.read_request(post.meta.reference)), post
    )
    assert back.copies == 1  # written although refused; the meta before the bad key is kept
    assert back.stored_hash == post.meta.hash


def test_missing_title_still_creates(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    (post,) = _posts(500, 1)
    _purge(wordpress, wp_sender, [post.meta.reference])
    request = wordpress.import_request(post)
    body = json.loads(request.body or b"")
    del body["title"]
    ack = wordpress.import_ack(post, wp_sender.send(_with_body(request, body)))
    assert (ack.acknowledged, ack.status) == (True, 201)
    back = wordpress.read_back(
        post.meta.reference, wp_sender.send(wordpress.read_request(post.meta.reference)), post
    )
    assert (back.copies, back.content_ok) == (1, False)  # verification catches the lost title


def test_without_credentials_nothing_is_created(
    wordpress: WordPressTarget, wp_sender: Sender
) -> None:
    (post,) = _posts(600, 1)
    _purge(wordpress, wp_sender, [post.meta.reference])
    request = wordpress.import_request(post)
    anonymous = Request(
        request.method,
        request.path,
        request.name,
        {"Content-Type": "application/json"},
        request.body,
    )
    ack = wordpress.import_ack(post, wp_sender.send(anonymous))
    assert (ack.acknowledged, ack.status, ack.error) == (False, 401, "http_401_rest_cannot_create")
    answer = wp_sender.send(wordpress.read_request(post.meta.reference))
    assert answer.status == 404  # the plugin's anp_not_found
    back = wordpress.read_back(post.meta.reference, answer)
    assert (back.copies, back.error) == (0, None)


def test_release_is_the_wordpress_version(wordpress: WordPressTarget, wp_sender: Sender) -> None:
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", fetch_release(wordpress, wp_sender))
    assert wp_sender.send(wordpress.health_request()).status == 200


SURROGATE = b"\xed\xa0\x80"
"""invalid_unicode's CESU-8 surrogate bytes: Python's json.loads accepts them (the adapter once
crashed re-encoding them), PHP's json_decode does not."""


def _invalid_seeds(kind: str) -> list[int]:
    """Three seeds per kind; for invalid_unicode one of them carries the surrogate bytes."""
    seeds = [SEEDS + 700, SEEDS + 701]
    if kind == "invalid_unicode":
        seeds.append(
            next(
                s
                for s in range(SEEDS + 702, SEEDS + 800)
                if SURROGATE in synthesize_invalid(s, kind).body
            )
        )
    else:
        seeds.append(SEEDS + 702)
    return seeds


@pytest.mark.parametrize("kind", INVALID_KINDS)
def test_invalid_kinds_as_measured(
    wordpress: WordPressTarget, wp_sender: Sender, kind: str
) -> None:
    for seed in _invalid_seeds(kind):
        invalid = synthesize_invalid(seed, kind)
        _purge(wordpress, wp_sender, [invalid.reference])
        answer = wp_sender.send(wordpress.invalid_request(invalid))
        stored = wordpress.read_back(
            invalid.reference, wp_sender.send(wordpress.read_request(invalid.reference))
        )
        if kind in WORDPRESS_REJECTS:
            status, code = WORDPRESS_REJECTS[kind]
            assert (answer.status, json.loads(answer.body)["code"]) == (status, code), seed
            assert (stored.copies, stored.error) == (0, None)
        else:  # WordPress is lenient: it stores the rest
            assert answer.status == 201, (seed, answer.body[:300])
            assert stored.copies == 1
