"""Deterministic hostile and invalid posts. (stub: being written)"""

from __future__ import annotations

from dataclasses import dataclass

INVALID_KINDS: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvalidPost:
    kind: str
    seed: int
    reference: str
    body: bytes
    content_type: str
    expected_status: tuple[int, ...]
    description: str


def synthesize_invalid(seed: int, kind: str) -> InvalidPost:
    raise NotImplementedError
