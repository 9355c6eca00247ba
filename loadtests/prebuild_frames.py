"""The frames a synthesis helper (``loadtests.prebuild_worker``) sends to its Locust process.

One frame answers one seed range::

    HEADER   b"%015d %015d\\n" % (len(INDEX), len(BODIES))   (32 bytes)
    INDEX    JSON [SHAPES, POSTS]
             SHAPES: [[method, name, headers], ...]  (the distinct ones of the frame, usually 1)
             POSTS:  [[seed, reference, path, shape index, body length], ...]
    BODIES   the request bodies, concatenated in the order of POSTS

A fixed-size header lets the reader ask the pipe for exactly the bytes it needs; one JSON index
per frame keeps the Locust process's parsing to one ``orjson.loads`` per block of posts.
This module imports neither gevent nor Locust (the helper and the tests use it as it is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import orjson

from targets.base import Request

HEADER_SIZE = 32


class Prebuilt:
    """A ready import request and the seed and reference it was built from. It has a
    ``Request``'s attributes (``method``, ``path``, ``name``, ``headers``, ``body``), so the
    import user sends it as it is (a plain slotted class: cheaper to make than a ``Request``)."""

    __slots__ = ("body", "headers", "method", "name", "path", "reference", "seed")

    def __init__(
        self,
        seed: int,
        reference: str,
        method: str,
        path: str,
        name: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        self.seed = seed
        self.reference = reference
        """The post's ``meta.reference`` (what the adapter's ack reads)."""
        self.method = method
        self.path = path
        self.name = name
        self.headers = headers
        self.body = body

    @classmethod
    def of(cls, seed: int, reference: str, request: Request) -> Prebuilt:
        """The ready form of an adapter's import ``request`` for ``seed``."""
        return cls(
            seed,
            reference,
            request.method,
            request.path,
            request.name,
            request.headers,
            request.body or b"",
        )

    @property
    def request(self) -> Request:
        return Request(self.method, self.path, self.name, self.headers, self.body)


def encode_frame(items: Sequence[tuple[int, str, Request]]) -> bytes:
    """One frame of ``(seed, reference, request)``."""
    shapes: list[list[object]] = []
    shape_of: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}
    posts: list[list[object]] = []
    bodies: list[bytes] = []
    for seed, reference, request in items:
        key = (request.method, request.name, tuple(request.headers.items()))
        index = shape_of.get(key)
        if index is None:
            index = shape_of[key] = len(shapes)
            shapes.append([request.method, request.name, dict(request.headers)])
        body = request.body or b""
        posts.append([seed, reference, request.path, index, len(body)])
        bodies.append(body)
    index_json = orjson.dumps([shapes, posts])
    blob = b"".join(bodies)
    return b"%015d %015d\n" % (len(index_json), len(blob)) + index_json + blob


def frame_sizes(header: bytes) -> tuple[int, int]:
    """(index length, bodies length) from a frame's ``HEADER_SIZE`` bytes."""
    if len(header) != HEADER_SIZE or header[-1:] != b"\n":
        raise ValueError(f"bad frame header {header[:40]!r}; expected {HEADER_SIZE} bytes")
    index_len, bodies_len = header.split()
    return int(index_len), int(bodies_len)


def parse_frame(index_json: bytes, bodies: bytes) -> list[Prebuilt]:
    """The ready requests of one frame (its INDEX and BODIES parts)."""
    shapes, posts = orjson.loads(index_json)
    out = []
    at = 0
    for seed, reference, path, shape, size in posts:
        method, name, headers = shapes[shape]
        end = at + size
        out.append(Prebuilt(seed, reference, method, path, name, headers, bodies[at:end]))
        at = end
    if at != len(bodies):
        raise ValueError(f"frame bodies hold {len(bodies)} bytes; the index describes {at}")
    return out


def split_frames(data: bytes) -> list[Prebuilt]:
    """Every ready request of a helper's whole output (for tests and tools)."""
    out: list[Prebuilt] = []
    at = 0
    while at < len(data):
        index_len, bodies_len = frame_sizes(data[at : at + HEADER_SIZE])
        start = at + HEADER_SIZE
        middle = start + index_len
        at = middle + bodies_len
        out.extend(parse_frame(data[start:middle], data[middle:at]))
    return out
