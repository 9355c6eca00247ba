"""``anp target ...``: serve the reference import site; check a target definition and its site.

Extending: modules named in ``TARGET_COMMAND_MODULES`` that exist are imported and their
``register_target(target_subparsers)`` is called with the ``anp target`` sub-command group, so
adapter commands (e.g. ``anp target check``) plug in without editing this file's handlers.
Registration stays cheap: FastAPI and uvicorn are imported inside the handler. ``anp target
check`` lives in ``targets.commands``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

# Modules that add more ``anp target`` sub-commands; missing ones are skipped.
TARGET_COMMAND_MODULES: tuple[str, ...] = ("targets.commands",)

DEFAULT_DB = Path("results/reference.db")
"""``--db`` by default; its folder ``results/`` is the only one created when missing."""
SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

SERVE_EPILOG = """\
examples:
  anp target serve reference                          http://127.0.0.1:8000, SQLite results/reference.db
  anp target serve reference --port 0 --db /tmp/r.db  a free port (the URL is printed)
  anp target serve reference --database-url postgresql://anp@127.0.0.1:5432/anp
  anp target serve reference --release 1.5.0 --slowdown 0.10    emulate a 10%-slower release
  anp target serve reference --fail-rate 0.01 --latency-ms 20   1 in 100 imports gets a 503
  ANP_TOKEN=s3cret anp target serve reference --token-env ANP_TOKEN --log-file results/ref.log

The site runs in one uvicorn worker process (exact /stats, deterministic --fail-rate) and stops
cleanly on Ctrl-C or SIGTERM. API: GET /openapi.json.
"""


TARGET_EPILOG = """\
examples:
  anp target serve reference --port 0 --db /tmp/r.db   start the reference site on a free port
  anp target check targets/local-reference.toml        show a definition and ask the site
  anp target check targets/local-wordpress.toml        the same for WordPress (targets/wordpress)
  anp target check --offline targets/*.toml            validate definitions, send nothing (CI)

Each sub-command has its own --help with more examples. Definition keys: targets/README.md.
"""


class CliError(ValueError):
    """A user mistake on the command line (exit code 2)."""

    exit_code = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``anp target`` and its sub-commands."""
    target = subparsers.add_parser(
        "target",
        help="target sites: serve the reference import site, check a definition",
        description="Target sites that the load tests import posts into.",
        epilog=TARGET_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target_sub = target.add_subparsers(dest="target_command", metavar="TARGET_COMMAND")
    target.set_defaults(func=lambda _args: _help(target))
    _register_serve(target_sub)
    for name in TARGET_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register_target(target_sub)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _register_serve(target_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = target_sub.add_parser(
        "serve",
        help="start a target site (the reference import site)",
        description="Start the reference import site under uvicorn and print its URL.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("site", choices=["reference"], help="which site to serve")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; "
        "a non-loopback host is allowed but prints a warning)",
    )
    p.add_argument(
        "--port", type=int, default=8000, help="TCP port, 0 for a free one (default 8000)"
    )
    p.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help="SQLite file, WAL mode (default results/reference.db); at most one missing "
        "folder is created",
    )
    p.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="postgresql://... : store posts in PostgreSQL instead of SQLite",
    )
    p.add_argument(
        "--release", default="1.4.0", help="release reported by GET /version (default 1.4.0)"
    )
    p.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="N",
        help="sleep N ms in every import request",
    )
    p.add_argument(
        "--slowdown",
        type=float,
        default=0.0,
        metavar="F",
        help="emulate F less throughput (0.10: each request takes ~1/(1-F) as long)",
    )
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="deterministic 503s: import request n fails iff floor(n*F) > floor((n-1)*F)",
    )
    p.add_argument(
        "--token-env",
        default=None,
        metavar="NAME",
        help="require 'Authorization: Bearer <token>', the token read from env var NAME",
    )
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=1024 * 1024,
        metavar="N",
        help="413 for single-post bodies over N bytes (default 1 MiB)",
    )
    p.add_argument(
        "--max-batch-bytes",
        type=int,
        default=16 * 1024 * 1024,
        metavar="N",
        help="413 for batch bodies over N bytes (default 16 MiB)",
    )
    p.add_argument(
        "--max-batch",
        type=int,
        default=1000,
        metavar="N",
        help="most posts per batch request (default 1000)",
    )
    p.add_argument(
        "--log-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="append the JSON access log here instead of stderr",
    )
    p.set_defaults(func=_serve)


def check_db_path(db: Path) -> None:
    """Refuse a ``--db`` the site cannot use, before anything starts (CliError, exit 2).

    An existing path must be an SQLite file (or empty). For a new file, its folder may be missing
    only if that folder's own parent exists (a new per-run folder such as
    ``/tmp/site-1/reference.db`` is created, like ``mkdir`` without ``-p``, with a note on
    stderr); the default ``results/reference.db`` is always allowed. A path with more than one
    missing folder (``/nonexistent/dir/x.db``) is most likely a typo and is refused: nothing is
    created.
    """
    again = "retrying with the same value will fail again"
    if db.exists():
        if not db.is_file():
            raise CliError(
                f"--db {db}: is not a regular file; expected an SQLite file name ({again})"
            )
        try:
            with db.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise CliError(f"--db {db}: cannot be read ({exc.strerror or exc}); {again}") from None
        if head and head != SQLITE_MAGIC:
            raise CliError(
                f"--db {db}: is not an SQLite database (it does not start with 'SQLite format "
                f"3'); expected a new file name or a database written by the reference site "
                f"({again})"
            )
        return
    parent = db.parent
    if parent == DEFAULT_DB.parent or parent.is_dir():
        usable = parent if parent.is_dir() else None
    elif parent.exists():
        raise CliError(
            f"--db {db}: {parent} is not a folder; expected the SQLite file in a folder ({again})"
        )
    elif parent.parent.is_dir():
        usable = None  # one new folder: created by the store, said here
        print(f"anp target serve: creating the folder {parent} for --db", file=sys.stderr)
    else:
        raise CliError(
            f"--db {db}: the folder {parent.parent} does not exist; expected the SQLite file "
            f"in an existing folder, or in one new folder inside an existing one (create the "
            f"folders first, e.g. mkdir -p {parent}); nothing was created"
        )
    if usable is not None and not os.access(usable, os.W_OK | os.X_OK):
        raise CliError(
            f"--db {db}: the folder {usable} is not writable; expected a folder where the site "
            f"can create its SQLite file ({again})"
        )


def _serve(args: argparse.Namespace) -> int:
    from targets.reference import ReferenceSettings, serve

    token = None
    if args.token_env is not None:
        token = os.environ.get(args.token_env)
        if not token:
            raise CliError(
                f"--token-env {args.token_env}: environment variable {args.token_env} is "
                f"{'empty' if token == '' else 'not set'}; expected the bearer token in it "
                f"(e.g. export {args.token_env}=...)"
            )
    if not 0 <= args.port <= 65535:
        raise CliError(
            f"--port {args.port}: expected 0..65535 (0 picks a free port); retrying with the "
            "same value will fail again"
        )
    if args.database_url is None:
        check_db_path(args.db)
    settings = ReferenceSettings(
        db_path=args.db,
        database_url=args.database_url,
        release=args.release,
        latency_ms=args.latency_ms,
        slowdown=args.slowdown,
        fail_rate=args.fail_rate,
        token=token,
        max_body_bytes=args.max_body_bytes,
        max_batch_bytes=args.max_batch_bytes,
        max_batch=args.max_batch,
        log_file=args.log_file,
    )
    settings.check()
    return serve(settings, host=args.host, port=args.port)
