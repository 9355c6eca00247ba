"""``anp corpus verify``: re-derive every post of a corpus from its seed and compare.

For each record the seed is read from the record itself (``payload.seed``: from the JSON, from the
parsed page text, from ``<meta name="anp:seed">`` in html, from the payload's ``seed`` line in
markdown). The post is synthesized again (with the manifest's ``size``) and the record must equal
its rendering byte for byte; for text the record must also parse back to the same Post. When a
manifest sits next to the file, its sha256, byte count, post count and seed order are checked too.

Outcomes: a clean corpus; mismatches (each with the record number, its first line, the seed and
what differs); or a file that cannot be read as a corpus (CorpusError, exit code 2).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from synth.corpus_errors import CorpusError
from synth.formats import CORPUS_FORMATS, format_from_path, is_gzip_path, iter_records, render_post
from synth.manifest import CorpusManifest, manifest_path, read_manifest
from synth.model import Post
from synth.parallel import ordered_map
from synth.seeds import MAX_SEED, iter_seeds

__all__ = ["Mismatch", "VerifyReport", "verify_corpus"]

_HTML_SEED = re.compile(rb'<meta name="anp:seed" content="(\d+)">')
_MD_SEED = re.compile(rb"^  - \*\*seed:\*\* (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Mismatch:
    """One problem found in a corpus."""

    record: int | None
    """1-based record number, or None for a whole-file problem (sha256, count)."""
    line: int | None
    """1-based line (in the uncompressed stream) where the record starts."""
    seed: int | None
    """The record's seed, when it could be read."""
    what: str
    """What differs, in words."""

    def __str__(self) -> str:
        where = "file" if self.record is None else f"record {self.record} (line {self.line})"
        seed = "" if self.seed is None else f" seed {self.seed}:"
        return f"{where}:{seed} {self.what}"


@dataclass
class VerifyReport:
    """What ``verify_corpus`` found."""

    path: str
    """The corpus file."""
    format: str
    """Its format."""
    records: int = 0
    """Records read."""
    manifest: str | None = None
    """The manifest checked, if one exists."""
    mismatches: list[Mismatch] = field(default_factory=list)
    """Every problem, in file order."""

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _differences(expected: object, actual: object, path: str = "") -> list[str]:
    """Paths at which two JSON-like values differ (at most a few)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{sub} missing")
            elif key not in expected:
                out.append(f"{sub} unexpected")
            else:
                out.extend(_differences(expected[key], actual[key], sub))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path or 'value'} has {len(actual)} items, expected {len(expected)}"]
        out = []
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            out.extend(_differences(a, b, f"{path}[{index}]"))
        return out
    if expected != actual:
        return [f"{path or 'value'} is {_short(actual)}, expected {_short(expected)}"]
    return []


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _first_line_difference(expected: bytes, actual: bytes) -> str:
    exp_lines = expected.split(b"\n")
    act_lines = actual.split(b"\n")
    for index, (a, b) in enumerate(zip(exp_lines, act_lines, strict=False)):
        if a != b:
            return (
                f"document line {index + 1} is {_short(b.decode('utf-8', 'replace'))}, "
                f"expected {_short(a.decode('utf-8', 'replace'))}"
            )
    return f"the document has {len(act_lines)} lines, expected {len(exp_lines)}"


def _seed_of(record: bytes, fmt: str) -> tuple[int | None, str, Post | None]:
    """The record's seed (or None and why not), and for text the parsed post."""
    parsed = None
    if fmt == "jsonl":
        try:
            seed = json.loads(record)["meta"]["payload"]["seed"]
        except (ValueError, KeyError, TypeError) as exc:
            why = f"not a JSON post with meta.payload.seed ({type(exc).__name__}: {exc})"
            return None, why, None
    elif fmt == "text":
        from synth.text import parse_text

        try:
            parsed = parse_text(record.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return None, f"not UTF-8 ({exc})", None
        except ValueError as exc:
            return None, f"page text does not parse: {exc}", None
        seed = parsed.meta.payload.seed
    else:
        match = (_HTML_SEED if fmt == "html" else _MD_SEED).search(record)
        if match is None:
            return None, "no seed found (expected the payload's seed in the document)", None
        seed = int(match.group(1))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        return None, f"payload.seed is {seed!r}, not a seed in 0..{MAX_SEED}", None
    return seed, "", parsed


def _check_record(record: bytes, fmt: str, size: str | None) -> tuple[int | None, str]:
    """(seed, what differs) for one record; '' when it matches."""
    from synth.generate import synthesize, synthesize_json

    seed, why, parsed = _seed_of(record, fmt)
    if seed is None:
        return None, why
    if fmt == "jsonl":
        expected = synthesize_json(seed, size=size)
        if record == expected:
            return seed, ""
    else:
        expected_post = synthesize(seed, size=size)
        expected = render_post(expected_post, fmt)
    if record == expected:
        if parsed is not None and parsed != expected_post:
            return seed, "the text matches but does not parse back to the same post"
        return seed, ""
    if fmt == "jsonl":
        try:
            actual = json.loads(record)
        except ValueError as exc:
            return seed, f"not valid JSON ({exc})"
        diffs = _differences(json.loads(expected), actual)
        if not diffs:
            return seed, "same content, but the bytes are not canonical JSON"
        more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
        return seed, "; ".join(diffs[:3]) + more
    return seed, _first_line_difference(expected, record)


def _open(path: Path) -> io.BufferedIOBase:
    if is_gzip_path(path):
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def _records(path: Path, fmt: str) -> Iterator[tuple[int, bytes, bool]]:
    try:
        with _open(path) as stream:
            yield from iter_records(stream, fmt)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise CorpusError(
            f"{str(path)!r} is not a readable gzip file ({exc}); expected a file written by "
            "'anp corpus --out NAME.gz'"
        ) from None


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _check_manifest(path: Path, manifest: CorpusManifest, report: VerifyReport) -> None:
    from synth.version import GENERATOR_VERSION

    if manifest.generator_version != GENERATOR_VERSION:
        report.mismatches.append(
            Mismatch(
                None,
                None,
                None,
                f"the corpus was made by generator version {manifest.generator_version}, this is "
                f"{GENERATOR_VERSION}: its posts are expected to differ (regenerate the corpus)",
            )
        )
    digest, size = _file_digest(path)
    if size != manifest.bytes:
        report.mismatches.append(
            Mismatch(None, None, None, f"file has {size} bytes, the manifest says {manifest.bytes}")
        )
    if digest != manifest.sha256:
        report.mismatches.append(
            Mismatch(
                None, None, None, f"sha256 {digest} differs from the manifest's {manifest.sha256}"
            )
        )


VERIFY_BATCH = 256
"""Records per task when verifying with several workers."""

Batch = list[tuple[bytes, bool]]


def check_batch(batch: Batch, fmt: str, size: str | None) -> list[tuple[int | None, str]]:
    """``(seed, what differs)`` for each ``(record, complete)``; runs in worker processes."""
    out: list[tuple[int | None, str]] = []
    for record, complete in batch:
        if complete:
            out.append(_check_record(record, fmt, size))
        else:
            out.append((None, "truncated: the last record has no end marker"))
    return out


def _batches(records: Iterator[tuple[int, bytes, bool]], lines: deque[int]) -> Iterator[Batch]:
    batch: Batch = []
    for line, record, complete in records:
        lines.append(line)
        batch.append((record, complete))
        if len(batch) == VERIFY_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def verify_corpus(
    path: str | Path, fmt: str | None = None, size: str | None = None, *, workers: int = 1
) -> VerifyReport:
    """Verify the corpus at ``path``. The format and size come from the manifest when one exists,
    else from ``fmt``/``size`` or the file extension. ``workers`` processes check records in
    parallel (the report is the same for any count). Raises CorpusError for an unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"corpus file {str(path)!r} does not exist or is not a file")
    manifest = None
    mpath = manifest_path(path)
    if mpath.exists():
        manifest = read_manifest(mpath)
        fmt = manifest.format
        size = manifest.size
    fmt = fmt or format_from_path(path)
    if fmt not in CORPUS_FORMATS:
        raise CorpusError(
            f"cannot tell the format of {str(path)!r}: no manifest and no known extension; "
            "name it like corpus.jsonl.gz or pass --format jsonl"
        )
    report = VerifyReport(path=str(path), format=fmt, manifest=str(mpath) if manifest else None)
    if manifest is not None:
        _check_manifest(path, manifest, report)
    expected_seeds = iter_seeds(manifest.ranges()) if manifest is not None else None
    lines: deque[int] = deque()
    check = partial(check_batch, fmt=fmt, size=size)
    results = ordered_map(check, _batches(_records(path, fmt), lines), workers)
    with closing(results):
        for batch_result in results:
            for seed, what in batch_result:
                report.records += 1
                number, line = report.records, lines.popleft()
                if what:
                    report.mismatches.append(Mismatch(number, line, seed, what))
                if expected_seeds is not None and not what.startswith("truncated"):
                    wanted = next(expected_seeds, None)
                    if seed is not None and wanted != seed:
                        report.mismatches.append(
                            Mismatch(
                                number,
                                line,
                                seed,
                                f"the manifest's seed ranges put seed {wanted} here",
                            )
                        )
    if manifest is not None and report.records != manifest.count:
        report.mismatches.append(
            Mismatch(
                None, None, None, f"{report.records} records, the manifest says {manifest.count}"
            )
        )
    return report
