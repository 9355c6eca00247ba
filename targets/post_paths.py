"""Which dotted paths exist in an anp post's canonical JSON, judged from the Post model's JSON
Schema (not from one sample post, so a path into any kind of block is known).

``post_path_exists("meta.reference")`` is True; ``"sections.0.blocks.0.code"`` is True (a code
block has it); ``"titel"`` and ``"sections.first"`` are False. The http adapter's ``[http.body]``
mapping is checked with it when a definition is loaded, so a typo is refused before a run.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from synth import Post


@cache
def _schema() -> dict[str, Any]:
    return Post.model_json_schema(mode="serialization")


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The concrete alternatives a schema node stands for ($ref followed, unions spread)."""
    if "$ref" in node:
        return _resolve(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    for union in ("anyOf", "oneOf", "allOf"):
        if union in node:
            return [alt for option in node[union] for alt in _resolve(option, defs)]
    return [node]


def _step(node: dict[str, Any], part: str) -> dict[str, Any] | None:
    properties = node.get("properties")
    if isinstance(properties, dict) and part in properties:
        return dict(properties[part])
    extra = node.get("additionalProperties")
    if node.get("type") == "object" and isinstance(extra, dict):
        return extra
    if node.get("type") == "array" and part.isdigit():
        items = node.get("items")
        return items if isinstance(items, dict) else {}
    return None


@cache
def post_path_exists(path: str) -> bool:
    """Whether ``path`` (keys and list indexes joined by dots) can exist in a post's canonical
    JSON."""
    schema = _schema()
    defs = schema.get("$defs", {})
    nodes = [schema]
    for part in path.split("."):
        following = []
        for node in nodes:
            for alternative in _resolve(node, defs):
                step = _step(alternative, part)
                if step is not None:
                    following.append(step)
        if not following:
            return False
        nodes = following
    return True
