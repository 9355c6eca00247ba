"""Root of the `anp` program.

Each package owns a module ``<package>.cli`` exposing ``register(subparsers)``. That function
adds its subcommands with ``subparsers.add_parser(...)`` and sets ``func`` on each parser via
``parser.set_defaults(func=handler)``. A handler takes the parsed ``argparse.Namespace`` and
returns an exit code.

Registration must stay cheap: ``*.cli`` modules import heavy things (locust, gevent, fastapi)
inside the handlers, never at module level, so that ``anp post 5`` starts fast and does not
monkey-patch the process.

Errors: a package raises an exception that carries an integer ``exit_code`` attribute (2 for a
user mistake, 3 for a target or harness failure). The root prints ``anp: error: <message>`` to
stderr with no traceback and exits with that code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Order decides the order in `anp --help`.
SUBCOMMAND_MODULES: tuple[str, ...] = ("synth.cli", "targets.cli", "loadtests.cli", "results.cli")

EPILOG = """\
examples:
  anp demo                                   run the demo: reference site + short load + verification
  anp post 679                               print the anp post for seed 679
  anp post 679 --format json                 the same post as canonical JSON
  anp corpus --seeds 0-99999 --out corpus.jsonl.gz --workers 2
  anp target serve reference --port 8000     start the reference import site
  anp run --target targets/local-reference.toml --scenario import --users 20 --run-time 30s
  anp compare results/runs/A results/runs/B --against results/runs/C results/runs/D

Every subcommand has its own --help with examples.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anp",
        description="anp-loadkit: deterministic anp posts, load tests against import endpoints, "
        "verification of what landed, and comparison of runs across releases.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"anp-loadkit {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that package has no subcommands yet
            raise
        module.register(subparsers)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anp-loadkit")
    except PackageNotFoundError:
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 2
        code = func(args)
    except KeyboardInterrupt:
        print("anp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `anp post 5 | head`: the reader left; end quietly like SIGPIPE
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:  # a package error with an exit code is a clean, expected failure
        exit_code = getattr(exc, "exit_code", None)
        if not isinstance(exit_code, int):
            raise
        print(f"anp: error: {exc}", file=sys.stderr)
        return exit_code
    return int(code or 0)
