"""Run the site under uvicorn (uvloop + httptools) in ONE worker process.

One process on purpose: the ``--fail-rate`` counter must be one sequence to be deterministic,
and ``/stats`` must count every request exactly; several workers would each keep their own.
SQLite writes are serialized by one connection anyway.

``serve`` binds the socket itself (port 0 picks a free port), opens the storage, prints
``anp-reference <release> serving on http://HOST:PORT (<storage>)`` to stdout, and runs until
SIGINT or SIGTERM, which uvicorn turns into a graceful shutdown.
"""

from __future__ import annotations

import errno
import gc
import signal
import socket
import sys

from targets.reference.settings import ReferenceSettings, is_loopback


class ServeError(RuntimeError):
    """The site could not start (port taken, database unreachable): exit code 3."""

    exit_code = 3


class ServeUsageError(ServeError):
    """A --host that cannot be listened on by its nature (not an address, not this machine's):
    a usage error, exit code 2."""

    exit_code = 2


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 = a free port chosen by the kernel)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeUsageError(
            f"cannot resolve --host {host!r}: {exc}; expected a loopback address such as "
            "127.0.0.1 or ::1 (retrying with the same value will fail again)"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeUsageError(
                f"cannot listen on --host {host}: {exc.strerror or exc}; expected an address of "
                "this machine such as 127.0.0.1 (retrying with the same value will fail again)"
            ) from None
        hint = ""
        if exc.errno == errno.EADDRINUSE:
            hint = (
                f"; another process holds port {port} (--port 0 picks a free port; retrying "
                "is safe once that port is free)"
            )
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` for a bound socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(settings: ReferenceSettings, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until a signal arrives; return the exit code (0 after a clean stop)."""
    settings.check()
    if not is_loopback(host):
        print(
            f"anp-reference: warning: listening on non-loopback host {host}; other machines can "
            "reach this site" + ("" if settings.token else " and it has no --token-env auth"),
            file=sys.stderr,
            flush=True,
        )
    sock = bind(host, port)
    try:
        import uvloop

        return uvloop.run(_serve(settings, sock))
    finally:
        sock.close()


async def _serve(settings: ReferenceSettings, sock: socket.socket) -> int:
    import uvicorn

    from targets.reference.app import create_app
    from targets.reference.storage import open_storage

    try:
        storage = await open_storage(settings)
    except Exception as exc:  # any failure to open the database is reported, not a traceback
        where = "--database-url" if settings.database_url else f"--db {settings.db_path}"
        raise ServeError(
            f"cannot open storage for {where}: {type(exc).__name__}: {exc} "
            "(nothing was served; retrying is safe once the database is reachable)"
        ) from None
    app = create_app(settings, storage=storage)
    config = uvicorn.Config(
        app,
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    # uvicorn turns SIGINT/SIGTERM into a graceful shutdown and then re-raises the signal for
    # the handlers that were installed before it. Installing its own handle_exit first makes a
    # signal that arrives before uvicorn is listening stop it too, and the re-raise harmless
    # (exit code 0 instead of death by signal).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, server.handle_exit)
    # Everything built so far (FastAPI, pydantic schemas, the app) lives as long as the process:
    # moved out of the collector's generations, it is not rescanned by every full collection
    # that the objects of each request (a post is about 60 dicts and lists) set off.
    gc.freeze()
    print(
        f"anp-reference {settings.release} serving on {url_of(sock)} ({storage.description})",
        flush=True,
    )
    await server.serve(sockets=[sock])
    if not server.started:
        raise ServeError("the site failed to start (see the messages above)")
    print("anp-reference: stopped", flush=True)
    return 0
