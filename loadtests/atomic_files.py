"""The one writer of the harness's own files (run.json, measurements.json, target.toml, Locust's
CSV/HTML when the harness writes them, verification parts), through ``synth.atomic``.

A temp file in the same folder, fsync, ``os.replace``, then an fsync of the folder; the file gets
the usual mode (0666 minus the umask, e.g. 0644), not ``mkstemp``'s 0600. When the swap fails
(disk full, a read-only folder), the temp file is removed and an earlier file stays whole. The
policy for what is already there is ``synth.atomic``'s: a symlink's target is written atomically
and the link stays; a device node, FIFO or socket is written through, never replaced.
"""

from __future__ import annotations

from pathlib import Path

from synth.atomic import AtomicWriter


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    writer = AtomicWriter(path)
    try:
        writer.write(data)
        writer.commit()
    finally:
        writer.abort()  # removes the temp file unless the commit went through
    return path
