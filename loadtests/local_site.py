"""Start the reference site as a child process on a free loopback port, and stop it by PID.

Used by ``anp demo`` and by tests. The site is ``python -P -m anp target serve reference --port
0``: it binds a free port itself and prints ``... serving on http://127.0.0.1:PORT (...)``, which is
read from its log file. ``stop()`` sends SIGTERM to that one PID, waits, and kills it if it does
not stop in time; it is safe to call twice.

The child keeps the caller's current directory (relative ``--db`` paths stay right), but ``-P``
(and ``PYTHONSAFEPATH=1`` for anything it starts) keeps that directory off ``sys.path``: a
folder named ``results/``, ``synth/``, ``targets/`` or ``loadtests/`` there (``anp run`` creates
``./results/runs/``) would otherwise shadow the installed packages of the same name.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from loadtests.atomic_files import write_bytes_atomic

_SERVING = re.compile(r"serving on (http://[^\s]+)")


def python_module(module: str) -> list[str]:
    """The command line that runs ``module`` with this interpreter, the current directory kept
    off ``sys.path`` (``-P``, Python 3.11+) so that folders there cannot shadow our packages."""
    return [sys.executable, "-P", "-m", module]


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child, with ``PYTHONSAFEPATH=1`` so that the child's own
    children (``python -m``/``-c``) also keep the current directory off ``sys.path``."""
    return dict(os.environ, PYTHONSAFEPATH="1", **extra)


class SiteError(RuntimeError):
    """The site did not start (exit code 3: a harness failure)."""

    exit_code = 3


class LocalReferenceSite:
    """A reference site child process. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(
        self,
        db: Path,
        log: Path,
        *,
        extra_args: Sequence[str] = (),
        start_timeout_s: float = 60.0,
    ) -> None:
        self.db = db
        self.log = log
        self.extra_args = list(extra_args)
        self.start_timeout_s = start_timeout_s
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self) -> str:
        """Start the site and return its base URL once it serves."""
        argv = [
            *python_module("anp"),
            "target",
            "serve",
            "reference",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            str(self.db),
            *self.extra_args,
        ]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=child_env(PYTHONUNBUFFERED="1"),
                start_new_session=True,  # Ctrl-C in the terminal reaches it only through stop()
            )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            match = _SERVING.search(self.log.read_text(encoding="utf-8", errors="replace"))
            if match:
                self.url = match.group(1)
                return self.url
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        code = self.process.poll()
        self.stop()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        state = f"exited with {code}" if code is not None else "did not report its URL in time"
        raise SiteError(f"the reference site {state}; its log {self.log} ends with:\n{tail}")

    def kill(self) -> None:
        """Kill the site abruptly (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM to the site's PID, then SIGKILL if it has not stopped after ``timeout_s``."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> LocalReferenceSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def write_definition(
    path: Path, name: str, base_url: str, checks: dict[str, float] | None = None
) -> Path:
    """A reference target definition file for a site started here (written atomically, with the
    usual file mode)."""
    lines = [
        f'name = "{name}"',
        'kind = "reference"',
        f'base_url = "{base_url}"',
        'description = "reference site started by anp for this run"',
    ]
    if checks:
        lines += ["", "[checks]"] + [f"{key} = {value!r}" for key, value in checks.items()]
    write_bytes_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path
