"""Imported only by the fork server that starts synth's worker processes (first in
``synth.parallel.pool_context``'s preload list): the fork server ignores SIGTERM.

When a whole process group gets SIGTERM (``timeout``, a service manager), the fork server used to
die with it. The pool then read the fork server's end of each worker's status pipe as the worker
having died, declared itself broken and sent SIGTERM to workers that ignore it, and the parent
exited while a worker stayed blocked sending a result nobody read. Ignoring SIGTERM here (Python's
fork server already ignores SIGINT) keeps it alive until the parent has shut the pool down; it
still exits when the parent does. Forked workers inherit the setting (they ignore SIGTERM too).
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
