"""``anp post``, ``anp corpus`` and ``anp corpus verify``.

Handlers import the heavy parts lazily. User mistakes raise ``SynthError`` subclasses (exit code
2); the root prints ``anp: error: <message>`` with no traceback.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from synth.errors import SynthError

SynthErrorT = TypeVar("SynthErrorT", bound="SynthError")

POST_FORMATS = ("text", "json", "html", "markdown")
CORPUS_FORMATS = ("jsonl", "text", "html", "markdown")
SIZE_CHOICES = ("s", "m", "l", "xl")
SEEDS_EXAMPLE = "0-99999, 5 or 1,3,10-20"

POST_EPILOG = """\
examples:
  anp post 679                          the page text of seed 679 (the specimen's layout)
  anp post 679 --format json            the canonical JSON import payload
  anp post 679 --format html --out post-679.html
  anp post 5 --size xl --format json    a ~100 KB post for payload-size tests
  anp post --list-invalid               the invalid kinds and what a target should answer
  anp post 5 --list-invalid             the same, each described as made for seed 5
  anp post 5 --invalid KIND             the raw body of an invalid import request

SEED is an integer in 0..2**63-1. Output is written to stdout unless --out is given (then the
file is written atomically; --out - is stdout; a device, FIFO or socket such as /dev/stdout is
written through directly; a symlink's target is replaced and the link kept). The page text has no trailing newline, exactly like the specimen;
a newline is added only when stdout is a terminal.
"""

CORPUS_EPILOG = """\
examples:
  anp corpus --seeds 0-99999 --out corpus.jsonl.gz --workers 2
  anp corpus --seeds 1,3,10-20 --out small.txt --format text
  anp corpus --seeds 0-999 --out big.jsonl --size xl
  anp corpus verify corpus.jsonl.gz

Seed ranges are inclusive: 0-99999, 5 or 1,3,10-20. The corpus holds each named seed once, in
ascending order: duplicates and overlaps are merged (1,1 is one post; 0-5,3-8 is the 9 posts 0..8;
a note says so). gzip is chosen by a .gz extension. Without
--format the format follows the extension (.jsonl, .txt, .html, .md; default jsonl).

File layout: jsonl holds one canonical JSON post per line. text, html and markdown hold one
document after another, each followed by a newline and a line holding only a form feed (\\f).
The output bytes are identical for any --workers. The file and FILE.manifest.json (generator
version, seed ranges, count, format, size, bytes, sha256) are written to temp files and moved
into place only when complete; an interrupted run leaves nothing under the final names.
--out - (or a special file such as /dev/stdout or a FIFO) streams the corpus with no manifest;
when the corpus goes to stdout, the summary goes to stderr.
Exit status: 0 written, 2 a bad option or an output that cannot be written (nothing is left under
the final names; retry after fixing it), 130 Ctrl-C, 143 SIGTERM.
"""

VERIFY_EPILOG = """\
examples:
  anp corpus verify corpus.jsonl.gz --workers 2
  anp corpus verify old.txt --format text --max-report 10

Every record's seed is read from the record (payload.seed), the post is synthesized again and
compared byte for byte (text is also parsed back). With a manifest next to the file, its sha256,
size, count and seed order are checked too, and its format and size are used.
Exit status: 0 clean, 1 mismatches found (each is listed), 2 the file cannot be read as a corpus
(verifying reads only: retrying is safe, and gives the same answer for the same file).
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(
            f"expected an integer in 1..64, got {text!r} (for example --workers 2)"
        )
    return value


def register(subparsers: Any) -> None:
    """Add ``post`` and ``corpus`` (with ``corpus verify``) to the ``anp`` program."""
    post = subparsers.add_parser(
        "post",
        help="print the anp post for a seed (text, json, html, markdown, or an invalid variant)",
        description="Print the deterministic anp post for SEED in one of its formats, or the\n"
        "body of one of its invalid variants.",
        epilog=POST_EPILOG,
        formatter_class=_Formatter,
    )
    post.add_argument("seed", metavar="SEED", nargs="?", help="integer seed in 0..2**63-1")
    post.add_argument("--format", choices=POST_FORMATS, help="output format (default: text)")
    post.add_argument("--size", choices=SIZE_CHOICES, help="force a post size (xl is ~100 KB)")
    post.add_argument("--invalid", metavar="KIND", help="print this invalid variant's body bytes")
    post.add_argument(
        "--list-invalid",
        action="store_true",
        help="list the invalid kinds with descriptions (as made for SEED, default 0)",
    )
    post.add_argument(
        "--out", metavar="FILE", help="write to FILE (atomically) instead of stdout; - is stdout"
    )
    post.set_defaults(func=_post)

    corpus = subparsers.add_parser(
        "corpus",
        help="write a fixture corpus of many posts (or verify one)",
        description="Write the posts of a seed range to one file, in parallel, deterministically\n"
        "and atomically, with a manifest. 'anp corpus verify FILE' checks a corpus.",
        epilog=CORPUS_EPILOG,
        formatter_class=_Formatter,
        usage="anp corpus --seeds RANGES --out FILE [--format FORMAT] [--workers N] [--size SIZE]\n"
        "       anp corpus verify FILE [--format FORMAT] [--size SIZE] [--workers N] [--max-report N]",
    )
    corpus.add_argument("--seeds", metavar="RANGES", help=f"seed ranges, e.g. {SEEDS_EXAMPLE}")
    corpus.add_argument(
        "--out", metavar="FILE", help="output file; .gz compresses; - streams to stdout"
    )
    corpus.add_argument("--format", choices=CORPUS_FORMATS, help="default: from the extension")
    corpus.add_argument(
        "--workers", type=_workers, default=1, help="worker processes (default 1: in-process)"
    )
    corpus.add_argument("--size", choices=SIZE_CHOICES, help="force every post's size")
    corpus.set_defaults(func=_corpus, corpus_parser=corpus)
    sub = corpus.add_subparsers(dest="corpus_command", metavar="verify")
    verify = sub.add_parser(
        "verify",
        prog="anp corpus verify",  # not derived from the corpus parser's two-line usage
        help="re-derive every post of a corpus from its seed and report mismatches",
        description="Check a corpus file: every record must equal the post synthesized again\n"
        "from its seed.",
        epilog=VERIFY_EPILOG,
        formatter_class=_Formatter,
    )
    verify.add_argument("file", metavar="FILE", help="the corpus file")
    verify.add_argument(
        "--format",
        choices=CORPUS_FORMATS,
        help="used when there is no manifest and the extension says nothing",
    )
    verify.add_argument("--size", choices=SIZE_CHOICES, help="used when there is no manifest")
    verify.add_argument(
        "--workers", type=_workers, default=1, help="worker processes (default 1: in-process)"
    )
    verify.add_argument(
        "--max-report",
        type=int,
        default=100,
        metavar="N",
        help="list at most N mismatches (all are counted; default 100)",
    )
    verify.set_defaults(func=_verify)


# --- handlers ----------------------------------------------------------------------------------


_RETRY_USAGE = "retrying with the same input will fail again"


def _retry_note(
    handler: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Every synth error tells whether retrying is safe: an error without ``retry_advice`` is a
    usage mistake, which fails the same way again, and gets a note saying so."""

    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace) -> int:
        from synth.errors import SynthError

        try:
            return handler(args)
        except SynthError as exc:
            if exc.retry_advice:
                raise
            raise type(exc)(f"{exc}; {_RETRY_USAGE}") from None

    return wrapped


@_retry_note
def _post(args: argparse.Namespace) -> int:
    from synth.errors import SeedError, SynthError
    from synth.seeds import parse_seed

    if args.list_invalid:
        if args.invalid is not None or args.format is not None or args.size is not None:
            raise SynthError(
                "--list-invalid lists the kinds; --invalid, --format and --size do not apply "
                "(for example: anp post 5 --list-invalid)"
            )
        try:
            example_seed = 0 if args.seed is None else parse_seed(args.seed)
        except SeedError as exc:
            raise SeedError(f"SEED: {exc} (for example: anp post 5 --list-invalid)") from None
        _emit(_list_invalid(example_seed), args.out)
        return 0
    if args.seed is None:
        raise SynthError("SEED is required, e.g. 'anp post 679' (or use --list-invalid)")

    try:
        seed = parse_seed(args.seed)
    except SeedError as exc:
        raise SeedError(f"SEED: {exc} (for example: anp post 5)") from None
    if args.invalid is not None:
        if args.format is not None or args.size is not None:
            raise SynthError(
                f"--invalid {args.invalid} prints the raw request body; --format and --size do "
                "not apply to it (for example: anp post 5 --invalid KIND)"
            )
        data = _invalid_body(seed, args.invalid)
    else:
        from synth.formats import render_post
        from synth.generate import synthesize

        data = render_post(synthesize(seed, size=args.size), args.format or "text")
    _emit(data, args.out)
    return 0


def _invalid_body(seed: int, kind: str) -> bytes:
    from synth.errors import SynthError
    from synth.invalid import INVALID_KINDS, synthesize_invalid

    if kind not in INVALID_KINDS:
        raise SynthError(
            f"--invalid must be one of {', '.join(INVALID_KINDS)}; got {kind!r} "
            "(see anp post --list-invalid)"
        )
    return synthesize_invalid(seed, kind).body


def _list_invalid(seed: int) -> bytes:
    from synth.invalid import INVALID_KINDS, synthesize_invalid

    lines = [
        f"invalid kinds, each described as made for seed {seed} (details such as the injected",
        "markup are drawn per seed; `anp post SEED --invalid KIND` shows a seed's own body):",
        "",
    ]
    for kind in INVALID_KINDS:
        example = synthesize_invalid(seed, kind)
        statuses = "/".join(str(s) for s in example.expected_status)
        lines += [kind, f"    {example.description}", f"    a target should answer: {statuses}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _emit(data: bytes, out: str | None) -> None:
    if out is not None and out != "-":
        from synth.atomic import write_atomic

        try:
            write_atomic(out, data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _write_error(out, exc) from None
        return
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        if sys.stdout.isatty() and not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise stdout_error(exc) from None


def _advised(error: SynthErrorT) -> SynthErrorT:
    """``error``, marked as saying itself whether retrying helps (see ``_retry_note``)."""
    error.retry_advice = True
    return error


def stdout_error(exc: OSError) -> Exception:
    """The error for stdout that cannot be written (a full disk, /dev/full): exit code 2."""
    from synth.errors import SynthError

    return _advised(
        SynthError(
            f"cannot write to stdout ({exc.strerror or exc}); free space or redirect stdout "
            "elsewhere, then retry"
        )
    )


def _write_error(out: str, exc: OSError) -> Exception:
    from synth.corpus_errors import CorpusError

    if isinstance(exc, IsADirectoryError):
        return _advised(
            CorpusError(
                f"--out {out!r} is a directory; expected a file name such as post.json (nothing "
                "was written; retrying with the same value will fail again)"
            )
        )
    return _advised(
        CorpusError(
            f"--out {out!r}: cannot write it ({exc.strerror or exc}); nothing was written under "
            "that name (a device or FIFO may have received part of it). Fix the path, "
            "permissions or free space, then retry"
        )
    )


@_retry_note
def _corpus(args: argparse.Namespace) -> int:
    from synth.corpus import write_corpus
    from synth.errors import SeedRangeError, SynthError
    from synth.formats import format_from_path
    from synth.seeds import count_seeds, parse_seed_ranges

    if args.seeds is None or args.out is None:
        missing = " and ".join(
            o for o, v in (("--seeds", args.seeds), ("--out", args.out)) if not v
        )
        raise SynthError(
            f"{missing} required: e.g. anp corpus --seeds 0-99999 --out corpus.jsonl.gz "
            "(or anp corpus verify FILE)"
        )
    try:
        ranges = parse_seed_ranges(args.seeds)
    except SeedRangeError as exc:
        raise SeedRangeError(f"--seeds: {exc}") from None
    named = _named_count(args.seeds)
    out = "/dev/stdout" if args.out == "-" else args.out
    fmt = args.format or format_from_path(out) or "jsonl"
    from synth.manifest import has_manifest_file, manifest_path

    with_manifest = has_manifest_file(out)
    summary = sys.stderr if _is_our_stdout(out) else sys.stdout  # keep a streamed corpus clean
    if named > count_seeds(ranges):
        print(
            f"note: --seeds {args.seeds!r} names some seeds more than once; each is written "
            f"once, in ascending order ({_posts(count_seeds(ranges))})",
            file=sys.stderr,
        )
    progress, finish = _progress_bar()
    try:
        manifest = write_corpus(
            ranges, out, fmt, workers=args.workers, size=args.size, progress=progress
        )
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(args.out, exc) from None
    finally:
        finish()
    where = "stdout" if args.out == "-" else args.out
    print(
        f"wrote {_posts(manifest.count)} ({manifest.format}, {manifest.compression}, "
        f"{manifest.bytes:,} bytes) to {where}\nsha256 {manifest.sha256}",
        file=summary,
    )
    if with_manifest:
        print(f"manifest {manifest_path(out)}", file=summary)
    else:
        print(f"no manifest: {where} is not a regular file", file=summary)
    return 0


def _is_our_stdout(path: str) -> bool:
    from synth.atomic import destination

    try:
        return destination(path).fd == 1
    except OSError:
        return False


def _posts(count: int) -> str:
    return _count(count, "post")


def _named_count(text: str) -> int:
    """How many seeds ``--seeds`` names before duplicates and overlaps are merged."""
    from synth.seeds import count_seeds, parse_seed_ranges

    return sum(count_seeds(parse_seed_ranges(part)) for part in text.split(","))


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress callback when stderr is a terminal; else a no-op."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("posts", total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


@_retry_note
def _verify(args: argparse.Namespace) -> int:
    from synth.verify import verify_corpus

    report = verify_corpus(args.file, fmt=args.format, size=args.size, workers=args.workers)
    limit = max(args.max_report, 0)
    for mismatch in report.mismatches[:limit]:
        print(f"mismatch: {mismatch}")
    hidden = len(report.mismatches) - limit
    if hidden > 0:
        print(f"... and {_count(hidden, 'more mismatch')} (raise --max-report to list them)")
    checked = f"manifest {report.manifest}" if report.manifest else "no manifest"
    if report.ok:
        print(
            f"ok: {_count(report.records, 'record')} in {report.path} match their seeds ({checked})"
        )
        return 0
    print(
        f"FAILED: {_count(len(report.mismatches), 'mismatch')} in "
        f"{_count(report.records, 'record')} of {report.path} ({checked})"
    )
    return 1


def _count(n: int, noun: str) -> str:
    """``1 record``, ``20,000 records``, ``2 mismatches``."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {noun}" + ("es" if noun.endswith("ch") else "s")
