"""Fixture corpora: many synthesized posts in one file, written in parallel, atomically.

How it works:

- the seeds are cut into chunks of ``chunk_seeds`` consecutive seeds (see :func:`chunk_size`);
  chunk boundaries depend on the seeds, the format and the size only, never on the worker count;
- each chunk is rendered (and, for ``.gz``, compressed into its own gzip member) by one of
  ``workers`` workers: the calling thread, helper threads when a chunk mostly runs outside the
  GIL (see :func:`threads_for`), and worker processes (see :mod:`synth.parallel`); chunks are
  written strictly in order, with at most ``2 * workers`` chunks in flight, so memory stays flat
  whatever the number of posts;
- so the output bytes are identical for any ``workers``;
- the file and its manifest are written to temp files in the same directory, fsynced, then moved
  into place with ``os.replace``; an interruption (Ctrl-C, SIGTERM, an error) removes the temp
  files and leaves nothing new under the final names.

``workers=1`` renders in the calling thread (no other threads or processes).
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from functools import partial
from itertools import chain, islice, repeat
from pathlib import Path
from types import FrameType

from synth.atomic import AtomicWriter
from synth.corpus_errors import CorpusError
from synth.formats import CORPUS_FORMATS, DOCUMENT_SEPARATOR, check_choice, is_gzip_path
from synth.gzipmember import GzipMember
from synth.manifest import MANIFEST_VERSION, CorpusManifest, manifest_writer
from synth.parallel import ordered_map
from synth.seeds import (
    SeedRanges,
    check_seed_ranges,
    count_seeds,
    format_seed_ranges,
    parse_seed_ranges,
)
from synth.version import GENERATOR_NAME, GENERATOR_VERSION

__all__ = [
    "GIL_LIGHT_THREADS",
    "MAX_WORKERS",
    "PIECE_POSTS",
    "chunk_size",
    "iter_chunks",
    "render_chunk",
    "threads_for",
    "write_corpus",
]

MAX_WORKERS = 64
"""Upper bound of ``workers``."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called after each chunk is written."""

Chunk = tuple[tuple[int, int], ...]


def chunk_size(size: str | None) -> int:
    """Seeds per chunk: about 1-3 MB of output per chunk, so a chunk is worth sending to a worker
    yet ``2 * workers`` chunks stay small."""
    return {"xl": 16, "l": 64}.get(size or "", 256)


def iter_chunks(ranges: SeedRanges, per_chunk: int) -> Iterator[Chunk]:
    """Cut ``ranges`` into consecutive chunks of ``per_chunk`` seeds (the last may be shorter)."""
    current: list[tuple[int, int]] = []
    room = per_chunk
    for first, last in ranges:
        start = first
        while start <= last:
            stop = min(last, start + room - 1)
            current.append((start, stop))
            room -= stop - start + 1
            start = stop + 1
            if room == 0:
                yield tuple(current)
                current, room = [], per_chunk
    if current:
        yield tuple(current)


PIECE_POSTS = 32
"""Posts rendered and compressed at a time within a chunk (about 200 KB of jsonl, which stays
in a core's 1 MB L2 cache between being written and being compressed) instead of one 1.7 MB
buffer per 256-post chunk. Measured in-process over 100,000 jsonl.gz posts, two rounds: two
worker threads 3.29-3.36 s (CPU 6.31-6.43 s) against 3.40-3.48 s (6.45-6.56 s), so the two
cores contend less; one worker 6.31-6.51 s against 6.25-6.26 s (about 1-4% slower). The bytes
are the same either way (see :class:`synth.gzipmember.GzipMember`)."""


def _pieces(seeds: Iterator[int], fmt: str, size: str | None) -> Iterator[bytes]:
    """The records of ``seeds`` in ``fmt``, joined ``PIECE_POSTS`` at a time."""
    from synth.build import build_json
    from synth.formats import corpus_record
    from synth.generate import synthesize

    while batch := list(islice(seeds, PIECE_POSTS)):
        if fmt == "jsonl":
            # synthesize_json's bytes (canonical_json(synthesize(seed))) without its per-post
            # checks, which write_corpus made once for the whole range: less time holding the
            # GIL, which the other worker thread waits for (see threads_for)
            lines = list(map(build_json, batch, repeat(size)))
            lines.append(b"")  # so that every post ends in a newline
            yield b"\n".join(lines)
            continue
        records = []
        for seed in batch:
            record = corpus_record(synthesize(seed, size=size), fmt)
            if b"\n\f\n" in record[: -len(DOCUMENT_SEPARATOR)]:
                raise CorpusError(f"seed {seed}: the document contains a form-feed line")
            records.append(record)
        yield b"".join(records)


def render_chunk(chunk: Chunk, fmt: str, size: str | None, compress: bool) -> tuple[bytes, int]:
    """Render one chunk as corpus bytes (one gzip member when ``compress``); return
    ``(bytes, number of posts)``. Runs in worker threads and processes, so it imports what it
    needs. Raises SeedError / SeedRangeError for a bad range (checked per range, not per seed)."""
    chunk = check_seed_ranges(chunk)
    seeds = chain.from_iterable(range(first, last + 1) for first, last in chunk)
    count = sum(last - first + 1 for first, last in chunk)
    pieces = _pieces(seeds, fmt, size)
    if not compress:
        return b"".join(pieces), count
    member = GzipMember()
    for piece in pieces:
        member.add(piece)
    return member.finish(), count


GIL_LIGHT_THREADS = 2
"""Workers that run as threads of the calling process when a chunk spends most of its time
outside the GIL (see :func:`threads_for`)."""


def threads_for(fmt: str, compress: bool, workers: int) -> int:
    """How many of the ``workers`` run as threads of the calling process (the rest are processes).

    A jsonl.gz chunk built by the C builder spends about 84% of its time in zlib, which releases
    the GIL (measured: 54 of 65 us per post), so two threads of one process render chunks at once
    with no process to start and no result to pickle. A third thread would start to queue for
    the GIL, so more workers are processes. Every other case (text formats, no compression, the
    pure-Python builder) holds the GIL throughout and uses processes only.
    """
    from synth import native

    if compress and fmt == "jsonl" and native.ACTIVE == "native":
        return min(workers, GIL_LIGHT_THREADS)
    return 1


def _produce(
    chunks: Iterator[Chunk], fmt: str, size: str | None, compress: bool, workers: int
) -> Generator[tuple[bytes, int], None, None]:
    render = partial(render_chunk, fmt=fmt, size=size, compress=compress)
    return ordered_map(render, chunks, workers, threads=threads_for(fmt, compress, workers))


class _Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that cleanup runs."""


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_args(
    ranges: SeedRanges | str,
    out_path: str | os.PathLike[str],
    fmt: str,
    workers: int,
    size: str | None,
) -> tuple[SeedRanges, Path]:
    from synth.generate import SIZES

    # parsed pairs are checked as the text form is: seeds in range, first <= last
    ranges = parse_seed_ranges(ranges) if isinstance(ranges, str) else check_seed_ranges(ranges)
    if not ranges:
        raise CorpusError("seed ranges must not be empty; expected e.g. 0-99999, 5 or 1,3,10-20")
    check_choice(fmt, CORPUS_FORMATS, "--format", "--format jsonl")
    if size is not None:
        check_choice(size, SIZES, "--size", "--size m")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise CorpusError(
            f"--workers must be an integer in 1..{MAX_WORKERS}, got {workers!r} (for example "
            "--workers 2)"
        )
    path = Path(out_path)
    if path.is_dir():
        raise CorpusError(
            f"--out {str(path)!r} is a directory; expected a file such as corpus.jsonl.gz"
        )
    if not path.parent.is_dir():
        raise CorpusError(
            f"--out {str(path)!r}: the directory {str(path.parent)!r} does not exist; create it first"
        )
    return ranges, path


def write_corpus(
    ranges: SeedRanges | str,
    out_path: str | os.PathLike[str],
    fmt: str = "jsonl",
    *,
    workers: int = 1,
    size: str | None = None,
    progress: Progress | None = None,
) -> CorpusManifest:
    """Write the posts of ``ranges`` (``'0-99'`` or parsed pairs) to ``out_path`` in ``fmt``,
    gzip-compressed when the name ends in ``.gz``, plus ``out_path.manifest.json``.

    Returns the manifest. Raises CorpusError / SeedRangeError (exit code 2) for bad arguments.
    """
    ranges, path = _check_args(ranges, out_path, fmt, workers, size)
    compress = is_gzip_path(path)
    total = count_seeds(ranges)
    per_chunk = chunk_size(size)
    digest = hashlib.sha256()
    written = 0
    done = 0
    data = AtomicWriter(path)
    meta: AtomicWriter | None = None
    try:
        with _sigterm_as_interrupt():
            produced = _produce(iter_chunks(ranges, per_chunk), fmt, size, compress, workers)
            with closing(produced):
                for chunk_bytes, count in produced:
                    data.write(chunk_bytes)
                    digest.update(chunk_bytes)
                    written += len(chunk_bytes)
                    done += count
                    if progress is not None:
                        progress(done, total)
            data.finish()
            manifest = CorpusManifest(
                manifest_version=MANIFEST_VERSION,
                generator=GENERATOR_NAME,
                generator_version=GENERATOR_VERSION,
                format=fmt,
                compression="gzip" if compress else "none",
                size=size,
                seeds=format_seed_ranges(ranges),
                seed_ranges=[[a, b] for a, b in ranges],
                count=done,
                chunk_seeds=per_chunk,
                file=path.name,
                bytes=written,
                sha256=digest.hexdigest(),
            )
            meta = manifest_writer(manifest, data)
            data.commit()
            meta.commit()
    except BaseException:
        data.abort()
        if meta is not None:
            meta.abort()
        raise
    return manifest
