"""The scenarios, as Locust ``FastHttpUser`` classes: import, batch, reimport, invalid, read.

Every request is built by the target adapter's pure functions (``Target.import_request`` ...),
sent with Locust's client (``catch_response=True``, so Locust's own statistics agree with ours),
judged by the adapter (acknowledged or not) and recorded in the node's ``Recorder``. Per request
the harness does O(1) work: one synthesis, one request build, a few list appends (the histograms
are filled in bulk once per report); no validation.

The bytes fast path: when the adapter imports from canonical JSON bytes
(``targets.base.json_import_of``, looked up once per target in ``Node.import_json``: the
reference adapter, an http adapter whose body is the canonical document), ``import`` and
``batch`` send ``synthesize_json(seed)`` as it is and judge the answer by ``reference_of(seed)``:
no ``Post`` is built. The bytes are the same as ``canonical_json(synthesize(seed))``
(``tests/targets/test_json_import.py``). Other adapters (WordPress maps fields) take the ``Post``
path. ``import`` builds its fast-path requests ahead: in blocks on a real OS thread of this
process (``loadtests.prebuild.ThreadBuilder``, with the C builder), in small blocks between
Locust's requests (``InlineBuilder``, with the pure-Python builder) or in helper processes
(``--synth-processes``).

Error kinds follow ``results.record.ERROR_KINDS_DOC``: ``http_<code>``, ``timeout``,
``connection_refused``, ``connection_reset``, ``connection_error``, ``bad_response``, and for the
invalid scenario ``rejected_invalid`` (an expected 4xx: a success) and ``unexpected_acceptance``
(a 2xx: a failure of the target).
"""

from __future__ import annotations

import errno
import random
import socket
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar

import gevent
from geventhttpclient.response import HTTPConnectionClosed, HTTPParseError
from geventhttpclient.useragent import EmptyResponse
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser
from locust.user.task import (
    LOCUST_STATE_RUNNING,
    LOCUST_STATE_STOPPING,
    LOCUST_STATE_WAITING,
)

from loadtests.invalid_bodies import (
    FIND_WINDOW,
    STORED,
    StoredPosts,
    invalid_request,
)
from loadtests.node import NODE
from loadtests.prebuild import (
    INLINE_BLOCK,
    THREAD_BLOCK,
    InlineBuilder,
    Prebuilt,
    ReadySource,
    ThreadBuilder,
    reference_post,
    thread_block_for,
)
from loadtests.recorder import Series
from synth import Post, native, synthesize, synthesize_json, synthesize_json_ref
from synth.generate import reference_of
from targets.base import Ack, Request, Response, SupportsJsonImport

monotonic = time.monotonic

# (ok, kind, posts): kind is an error kind on failure, or an expected outcome on success.
Verdict = tuple[bool, str | None, int]


def transport_kind(error: BaseException | None) -> str:
    """The error kind for a request that got no HTTP answer.

    geventhttpclient wraps the failures it could retry (timeouts, a peer that closed without
    answering, EPIPE) in ``RetriesExceeded`` with the cause in ``original``."""
    original = getattr(error, "original", None)
    if isinstance(original, BaseException):
        error = original
    if isinstance(error, EmptyResponse):
        return "connection_reset"
    if isinstance(error, OSError) and error.errno == errno.ETIMEDOUT:
        return "timeout"
    if isinstance(error, OSError) and error.errno == errno.EPIPE:
        return "connection_reset"
    if isinstance(error, TimeoutError | socket.timeout | gevent.Timeout):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(error, ConnectionResetError | BrokenPipeError | HTTPConnectionClosed):
        return "connection_reset"
    if isinstance(error, HTTPParseError):
        return "connection_error"
    return "connection_error"


_ADAPTER_KIND = {"connection_error": "transport_error"}


def http_kind(status: int) -> str:
    return f"http_{status}"


class AnpUser(FastHttpUser):
    """What every scenario shares: sending one adapter ``Request`` and recording the outcome."""

    abstract = True
    scenario: ClassVar[str] = ""
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 30.0
    max_retries = 0
    _series: Series | None = None
    """This user's series in the current recorder (looked up once per recorder and name)."""

    def idle(self) -> None:
        """Nothing left to do for this user: wait until Locust stops it, or until the node gets
        work again (``Node.wake_idle``: seeds a worker that left gave back were pushed here).

        The user waits the way Locust's own ``wait()`` does (state "waiting"), so that a stop
        (``--run-time`` reached, Ctrl-C, a shape's end) kills it at once instead of waiting
        ``--stop-timeout`` for a task that never ends. Woken, it is "running" again (a stop then
        lets its next request finish and be recorded) and its task returns, so Locust runs it
        again."""
        if self._state == LOCUST_STATE_STOPPING:
            raise StopUser()
        self._state = LOCUST_STATE_WAITING
        NODE.wake.wait()
        self._state = LOCUST_STATE_RUNNING

    def series(self, name: str) -> Series:
        """This user's series for endpoint ``name`` in the node's current recorder."""
        series = self._series
        recorder = NODE.recorder
        if series is None or series.recorder is not recorder or series.name != name:
            series = self._series = recorder.series(self.scenario, name)
        return series

    def exchange(
        self,
        request: Request,
        judge: Callable[[Any, Response], Verdict],
        key: Any = None,
        *,
        seeded: bool = False,
    ) -> Response:
        """Send ``request``; judge the answer by ``judge(key, response)``; record it. The request
        counts as in flight from the caller's seed take (``seeded``) until it is recorded."""
        node = NODE
        recorder = node.recorder
        series = self.series(request.name)
        if node.pacer is not None:
            node.pacer.request_started()
        recorder.in_flight += 1
        started = monotonic()
        try:
            with self.client.request(
                request.method,
                request.path,
                data=request.body,  # type: ignore[arg-type]
                headers=request.headers,  # type: ignore[arg-type]
                name=request.name,
                catch_response=True,
            ) as raw:
                latency = monotonic() - started
                response = _response(raw)
                ok, outcome, posts = judge(key, response)
                if ok:
                    raw.success()
                    series.success(started, latency, posts=posts, kind=outcome)
                else:
                    raw.failure(outcome or "failed")
                    series.failure(started, latency, outcome or "connection_error")
            return response
        finally:
            recorder.in_flight -= 1
            if seeded:
                node.seeded_in_flight -= 1
                if node.seeds_used_up():
                    node_seeds_used_up()

    def make_post(self, seed: int, size: str | None) -> Post:
        """The post for ``seed`` (a seam for the benchmark's pre-synthesized variant)."""
        return synthesize(seed, size=size)

    def make_json(self, seed: int, size: str | None) -> bytes:
        """The canonical JSON of ``seed``'s post (the fast path's seam, like ``make_post``)."""
        return synthesize_json(seed, size=size)

    def make_json_ref(self, seed: int, size: str | None) -> tuple[bytes, str]:
        """``make_json(seed, size)`` and the post's reference, made in one call (the in-line
        builder's seam; a subclass that overrides ``make_json`` overrides this too)."""
        return synthesize_json_ref(seed, size=size)

    def reusable_posts(self, want: int) -> Sequence[tuple[int, str]] | None:
        """Posts for the scenarios that reuse stored ones (read, reimport, invalid's
        ``changed_content``): this node's acknowledged posts, or, with none yet, up to ``want``
        found stored (``stored_post``; maybe none yet). None when the load stopped meanwhile."""
        node = NODE
        recent = node.recorder.recent
        if recent:
            return recent
        found = self.stored_post(STORED.for_test(node.recorder), want)
        return None if node.draining else found

    def stored_post(self, stored: StoredPosts, want: int = 1) -> list[tuple[int, str]]:
        """Posts of the run's seeds that the target holds, for a node without acknowledged
        posts of its own (``invalid_bodies.StoredPosts``; ``want`` of them at most): empty
        until one is found. Only a node that runs no import or batch user, in a run whose mix
        has them, looks (elsewhere its own acks come; without them nothing of this run is
        stored). Each read is a request of this user's scenario (its own slot in the
        open model)."""
        node = NODE
        target, options, now = node.target, node.options, monotonic()
        if not stored.due(now, want):
            return stored.found
        if not (target and options and options.seeded) or _runs_seeded_users(node.env):
            # no import/batch in the mix (nobody stores posts of this run: a run of only
            # invalid sends only invalid posts), or this node's own acks will come
            stored.postpone(now)
        else:
            found = stored.find_request(target, options.seeds, now)
            if found is not None:
                seed, request = found
                self.pace(1)
                stored.note(target, seed, self.exchange(request, _judge_find))
        return stored.found

    def pace(self, posts: int = 1) -> None:
        pacer = NODE.pacer
        if pacer is not None:
            pacer.wait(posts)
            while NODE.draining:  # the load stopped while it waited: send nothing more
                self.idle()


def _response(raw: Any) -> Response:
    """The adapter's ``Response`` of Locust's answer (status 0 and an error kind when no HTTP
    answer arrived)."""
    status = raw.status_code
    if status:
        headers = raw.headers  # (not ``or {}``: a Headers object's truth value costs 0.4 us)
        return Response(status, raw.content or b"", {} if headers is None else headers)
    kind = transport_kind(raw.error)
    return Response(0, b"", {}, error=_ADAPTER_KIND.get(kind, kind))


def _status_kind(response: Response) -> str:
    if response.status == 0:
        err = response.error or "connection_error"
        return "connection_error" if err in ("transport_error", "protocol_error") else err
    if 200 <= response.status < 300:
        return "bad_response"
    return http_kind(response.status)


def node_seeds_used_up() -> None:
    """Called when this node's queue is empty for good and its last seeded request finished.
    Not while the node drains: closing the queue and the builder empties them, but the seeds
    they held are unused, not used up (they go back in the final report; a worker that leaves
    mid-run and said "done" first would let the master end the run before getting them)."""
    node = NODE
    if node.seeded_in_flight or node.done_sent or node.draining or not node.seeds_used_up():
        return  # (a builder that stopped early is not the end of the seeds: the queue says)
    node.done_sent = True
    if node.on_seeds_used_up is not None:
        node.on_seeds_used_up()


class ImportUser(AnpUser):
    """``import``: one freshly synthesized post per request; every seed once.

    This is the path the speed target is about (``bench/bench_loadtests.py``), so it is one
    flat method: no closures, no per-request lookups of the adapter's capabilities (``Node``
    holds them), the series looked up once per user, an answer whose status acknowledges by
    itself (``SupportsJsonImport.acknowledged_statuses``) recorded without building a
    ``Response`` or an ``Ack``, and a success recorded as list appends (``Recorder``'s bulk fold
    does the rest once per report). What is not a success goes through ``exchange``'s helpers.

    The post comes from the synthesis helpers when the node has them (``--synth-processes``,
    ``loadtests.prebuild``), else is built in this process: on the bytes fast path
    (``Node.import_json``) ``synthesize_json(seed)`` is sent as it is and the answer judged by
    ``reference_of(seed)`` (``ready_source``); otherwise ``synthesize(seed)`` goes through the
    adapter's ``import_request``."""

    abstract = False
    scenario = "import"
    json_fast_path: ClassVar[bool] = True
    """Build on the adapter's bytes fast path when it has one (the benchmark turns it off to
    measure the ``Post`` path)."""
    inline_block: ClassVar[int] = INLINE_BLOCK
    """Without helpers, on the bytes fast path: seeds built back to back by the node's
    ``InlineBuilder`` (0: one post per request, between Locust's requests; the benchmark
    compares both)."""
    thread_block: ClassVar[int] = THREAD_BLOCK
    """Most seeds per block of the node's ``ThreadBuilder`` (a real OS thread building with
    ``synth.native.build_block``), used on the bytes fast path when ``build_block`` is available
    and ``make_json_ref`` is not overridden; 0: ``InlineBuilder``."""

    def ready_source(self, fast: SupportsJsonImport) -> ReadySource | None:
        """The node's in-line source of ready requests on the bytes fast path, or None (one
        post per request)."""
        node = NODE
        assert node.queue is not None and node.options is not None
        build_block = native.build_block
        own_builder = type(self).make_json_ref is AnpUser.make_json_ref
        if build_block is not None and self.thread_block and own_builder:
            size = node.options.size
            budget = node.options.seed_budget
            block = thread_block_for(build_block, size, self.thread_block, budget)
            return ThreadBuilder(node.queue, fast, size, build_block, _unused, block)
        if self.inline_block:
            return InlineBuilder(
                node.queue, fast, node.options.size, self.make_json_ref, _unused, self.inline_block
            )
        return None

    @task
    def import_post(self) -> None:
        node = NODE
        if node.draining or node.queue is None or node.target is None or node.options is None:
            return self.idle()
        if node.pacer is not None:
            node.pacer.wait(1)
        pipeline = node.pipeline
        fast = node.import_json
        if pipeline is None and fast is not None and self.json_fast_path:
            pipeline = node.pipeline = self.ready_source(fast)
        request: Request | Prebuilt
        ack: Callable[[Any, Response], Ack]
        key: Any
        statuses = _NO_STATUSES  # statuses that are a success by themselves (key: a reference)
        if pipeline is not None:
            item = pipeline.get()
            if item is None or node.draining:
                if item is not None:
                    node.recorder.leftovers.append((item.seed, item.seed))
                if pipeline.finished:
                    node_seeds_used_up()
                return self.idle()
            seed = item.seed
            request = item
            if fast is not None:
                key = item.reference
                ack = fast.import_ack_ref
                statuses = node.import_ack_statuses
            else:
                key = reference_post(item.reference)
                ack = node.target.import_ack
        else:
            seed_or_none = node.queue.take_one()
            if seed_or_none is None or node.draining:
                if seed_or_none is not None:
                    node.recorder.leftovers.append((seed_or_none, seed_or_none))
                node_seeds_used_up()
                return self.idle()
            seed = seed_or_none
            try:
                if fast is not None and self.json_fast_path:
                    key = reference_of(seed)
                    request = fast.import_request_json(
                        self.make_json(seed, node.options.size), key, seed
                    )
                    ack = fast.import_ack_ref
                    statuses = node.import_ack_statuses
                else:
                    target = node.target
                    assert target is not None
                    key = self.make_post(seed, node.options.size)
                    request = target.import_request(key)
                    ack = target.import_ack
            except BaseException:
                # not sent: report it as unused, and let Locust log the error
                node.recorder.leftovers.append((seed, seed))
                raise
        recorder = node.recorder
        series = self._series
        if series is None or series.recorder is not recorder or series.name != request.name:
            series = self.series(request.name)
        node.seeded_in_flight += 1
        recorder.sent.append(seed)
        if node.pacer is not None:
            node.pacer.request_started()
        recorder.in_flight += 1
        started = monotonic()
        try:
            with self.client.request(
                request.method,
                request.path,
                data=request.body,  # type: ignore[arg-type]
                headers=request.headers,  # type: ignore[arg-type]
                name=request.name,
                catch_response=True,
            ) as raw:
                latency = monotonic() - started
                if raw.status_code in statuses:
                    # acknowledged by its status alone (``SupportsJsonImport``): the same
                    # bookkeeping as below, without building the Response and the Ack
                    raw.success()
                    recorder.acked.append(seed)
                    if recorder.keep_recent:
                        recorder.recent.append((seed, key))
                    ok = series.ok
                    ok.append(started)
                    ok.append(latency)
                    return
                response = _response(raw)
                verdict = ack(key, response)
                if verdict.acknowledged:
                    raw.success()
                    recorder.acked.append(seed)
                    if recorder.keep_recent:
                        recorder.recent.append((seed, verdict.reference))
                    ok = series.ok
                    ok.append(started)
                    ok.append(latency)
                    return
                kind = _status_kind(response)
                raw.failure(kind)
                series.failure(started, latency, kind)
        finally:
            recorder.in_flight -= 1
            node.seeded_in_flight -= 1
            queue = node.queue
            if queue is not None and queue.exhausted and node.seeds_used_up():
                node_seeds_used_up()


_NO_STATUSES: frozenset[int] = frozenset()


def _unused(ranges: list[tuple[int, int]]) -> None:
    """Seeds taken from the queue and never sent (a build failed): reported as leftovers."""
    NODE.recorder.leftovers.extend(ranges)


class BatchUser(AnpUser):
    """``batch``: ``--batch-size`` consecutive seeds per request."""

    abstract = False
    scenario = "batch"
    json_fast_path: ClassVar[bool] = True
    """As ``ImportUser.json_fast_path``."""

    @task
    def import_batch(self) -> None:
        node = NODE
        if node.draining or node.queue is None or node.target is None or node.options is None:
            return self.idle()
        size = node.options.batch_size
        self.pace(size)
        seeds = node.queue.take(size)
        if not seeds or node.draining:
            node.recorder.leftovers.extend((s, s) for s in seeds)
            node_seeds_used_up()
            return self.idle()
        target = node.target
        fast = node.batch_json if self.json_fast_path else None
        acknowledge: Callable[[Response], list[Ack]]
        try:
            if fast is not None:
                size_name = node.options.size
                request = fast.batch_request_json([self.make_json(s, size_name) for s in seeds])
                references = [reference_of(s) for s in seeds]
                acknowledge = partial(fast.batch_acks_refs, references)
            else:
                posts = [self.make_post(s, node.options.size) for s in seeds]
                request = target.batch_request(posts)
                acknowledge = partial(target.batch_acks, posts)
        except BaseException:
            node.recorder.leftovers.extend((s, s) for s in seeds)
            raise
        node.seeded_in_flight += 1
        node.recorder.sent.extend(seeds)
        self.exchange(request, _judge_batch, (seeds, acknowledge), seeded=True)


def _judge_batch(
    key: tuple[list[int], Callable[[Response], list[Ack]]], response: Response
) -> Verdict:
    """A batch is a success when every post of it was acknowledged; each acknowledged seed is
    recorded either way."""
    seeds, acknowledge = key
    recorder = NODE.recorder
    failed: str | None = None
    count = 0
    for seed, ack in zip(seeds, acknowledge(response), strict=False):
        if ack.acknowledged:
            count += 1
            recorder.acked.append(seed)
            if recorder.keep_recent:
                recorder.recent.append((seed, ack.reference))
        elif failed is None:
            failed = (
                _status_kind(response)
                if response.status != 200
                else (http_kind(ack.status) if ack.status else "bad_response")
            )
    if failed is None and count == len(seeds):
        return True, None, count
    return False, failed or "bad_response", count


class ReimportUser(AnpUser):
    """``reimport``: sends again a post this node saw acknowledged; the target must answer as
    for a duplicate it already holds (an acknowledgement, without storing a second copy)."""

    abstract = False
    scenario = "reimport"

    def on_start(self) -> None:
        self.rng = random.Random(id(self))

    @task
    def reimport(self) -> None:
        node = NODE
        if node.draining or node.target is None or node.options is None:
            return self.idle()
        recent = self.reusable_posts(FIND_WINDOW)  # (--processes: maybe others' posts)
        if recent is None:
            return self.idle()
        if not recent:
            gevent.sleep(0.1)
            return None
        self.pace(1)
        seed, _reference = recent[self.rng.randrange(len(recent))]
        node.recorder.reimported.append(seed)
        post = synthesize(seed, size=node.options.size)
        self.exchange(node.target.import_request(post), _judge_reimport, post)


def _judge_reimport(post: Post, response: Response) -> Verdict:
    target = NODE.target
    assert target is not None
    if target.import_ack(post, response).acknowledged:
        return True, None, 1
    return False, _status_kind(response), 0


class InvalidUser(AnpUser):
    """``invalid``: synth's invalid variants. An expected 4xx is a success (``rejected_invalid``);
    a 2xx is ``unexpected_acceptance``; a 5xx or another status is a failure of the target."""

    abstract = False
    scenario = "invalid"

    @task
    def invalid(self) -> None:
        node = NODE
        if node.draining or node.target is None:
            return self.idle()
        recent = self.reusable_posts(1)
        if recent is None:  # the load stopped during a read to find a stored post
            return self.idle()
        self.pace(1)
        node.invalid_sent += 1
        number = node.invalid_sent
        built = invalid_request(node.target, number, node.recorder.recent or recent)
        STORED.for_test(node.recorder).count(number, built.kind)
        self.exchange(built.request, _judge_invalid, built.expected)

    def on_stop(self) -> None:
        STORED.for_test(NODE.recorder).report()


def _runs_seeded_users(env: Any) -> bool:
    runner = getattr(env, "runner", None)
    counts: dict[str, int] = getattr(runner, "user_classes_count", None) or {}
    return any(counts.get(cls.__name__, 0) for cls in (ImportUser, BatchUser))


def _judge_find(_key: None, response: Response) -> Verdict:
    if response.status in (200, 404):  # stored or not: either answer is what was asked
        return True, None, 0
    return False, _status_kind(response), 0


def _judge_invalid(expected: tuple[int, ...], response: Response) -> Verdict:
    status = response.status
    if 400 <= status < 500 and (not expected or status in expected):
        return True, "rejected_invalid", 0
    if 200 <= status < 300:
        return False, "unexpected_acceptance", 0
    return False, _status_kind(response), 0


class ReadUser(AnpUser):
    """``read``: reads back a post this node saw acknowledged (a mixed read/write load)."""

    abstract = False
    scenario = "read"

    def on_start(self) -> None:
        self.rng = random.Random(id(self) ^ 0x5EED)

    @task
    def read(self) -> None:
        node = NODE
        if node.draining or node.target is None:
            return self.idle()
        recent = self.reusable_posts(FIND_WINDOW)  # (--processes: maybe others' posts)
        if recent is None:
            return self.idle()
        if not recent:
            gevent.sleep(0.1)
            return None
        self.pace(1)
        _seed, reference = recent[self.rng.randrange(len(recent))]
        self.exchange(node.target.read_request(reference), _judge_read)


def _judge_read(_key: None, response: Response) -> Verdict:
    if response.status == 200:
        return True, None, 0
    return False, _status_kind(response), 0


USER_CLASSES: dict[str, type[AnpUser]] = {
    "import": ImportUser,
    "batch": BatchUser,
    "reimport": ReimportUser,
    "invalid": InvalidUser,
    "read": ReadUser,
}
"""Scenario name -> its user class."""


def configure_timeouts(request_timeout: float, connect_timeout: float | None = None) -> None:
    """Bound every request (set before users spawn)."""
    AnpUser.network_timeout = request_timeout
    AnpUser.connection_timeout = min(request_timeout, connect_timeout or request_timeout)
