"""Read many posts back fast, for verification.

Where the adapter supports a lookup of many references in one request (reference:
``POST /posts/lookup``, 1000 at a time; WordPress: the plugin's ``POST /wp-json/anp/v1/lookup``,
100 at a time), references go in chunks; otherwise one read request per reference. Either way the
requests are sent concurrently through ``targets.transport`` and the ReadBacks come back in the
order of the references given.

``BoundedSender`` sends a verification's reads within its bound: every request's timeouts are
capped at the time left, no request is sent once the bound has passed or a stop was asked for
(a Ctrl-C), and the requests still in flight then are abandoned (they run out on daemon
threads, each within its own capped timeout). A read not sent or abandoned answers
``Response(status=0, error="timeout")``, and ``cut()`` says the verification was cut short:
the caller must not count such reads as failures of the site.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from synth import Post
from targets.base import TIMEOUT, ReadBack, Request, Response, SupportsLookup, Target
from targets.transport import Sender

POLL_S = 0.1
"""How often a wait for answers checks whether the verification was stopped."""


class RequestSender(Protocol):
    """What the read path needs: ``targets.transport.Sender`` or ``BoundedSender``."""

    def send(self, request: Request) -> Response: ...
    def send_many(self, requests: Sequence[Request], *, concurrency: int = 8) -> list[Response]: ...


def not_sent() -> Response:
    """The answer of a read that was not sent, or abandoned, because its verification was cut."""
    return Response(status=0, error=TIMEOUT)


class Pending:
    """Answers of requests sent in the background (``BoundedSender.submit``), in order."""

    def __init__(self, owner: BoundedSender, count: int) -> None:
        self._owner = owner
        self._answers: list[Response | None] = [None] * count
        self._ready = [threading.Event() for _ in range(count)]

    def put(self, index: int, response: Response) -> None:
        self._answers[index] = response
        self._ready[index].set()

    def take(self, index: int) -> Response:
        """The answer of request ``index``, dropped from here (answers can be large);
        ``not_sent()`` when the verification was cut before it came."""
        ready = self._ready[index]
        while not ready.is_set() and not self._owner.cut():
            ready.wait(POLL_S)
        answer, self._answers[index] = self._answers[index], None
        return answer if answer is not None else not_sent()

    def results(self) -> list[Response]:
        return [self.take(i) for i in range(len(self._answers))]


class BoundedSender:
    """A ``Sender`` whose requests end by ``deadline`` (``time.monotonic()`` seconds; None: no
    bound) and stop when ``stop()`` says so (see the module docstring)."""

    def __init__(
        self,
        sender: Sender,
        *,
        deadline: float | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.sender = sender
        self.deadline = deadline
        self.stop = stop

    def past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def stopped(self) -> bool:
        """A stop was asked for (not the bound)."""
        return self.stop is not None and self.stop()

    def cut(self) -> bool:
        """The verification must end now: past its bound, or asked to stop."""
        return self.stopped() or self.past_deadline()

    def send(self, request: Request) -> Response:
        """One request, sent in the background like ``send_many``'s, so that a stop request
        ends the wait for its answer too."""
        return self.submit([request], concurrency=1).take(0)

    def _send_now(self, request: Request) -> Response:
        if self.cut():
            return not_sent()
        left = None if self.deadline is None else self.deadline - time.monotonic()
        return self.sender.send(request, timeout_s=left)

    def submit(self, requests: Sequence[Request], *, concurrency: int = 8) -> Pending:
        """Send ``requests`` from at most ``concurrency`` daemon threads (greenlets under gevent);
        their answers come through the returned ``Pending``."""
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        pending = Pending(self, len(requests))
        queue = list(enumerate(requests))
        queue.reverse()  # popped from the end: in order
        lock = threading.Lock()

        def work() -> None:
            while not self.cut():
                with lock:
                    if not queue:
                        return
                    index, request = queue.pop()
                try:
                    answer = self._send_now(request)
                except Exception:  # e.g. the client was closed under an abandoned request
                    answer = not_sent()
                pending.put(index, answer)

        for _ in range(min(concurrency, len(requests))):
            threading.Thread(target=work, name="anp-verify-read", daemon=True).start()
        return pending

    def send_many(self, requests: Sequence[Request], *, concurrency: int = 8) -> list[Response]:
        """Send all, at most ``concurrency`` at a time; answers in the order of ``requests``
        (``not_sent()`` for those cut by the bound or a stop)."""
        if not requests:
            return []
        return self.submit(requests, concurrency=concurrency).results()


def chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    """``items`` cut into consecutive pieces of at most ``size``."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def uses_lookup(target: Target) -> bool:
    return isinstance(target, SupportsLookup) and target.lookup_limit > 0


def read_back_many(
    target: Target,
    references: Sequence[str],
    *,
    expected: Mapping[str, Post] | None = None,
    sender: RequestSender | None = None,
    concurrency: int = 4,
) -> list[ReadBack]:
    """One ReadBack per reference, in order. ``expected`` (reference -> Post) lets adapters that
    cannot rebuild a Post (WordPress) judge the stored content. A ``sender`` is created for the
    target (and closed) when none is given."""
    if not references:
        return []
    own = sender is None
    active: RequestSender = sender or Sender(target.base_url, getattr(target, "timeouts", None))
    try:
        if uses_lookup(target):
            assert isinstance(target, SupportsLookup)
            pieces = chunks(references, target.lookup_limit)
            responses = active.send_many(
                [target.lookup_request(p) for p in pieces], concurrency=concurrency
            )
            out: list[ReadBack] = []
            for piece, response in zip(pieces, responses, strict=True):
                out.extend(target.lookup_read_backs(piece, response, expected))
            return out
        responses = active.send_many(
            [target.read_request(r) for r in references], concurrency=concurrency
        )
        return [
            target.read_back(r, response, expected.get(r) if expected else None)
            for r, response in zip(references, responses, strict=True)
        ]
    finally:
        if own and isinstance(active, Sender):
            active.close()


def read_back_posts(
    target: Target,
    posts: Sequence[Post],
    *,
    sender: Sender | None = None,
    concurrency: int = 4,
) -> list[ReadBack]:
    """Read back these posts, judging each against itself as the expected content."""
    expected = {p.meta.reference: p for p in posts}
    return read_back_many(
        target,
        [p.meta.reference for p in posts],
        expected=expected,
        sender=sender,
        concurrency=concurrency,
    )
