"""The corpus manifest: ``FILE.manifest.json`` next to each corpus file.

It records what the corpus holds and a digest of the exact bytes, and nothing that depends on the
clock, the machine or the worker count, so that two runs over the same seeds give identical
manifests.
"""

from __future__ import annotations

import builtins
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from synth.atomic import AtomicWriter, destination
from synth.corpus_errors import CorpusError
from synth.seeds import SeedRanges, format_seed_ranges, merge_ranges

MANIFEST_VERSION = 1
"""Version of the manifest layout."""


@dataclass(frozen=True)
class CorpusManifest:
    """What a corpus file holds."""

    manifest_version: int
    """Layout version of this manifest (:data:`MANIFEST_VERSION`)."""
    generator: str
    """Name of the generator that made the posts."""
    generator_version: str
    """``synth.GENERATOR_VERSION`` of the generator that made the posts."""
    format: str
    """Corpus format: jsonl, text, html or markdown."""
    compression: str
    """``gzip`` (chosen by the ``.gz`` extension) or ``none``."""
    size: str | None
    """The ``--size`` the posts were made with, or None for natural sizes."""
    seeds: str
    """The seed ranges as written on the command line, normalised (``1,3,10-20``)."""
    seed_ranges: list[list[int]]
    """The same ranges as inclusive ``[first, last]`` pairs."""
    count: int
    """Number of posts (records) in the file."""
    chunk_seeds: int
    """Seeds per chunk (and per gzip member); fixed by the format and size, never by workers."""
    file: str
    """Base name of the corpus file."""
    bytes: int
    """Size of the corpus file in bytes (compressed size for gzip)."""
    sha256: str
    """SHA-256 of the corpus file's bytes, hex."""

    def ranges(self) -> SeedRanges:
        return merge_ranges((a, b) for a, b in self.seed_ranges)

    def to_json(self) -> builtins.bytes:
        """Deterministic JSON: sorted keys, 2-space indent, trailing newline."""
        return (json.dumps(asdict(self), sort_keys=True, indent=2) + "\n").encode("utf-8")


def manifest_path(corpus_path: str | Path) -> Path:
    """``corpus.jsonl.gz`` -> ``corpus.jsonl.gz.manifest.json``."""
    path = Path(corpus_path)
    return path.with_name(path.name + ".manifest.json")


def has_manifest_file(corpus_path: str | Path) -> bool:
    """False when the corpus goes to a special file (``/dev/stdout``, a FIFO, ``/dev/null``):
    there is no corpus file to sit next to, so no ``FILE.manifest.json`` is written."""
    try:
        return not destination(corpus_path).direct
    except OSError:
        return True


def manifest_writer(manifest: CorpusManifest, corpus: AtomicWriter) -> AtomicWriter:
    """A finished (fsynced, not yet committed) atomic writer holding the manifest of the corpus
    that ``corpus`` writes, at ``manifest_path(corpus.path)``. When the corpus went straight to a
    special file (``corpus.direct``), the manifest is discarded (written to ``os.devnull``)
    instead of creating ``/dev/stdout.manifest.json``."""
    writer = AtomicWriter(os.devnull if corpus.direct else manifest_path(corpus.path))
    try:
        writer.write(manifest.to_json())
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    return writer


def read_manifest(path: Path) -> CorpusManifest:
    """Read and check a manifest; CorpusError (exit 2) when it is not a valid manifest."""
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict):
            raise TypeError("the top level is not an object")
        manifest = CorpusManifest(**data)
        if format_seed_ranges(manifest.ranges()) != manifest.seeds:
            raise ValueError("'seeds' and 'seed_ranges' disagree")
    except (OSError, ValueError, TypeError) as exc:
        raise CorpusError(
            f"cannot read the corpus manifest {str(path)!r}: {exc}; expected the JSON written by "
            "'anp corpus' (delete it to verify the corpus without a manifest)"
        ) from None
    return manifest
