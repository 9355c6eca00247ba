"""Canonical JSON and the post hash. (stub: being written)"""

from __future__ import annotations

from synth.model import Post


def canonical_json(post: Post) -> bytes:
    raise NotImplementedError


def post_hash(post: Post) -> str:
    raise NotImplementedError


def post_from_json(data: bytes | str) -> Post:
    raise NotImplementedError
