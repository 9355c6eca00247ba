"""A process-wide request to stop the read-back early: a Ctrl-C or SIGTERM during verification.

``loadtests.finalize`` marks the time it verifies and writes the record (``busy``) and reads the
request (``stop_requested``) through the bounded sender of ``targets.verify_io``: once asked,
no further read is sent, those in flight are abandoned, and the verification returns at once,
marked incomplete, so the record is still written. The signal handlers that ask are those of
``loadtests.locust_child`` (the Locust process ``anp run`` starts) and of ``loadtests.runner``
(the wrapper, when it finalizes a run itself).

It holds plain module state guarded by a lock: under gevent's monkey-patching (inside Locust)
the lock and ``time.sleep`` are gevent's, so waiting lets the verification run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_busy = 0
_stop = False


def request_stop() -> None:
    """Ask the verification under way (or the next one) to stop now."""
    global _stop
    _stop = True


def stop_requested() -> bool:
    return _stop


def reset() -> None:
    """Forget an earlier request (tests; a process verifies at most once otherwise)."""
    global _stop
    _stop = False


def in_progress() -> bool:
    """Whether a verification or the record after it is being made in this process."""
    return _busy > 0


@contextmanager
def busy() -> Iterator[None]:
    """Mark the verification and the writing of the record, so that a signal handler knows a
    stop request will be heard and the record written soon after."""
    global _busy
    with _lock:
        _busy += 1
    try:
        yield
    finally:
        with _lock:
            _busy -= 1


def wait_idle(timeout_s: float, poll_s: float = 0.05) -> bool:
    """Wait until no verification is in progress (at most ``timeout_s``); True when idle."""
    deadline = time.monotonic() + timeout_s
    while in_progress():
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)
    return True
