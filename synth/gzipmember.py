"""Deterministic gzip members.

``gzip_member(data)`` returns one complete gzip member (RFC 1952) with a fixed header: no file
name, modification time 0, OS byte 255 ("unknown"). The bytes depend only on ``data``, the level
and the zlib library. A corpus file is a concatenation of such members, one per chunk; every gzip
reader (``gzip -d``, ``zcat``, Python's ``gzip``) reads a multi-member file as the concatenation of
the members' contents.

``GzipMember`` builds the same member from ``data`` given in pieces: zlib's deflate, fed without
flushing, emits the same stream however its input is split (it waits for enough look-ahead
before each decision; a test checks random splits against ``gzip_member``). Corpus chunks are fed
in pieces of a few hundred KB, which stay in the CPU's cache, instead of one buffer of about
1.7 MB.
"""

from __future__ import annotations

import struct
import zlib

GZIP_LEVEL = 4
"""The deflate level used for corpora: measured here, level 4 compresses about as well as 6
(ratio ~0.16 vs ~0.14 on jsonl) in about 60% of the time, and compression costs about as much
as synthesis."""

_HEADER = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"


class GzipMember:
    """One gzip member, its data added in pieces: ``add`` each piece, then ``finish``."""

    def __init__(self, level: int = GZIP_LEVEL) -> None:
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._parts = [_HEADER]
        self._crc = 0
        self._size = 0

    def add(self, data: bytes) -> None:
        self._parts.append(self._compressor.compress(data))
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)

    def finish(self) -> bytes:
        """The complete member (header, deflate stream, CRC-32 and size of all the data)."""
        self._parts.append(self._compressor.flush())
        self._parts.append(struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF))
        return b"".join(self._parts)


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One gzip member holding ``data``."""
    member = GzipMember(level)
    member.add(data)
    return member.finish()
