"""Root of the `anp` program.

Each package owns a module ``<package>.cli`` exposing ``register(subparsers)`` (a package may
have a second one for a command with a job of its own, such as ``loadtests.reverify_cli``). That
function adds its subcommands with ``subparsers.add_parser(...)`` and sets ``func`` on each parser
via ``parser.set_defaults(func=handler)``. A handler takes the parsed ``argparse.Namespace`` and
returns an exit code.

Registration must stay cheap: ``*.cli`` modules import heavy things (locust, gevent, fastapi)
inside the handlers, never at module level, so that ``anp post 5`` starts fast and does not
monkey-patch the process.

Errors: a package raises an exception that carries an integer ``exit_code`` attribute (2 for a
user mistake, 3 for a target or harness failure). The root prints ``anp: error: <message>`` to
stderr with no traceback and exits with that code. Every other exit is decided here:

- 1 is never used for an unexpected failure (1 means "a check failed" or "regression"): an
  exception without an ``exit_code`` prints ``anp: internal error: ...`` with its traceback and
  exits 3 (a harness failure);
- stdout that cannot be written (a full disk, /dev/full, a closed terminal) prints ``anp: error:
  cannot write to stdout (<reason>)`` and exits 2; a reader that left (``anp post 5 | head``)
  ends quietly with 141, as SIGPIPE would;
- Ctrl-C exits 130 and SIGTERM 143 (128 + the signal number), after ``anp: interrupted``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

# Order decides the order in `anp --help`.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "synth.cli",
    "targets.cli",
    "loadtests.cli",
    "loadtests.reverify_cli",
    "results.cli",
)

COMMAND_MODULES: dict[str, str] = {
    "post": "synth.cli",
    "corpus": "synth.cli",
    "target": "targets.cli",
    "run": "loadtests.cli",
    "demo": "loadtests.cli",
    "verify": "loadtests.reverify_cli",
    "compare": "results.cli",
    "runs": "results.cli",
    "history": "results.cli",
}
"""Which module registers each command: ``anp corpus ...`` imports only ``synth.cli`` (about
0.25 s less start-up than registering every package, which pulls in httpx and pydantic models).
A test checks this table against what the modules really register."""

EPILOG = """\
examples:
  anp demo                                   run the demo: reference site + short load + verification
  anp post 679                               print the anp post for seed 679
  anp post 679 --format json                 the same post as canonical JSON
  anp corpus --seeds 0-99999 --out corpus.jsonl.gz --workers 2
  anp target serve reference --port 8000     start the reference import site
  anp run --target targets/local-reference.toml --scenario import --users 20 --run-time 30s
  anp verify RUN_ID                          read a stored run's posts back again (after --no-verify)
  anp compare results/runs/A results/runs/B --against results/runs/C results/runs/D

Every subcommand has its own --help with examples.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The subcommand modules to register for ``argv``: only the command's own module when the
    first argument names a known command, else all of them (``anp --help``, a typo, ...)."""
    if argv and argv[0] in COMMAND_MODULES:
        return (COMMAND_MODULES[argv[0]],)
    return SUBCOMMAND_MODULES


def build_parser(modules: Sequence[str] = SUBCOMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anp",
        description="anp-loadkit: deterministic anp posts, load tests against import endpoints, "
        "verification of what landed, and comparison of runs across releases.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"anp-loadkit {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that package has no subcommands yet
            raise
        module.register(subparsers)
    return parser


def command_parser(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The innermost subcommand parser that ``argv`` selects (``anp target check ...`` gives
    ``check``'s parser), so that an error shows that command's usage line."""
    tokens = list(argv)
    while True:
        chosen = None
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for index, token in enumerate(tokens):
                    if token in action.choices:
                        chosen = action.choices[token]
                        tokens = tokens[index + 1 :]
                        break
        if chosen is None:
            return parser
        parser = chosen


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anp-loadkit")
    except PackageNotFoundError:
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    _watch_stdout()
    parser = build_parser(modules_for(sys.argv[1:] if argv is None else argv))
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # name the subcommand's usage, not the root's (argparse reports it at the root)
            command_parser(parser, sys.argv[1:] if argv is None else argv).error(
                f"unrecognized arguments: {' '.join(extra)}"
            )
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 2
        code = func(args)
        sys.stdout.flush()  # inside the try: a full disk is reported, not left to the interpreter
    except SystemExit:  # argparse's --help, --version and usage errors: stdout may still fail
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            return 141
        except OSError as exc:
            _silence_stdout()
            print(f"anp: error: cannot write to stdout ({exc.strerror or exc})", file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt as exc:
        print("anp: interrupted", file=sys.stderr)
        return _interrupt_code(exc)
    except BrokenPipeError:  # e.g. `anp post 5 | head`: the reader left; end quietly like SIGPIPE
        _silence_stdout()
        return 141
    except Exception as exc:  # a package error with an exit code is a clean, expected failure
        exit_code = getattr(exc, "exit_code", None)
        if isinstance(exit_code, int) and not isinstance(exit_code, bool):
            if _WatchedStdout.failure is not None:
                _silence_stdout()  # what stdout could not take must not fail again at exit
            print(f"anp: error: {exc}", file=sys.stderr)
            return exit_code
        if isinstance(exc, OSError) and _stdout_failed(exc):
            _silence_stdout()
            reason = exc.strerror or str(exc)
            print(f"anp: error: cannot write to stdout ({reason})", file=sys.stderr)
            return 2
        print(f"anp: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        print(
            "anp: this is a bug in anp-loadkit, not a failed check (exit 3); please report it "
            "with the traceback above",
            file=sys.stderr,
        )
        return INTERNAL_ERROR
    return int(code or 0)


INTERNAL_ERROR = 3
"""Exit code of an unexpected exception: a harness failure, never 1 ("check failed")."""


def _interrupt_code(exc: KeyboardInterrupt) -> int:
    """130 for Ctrl-C; 143 for SIGTERM, which ``anp corpus`` turns into a KeyboardInterrupt
    (``signal 15``) so that its cleanup runs."""
    if getattr(exc, "signum", None) == signal.SIGTERM or str(exc) == f"signal {signal.SIGTERM:d}":
        return 128 + signal.SIGTERM
    return 130


class _WatchedStdout(io.FileIO):
    """fd 1 as a raw file that remembers a failed write, so that an OSError raised deep inside a
    handler's ``print`` is known to be stdout's and not an internal error."""

    failure: OSError | None = None

    def write(self, data: Any, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            _WatchedStdout.failure = exc
            raise


def _watch_stdout() -> None:
    """Put a :class:`_WatchedStdout` under ``sys.stdout`` (only the process's real stdout: a
    test's captured stdout is left alone). Under a non-UTF-8 locale (``PYTHONIOENCODING=ascii``)
    characters the encoding lacks, such as "⚠", are written as escapes instead of crashing."""
    current = sys.stdout
    if (
        current is None
        or current is not sys.__stdout__
        or not isinstance(current, io.TextIOWrapper)
    ):
        return
    try:
        fd = current.fileno()
        current.flush()
    except (OSError, ValueError):
        return
    encoding = current.encoding
    utf8 = encoding.lower().replace("-", "").replace("_", "") == "utf8"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_WatchedStdout(fd, "wb", closefd=False)),
        encoding=encoding,
        errors=current.errors if utf8 else "backslashreplace",
        line_buffering=current.line_buffering,
    )
    if not utf8 and isinstance(sys.stderr, io.TextIOWrapper):
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.reconfigure(errors="backslashreplace")


def _stdout_failed(exc: OSError) -> bool:
    """Whether the OSError is stdout's: our watched stdout saw it, or data that could not be
    written is still buffered, so a flush fails again."""
    if _WatchedStdout.failure is not None:
        return True
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that the interpreter's final flush of what is still buffered
    neither fails nor prints "Exception ignored"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
