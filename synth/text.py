"""The anp page text format: render and parse. (stub: being written)"""

from __future__ import annotations

from synth.model import Post


def render_text(post: Post) -> str:
    raise NotImplementedError


def parse_text(text: str) -> Post:
    raise NotImplementedError
