"""Writing records and reports: atomically for a regular file, straight through for a special one.

What the destination already is decides how it is written (the same policy as ``synth.atomic``;
results does not import synth for it):

- missing, or an existing regular file: a temporary file in the same directory, fsync, then
  ``os.replace``, so readers see the old file or the new one, never a partial one.
  ``tempfile.mkstemp`` creates its file with mode 0600 and ``os.replace`` keeps it, so the
  temporary file is given the mode an ordinary ``open(path, "w")`` would give (0666 minus the
  umask, usually 0644): records and reports stay readable by a web server or a CI artifact step
  that runs as another user;
- a symlink: the file it points to is written atomically, and the link stays;
- a character or block device, FIFO or socket (``--markdown /dev/stdout``, ``/dev/null``): written
  through directly, with no temp file and no rename, so the node is never replaced; this process's
  own stdout/stderr is written through its descriptor;
- a directory: ``IsADirectoryError`` before anything is written.

A missing parent folder is an error (``FileNotFoundError``) unless the caller asks for it to be
created: a typo in a report path must not create folder trees.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask, read from ``/proc/self/status`` when possible (without changing it),
    otherwise by setting and restoring it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _special_fd(path: Path) -> tuple[bool, int | None, Path]:
    """``(direct, fd, file)``: whether ``path`` is written straight through (and through which
    of our descriptors, if it is our stdout/stderr), and the file written atomically otherwise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False, None, Path(os.path.realpath(path)) if path.is_symlink() else path
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory; expected a file name", str(path))
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            if os.path.samestat(info, os.fstat(fd)):
                return True, fd, path
    if not stat.S_ISREG(info.st_mode):
        return True, None, path
    return False, None, Path(os.path.realpath(path)) if path.is_symlink() else path


def write_text_atomic(path: Path, text: str, *, parents: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` following the module's policy, with the mode a plain
    ``open(path, "w")`` would give (0666 & ~umask). With ``parents``, missing parent folders are
    created; otherwise a missing folder raises ``FileNotFoundError``. Returns ``path``."""
    path = Path(path)
    direct, fd, target = _special_fd(path)
    data = text.encode("utf-8")  # before anything is opened: an encoding error writes nothing
    if direct:
        if fd is not None:
            (sys.stdout if fd == 1 else sys.stderr).flush()
            with os.fdopen(os.dup(fd), "wb") as out:
                out.write(data)
        else:
            with open(target, "wb") as out:
                out.write(data)
        return path
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    elif not target.parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, f"the folder '{target.parent}' does not exist; create it first", str(path)
        )
    temp_fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(temp_fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return path


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse to fsync a directory)."""
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
