"""Writing an output file: atomically for a regular file, straight through for a special file.

Which way depends on what the destination already is (:func:`destination`):

- missing, or an existing regular file: a temp file ``.{name}.{random}.tmp`` in the same directory
  (so ``os.replace`` never crosses file systems), fsync, then ``os.replace`` and an fsync of the
  directory. Until :meth:`AtomicWriter.commit`, nothing exists under the final name (an earlier
  file there is left untouched); :meth:`AtomicWriter.abort` removes the temp file. The file gets
  mode 0666 & ~umask, as ``open(path, "w")`` would give, not ``mkstemp``'s 0600;
- a symlink: the file it points to is written atomically as above, and the link stays;
- a character or block device, FIFO or socket (``/dev/stdout``, ``/dev/null``, a named pipe):
  written through directly, with no temp file and no rename, so the node is never replaced.
  A destination that is this process's stdout or stderr (``/dev/stdout``, ``/proc/self/fd/1``)
  is written through that descriptor;
- a directory: ``IsADirectoryError``, before anything is written.

``results.atomic`` applies the same policy to reports and run records (results does not import
synth for it).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO


@dataclass(frozen=True)
class Destination:
    """Where and how an output path is written."""

    path: Path
    """The file actually written: the path given, or the target of a symlink."""
    direct: bool
    """True for a special file written straight through (no temp file, not atomic)."""
    fd: int | None = None
    """For a direct write to this process's stdout (1) or stderr (2): that descriptor."""


def destination(path: str | os.PathLike[str]) -> Destination:
    """Decide how ``path`` is written (see the module docstring). Raises ``IsADirectoryError`` for
    a directory; other problems surface when the file is opened."""
    given = Path(path)
    try:
        info = os.stat(given)
    except FileNotFoundError:
        # missing; a dangling symlink is resolved so that the link stays and its target is made
        return Destination(Path(os.path.realpath(given)) if given.is_symlink() else given, False)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory; expected a file name", str(given))
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            if os.path.samestat(info, os.fstat(fd)):
                return Destination(given, True, fd)
    if not stat.S_ISREG(info.st_mode):
        return Destination(given, True)
    if given.is_symlink():
        return Destination(Path(os.path.realpath(given)), False)
    return Destination(given, False)


class AtomicWriter:
    """Write ``path`` (see :func:`destination`). Use ``write`` then ``finish`` (flush + fsync) then
    ``commit``; or as a context manager that commits on success and aborts on any exception.

    For a special file (``direct``), writes go straight to it: ``commit`` only flushes and closes,
    and ``abort`` cannot take back what was written."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        """The name given."""
        self.destination = destination(path)
        """The file written and how."""
        self.direct = self.destination.direct
        """True when writing straight through to a special file (not atomic)."""
        self.temp_path: Path | None = None
        """The temp file, in the same directory as the destination (None when direct)."""
        self._file: BinaryIO
        if self.direct:
            if self.destination.fd is not None:
                (sys.stdout if self.destination.fd == 1 else sys.stderr).flush()
                self._file = os.fdopen(os.dup(self.destination.fd), "wb")
            else:
                self._file = open(self.destination.path, "wb")  # noqa: SIM115 (closed in finish)
        else:
            target = self.destination.path
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            self.temp_path = Path(temp)
            try:
                os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
            except BaseException:
                os.close(fd)
                self.temp_path.unlink()
                raise
            self._file = os.fdopen(fd, "wb")
        self._done = False

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def finish(self) -> None:
        """Flush and fsync the temp file and close it; the data is on disk but not yet visible.
        (For a special file: flush and close.)"""
        if not self._file.closed:
            try:
                self._file.flush()
                if not self.direct:
                    os.fsync(self._file.fileno())
            finally:
                self._file.close()

    def commit(self) -> None:
        """Move the finished temp file onto the final name and fsync the directory."""
        self.finish()
        if self.temp_path is not None and not self._done:
            os.replace(self.temp_path, self.destination.path)
            self._done = True
            _fsync_dir(self.destination.path.parent)
        self._done = True

    def abort(self) -> None:
        """Close and delete the temp file (safe to call more than once, and after commit)."""
        if not self._file.closed:
            with contextlib.suppress(OSError):
                self._file.close()
        if not self._done:
            if self.temp_path is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.temp_path.unlink()
            self._done = True

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.abort()  # a no-op after a commit; removes the temp file after a failure


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (straight through for a special file)."""
    with AtomicWriter(path) as writer:
        writer.write(data)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
