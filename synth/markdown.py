"""Markdown rendering. (stub: being written)"""

from __future__ import annotations

from synth.model import Post


def render_markdown(post: Post) -> str:
    raise NotImplementedError
