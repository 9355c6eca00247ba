"""Synthesis off the request path: helper processes build import requests ahead of use
(``--synth-processes N``, import scenario only).

Why: ``synthesize(seed)`` plus serialization costs tens of microseconds of CPU per post, as much
as Locust's own work per request, so a Locust process that synthesizes in line sends far fewer
requests than one posting a constant body. With N helpers (``loadtests.prebuild_worker``), the
Locust process only reads ready bodies from a pipe.

Seeds still come from the node's ``SeedQueue`` in blocks, so the guarantees of
``loadtests.seeding`` hold: the pumps take seeds from the queue, the helpers build them, users
send them. Seeds taken but not sent when the load stops are reported as leftovers, exactly like
the queue's unused tail. Acks are judged by the post's reference: with the adapter's
``import_ack_ref`` when it has the bytes fast path (``targets.base.SupportsJsonImport``; the
helpers then send ``synthesize_json(seed)`` as it is, without building a ``Post``), else with
``import_ack`` and a ``Post`` that carries only ``meta.reference`` (built without validation):
every adapter's ``import_ack`` reads only that; an adapter whose ack needs more of the post
cannot use ``--synth-processes``.

Each helper answers a block of seeds with one frame, so the Locust process does one pipe read
per block, not per post.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import gevent
import orjson
from gevent.os import nb_read
from gevent.queue import Queue

from loadtests.seeding import SeedQueue
from synth import Meta, Post, ranges_from_seeds
from synth.construct import make
from targets.base import Request

log = logging.getLogger("loadtests")
ROOT = Path(__file__).resolve().parent.parent
BLOCK = 32
"""Seeds per request to a helper."""
AHEAD = 2
"""Frames (blocks) asked of each helper ahead of use."""
DEPTH = 512
"""Ready requests kept at most (per node)."""


@dataclass(frozen=True)
class Prebuilt:
    seed: int
    reference: str
    """The post's ``meta.reference`` (what the adapter's ack reads)."""
    request: Request


def reference_post(reference: str) -> Post:
    """A Post carrying only ``meta.reference`` (for an adapter's ``import_ack``)."""
    return make(Post, {"meta": make(Meta, {"reference": reference})})


class Pipeline:
    """Helper processes feeding ready import requests to the users of one node."""

    def __init__(self, target_path: str, size: str | None, processes: int, queue: SeedQueue):
        self.target_path = target_path
        self.size = size
        self.processes = processes
        self.queue = queue
        self.ready: Queue[Prebuilt | None] = Queue()
        self.unsent: set[int] = set()
        """Seeds taken from the queue and not yet handed to a user."""
        self.closed = False
        self._procs: list[subprocess.Popen[bytes]] = []
        self._running = 0

    @property
    def finished(self) -> bool:
        """Every pump stopped and every taken seed was handed out."""
        return self._running == 0 and not self.unsent

    def start(self) -> None:
        argv = [
            sys.executable,
            "-m",
            "loadtests.prebuild_worker",
            self.target_path,
            self.size or "-",
        ]
        for _ in range(self.processes):
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
            self._procs.append(proc)
            self._running += 1
            gevent.spawn(self._pump, proc)

    def _pump(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        reader = _Reader(proc.stdout.fileno())
        frames = 0  # frames asked for and not read yet (one per range line written)
        try:
            while not self.closed:
                while frames < AHEAD and not self.closed:
                    if self.ready.qsize() >= DEPTH:
                        break
                    seeds = self.queue.take(BLOCK)
                    if not seeds:
                        break
                    self.unsent.update(seeds)
                    ranges = ranges_from_seeds(seeds)
                    proc.stdin.write(b"".join(b"%d %d\n" % r for r in ranges))
                    proc.stdin.flush()
                    frames += len(ranges)
                if not frames:
                    if self.queue.exhausted or self.queue.closed:
                        break
                    gevent.sleep(0.002)
                    continue
                frames -= 1
                self._read_frame(reader)
        except (OSError, ValueError) as exc:
            if not self.closed:
                log.error("synthesis helper failed: %s", exc)
        finally:
            self._running -= 1
            if self._running == 0:
                self.ready.put(None)

    def _read_frame(self, stream: _Reader) -> None:
        """Read one helper answer (a whole block) and queue its requests."""
        frame = stream.read(int(stream.readline()))
        at = 0
        put = self.ready.put
        while at < len(frame):
            eol = frame.index(b"\n", at)
            seed_text, meta_len, body_len = frame[at:eol].split()
            at = eol + 1
            meta_end = at + int(meta_len)
            reference, method, path, name, headers = orjson.loads(frame[at:meta_end])
            at = meta_end + int(body_len)
            body = frame[meta_end:at]
            put(Prebuilt(int(seed_text), reference, Request(method, path, name, headers, body)))

    def get(self) -> Prebuilt | None:
        """The next ready request (blocks); None when none will come."""
        item: Prebuilt | None = self.ready.get()
        if item is None or self.closed:
            self.ready.put(None)  # wake the next waiter too
            return None
        self.unsent.discard(item.seed)
        return item

    def close(self) -> list[tuple[int, int]]:
        """Stop the helpers; return the seeds taken but never sent (as ranges)."""
        self.closed = True
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        left = list(ranges_from_seeds(self.unsent))
        self.unsent.clear()
        self.ready.put(None)
        return left


class _Reader:
    """Cooperative reads of a pipe in big chunks (gevent's file objects read large frames slowly)."""

    def __init__(self, fd: int) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.buffer = bytearray()

    def _fill(self) -> None:
        chunk = nb_read(self.fd, 1 << 20)
        if not chunk:
            raise OSError("the helper closed its output")
        self.buffer += chunk

    def readline(self) -> bytes:
        while (end := self.buffer.find(b"\n")) < 0:
            self._fill()
        line = bytes(self.buffer[: end + 1])
        del self.buffer[: end + 1]
        return line

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data
