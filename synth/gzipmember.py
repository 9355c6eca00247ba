"""Deterministic gzip members.

``gzip_member(data)`` returns one complete gzip member (RFC 1952) with a fixed header: no file
name, modification time 0, OS byte 255 ("unknown"). The bytes depend only on ``data``, the level
and the zlib library. A corpus file is a concatenation of such members, one per chunk; every gzip
reader (``gzip -d``, ``zcat``, Python's ``gzip``) reads a multi-member file as the concatenation of
the members' contents.
"""

from __future__ import annotations

import struct
import zlib

GZIP_LEVEL = 4
"""The deflate level used for corpora: measured here, level 4 compresses about as well as 6
(ratio ~0.16 vs ~0.14 on jsonl) in about 60% of the time, and compression costs about as much
as synthesis."""

_HEADER = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One gzip member holding ``data``."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return _HEADER + body + trailer
