"""Output formats of posts and corpora, and how corpus records are framed.

Post formats (``anp post --format``): ``text``, ``json``, ``html``, ``markdown``.
Corpus formats (``anp corpus --format``): ``jsonl``, ``text``, ``html``, ``markdown``.

Framing of a corpus (before optional gzip):

- ``jsonl``: one canonical JSON post per line, each line ending with ``\\n``;
- ``text``, ``html``, ``markdown``: each document is followed by :data:`DOCUMENT_SEPARATOR`, a
  newline, then a line holding only a form feed (``\\f``, 0x0C). A reader splits at lines equal
  to ``\\f\\n`` and drops the one ``\\n`` before each. Documents never contain a line that is
  only a form feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePath

from synth.corpus_errors import CorpusError
from synth.model import Post

POST_FORMATS: tuple[str, ...] = ("text", "json", "html", "markdown")
"""Formats of ``anp post``."""

CORPUS_FORMATS: tuple[str, ...] = ("jsonl", "text", "html", "markdown")
"""Formats of ``anp corpus``."""

DOCUMENT_SEPARATOR = b"\n\f\n"
"""What follows every document of a text, html or markdown corpus."""

_FORM_FEED_LINE = b"\f\n"

EXTENSIONS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}
"""File extensions (before ``.gz``) and the corpus format each implies."""


def check_choice(value: str, choices: tuple[str, ...], option: str, example: str) -> str:
    """Return ``value`` if it is one of ``choices``; else raise CorpusError naming the option."""
    if value not in choices:
        raise CorpusError(
            f"{option} must be one of {', '.join(choices)}; got {value!r} (for example {example})"
        )
    return value


def is_gzip_path(path: str | PurePath) -> bool:
    """gzip is chosen by the ``.gz`` extension."""
    return PurePath(path).suffix.lower() == ".gz"


def format_from_path(path: str | PurePath) -> str | None:
    """The corpus format implied by a file name (``corpus.jsonl.gz`` -> ``jsonl``), if any."""
    pure = PurePath(path)
    if pure.suffix.lower() == ".gz":
        pure = pure.with_suffix("")
    return EXTENSIONS.get(pure.suffix.lower())


def render_post(post: Post, fmt: str) -> bytes:
    """One post in a post format, as UTF-8 bytes (``json`` is the canonical JSON)."""
    if fmt in ("json", "jsonl"):
        from synth.canonical import canonical_json

        return canonical_json(post)
    if fmt == "text":
        from synth.text import render_text

        return render_text(post).encode("utf-8")
    if fmt == "html":
        from synth.html import render_html

        return render_html(post).encode("utf-8")
    if fmt == "markdown":
        from synth.markdown import render_markdown

        return render_markdown(post).encode("utf-8")
    raise CorpusError(f"unknown format {fmt!r}; expected one of {', '.join(POST_FORMATS)}")


def corpus_record(post: Post, fmt: str) -> bytes:
    """One post framed as a corpus record (see the module docstring)."""
    if fmt == "jsonl":
        return render_post(post, "json") + b"\n"
    return render_post(post, fmt) + DOCUMENT_SEPARATOR


def iter_records(stream: Iterable[bytes], fmt: str) -> Iterator[tuple[int, bytes, bool]]:
    """Yield ``(first line number, record bytes without framing, complete)`` for each record.

    ``complete`` is False for a last record that lacks its framing (a truncated file)."""
    if fmt == "jsonl":
        for number, line in enumerate(stream, start=1):
            complete = line.endswith(b"\n")
            yield number, line[:-1] if complete else line, complete
        return
    buffer: list[bytes] = []
    start = 1
    number = 0
    for number, line in enumerate(stream, start=1):
        if line == _FORM_FEED_LINE:
            document = b"".join(buffer)
            yield start, document[:-1] if document.endswith(b"\n") else document, True
            buffer = []
            start = number + 1
        else:
            buffer.append(line)
    if buffer:
        yield start, b"".join(buffer), False
