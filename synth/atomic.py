"""Atomic file writing: a temp file in the target's directory, fsync, then ``os.replace``.

Until :meth:`AtomicWriter.commit`, nothing exists under the final name (an earlier file there is
left untouched); :meth:`AtomicWriter.abort` removes the temp file. The temp file is named
``.{name}.{random}.tmp`` in the same directory, so that ``os.replace`` never crosses file systems.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType


class AtomicWriter:
    """Write ``path`` atomically. Use ``write`` then ``finish`` (flush + fsync) then ``commit``;
    or as a context manager that commits on success and aborts on any exception."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        """The final file name."""
        fd, temp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        self.temp_path = Path(temp)
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        """The temp file, in the same directory as ``path``."""
        self._file = os.fdopen(fd, "wb")
        self._done = False

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def finish(self) -> None:
        """Flush and fsync the temp file and close it; the data is on disk but not yet visible."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def commit(self) -> None:
        """Move the finished temp file onto the final name and fsync the directory."""
        self.finish()
        os.replace(self.temp_path, self.path)
        self._done = True
        _fsync_dir(self.path.parent)

    def abort(self) -> None:
        """Close and delete the temp file (safe to call more than once, and after commit)."""
        if not self._file.closed:
            self._file.close()
        if not self._done:
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
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
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
