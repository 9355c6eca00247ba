"""Benchmark: the harness's own cost per request, measured side by side in one Locust process.

    .venv/bin/python bench/bench_loadtests.py [--users 20] [--seconds 4] [--rounds 3]
                                              [--synth-processes 1]

Against a fast sink (nginx from Debian, started here with a private config on a free loopback
port, answering every request with 201; a tiny asyncio sink in a child process when nginx is
not installed), one local Locust runner in this process runs FastHttpUsers of several kinds,
one kind per round, rounds interleaved so machine noise hits all alike:

``constant``   posts one pre-serialized body with ``catch_response`` and ``success()``: Locust
               alone. The body is a typical post: the canonical JSON of the seed (of 0..999)
               whose size is nearest the mean size of those posts (about 6.6 KB; seed 0's post,
               5.1 KB, made ``constant`` about 2 % faster);
``harness``    ``loadtests.users.ImportUser`` as a run uses it against the reference adapter: the
               bytes fast path (seeds from the seed queue, each post and its reference built by
               ``synth.native.build_block`` on a thread of this process, ``THREAD_BLOCK`` seeds
               at a time, by ``loadtests.prebuild.ThreadBuilder``; the adapter's request template
               and acknowledged statuses; recording: per-second counts, HDR histogram, seed
               lists): everything a real run does per request, with fresh posts;
``harness-inline`` ``harness`` with no thread: ``INLINE_BLOCK`` seeds built back to back between
               Locust's requests (``loadtests.prebuild.InlineBuilder``; what a run does with
               the pure-Python builder);
``harness-per-post`` ``harness`` building one post per request, between Locust's requests
               (``inline_block = 0``, the in-line path before the blocks);
``harness-pure`` ``harness`` with synth's pure-Python builder (``synth.build.build_json_py``, what
               ``ANP_SYNTH_PURE=1`` selects) instead of the C one, side by side;
``harness-post`` the old in-line path, still used for adapters that map fields (WordPress):
               ``synthesize(seed)`` builds a ``Post``, ``import_request`` serializes it;
``harness-json-presynth`` the fast path with the bytes synthesized beforehand (the harness's
               machinery on the fast path, without synthesis);
``harness-presynth`` the ``Post`` path with posts synthesized beforehand;
``harness-pipeline`` ``ImportUser`` with helper processes (the run option
               ``--synth-processes``; here the bench's ``--synth-processes N``, default 1) that
               synthesize the bodies ahead (``loadtests.prebuild``, bytes fast path): fresh
               posts, every seed once; the Locust process only reads ready bodies;
``harness-machinery`` ``ImportUser`` (``Post`` path) with one post and its request reused: seed
               queue, adapter ack and recording only (the harness's own bookkeeping).

As in a run, the recorder's delta is folded into the merged measurements every
``LOCAL_FOLD_S`` seconds (``loadtests.hooks``), so that CPU counts too.

Printed: requests/s of each (median over rounds) and the ratios to ``constant``; the issue asks
at least 0.85 for fresh posts (``harness``, or ``harness-pipeline`` when synthesis is moved off
the Locust process; the helpers then need CPU of their own); the CPU this process spent per
request (steadier than requests/s on a shared machine); the load average before and after.
Also the CPU cost per post of synthesis and request building on both paths, measured alone.
Exit code 0 (the ratio is reported, not enforced: machines differ).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gevent import monkey

monkey.patch_all()

from locust import constant, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpUser  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests.hooks import LOCAL_FOLD_S  # noqa: E402
from loadtests.node import NODE  # noqa: E402
from loadtests.options import RunOptions  # noqa: E402
from loadtests.prebuild import Pipeline  # noqa: E402
from loadtests.seeding import SeedQueue  # noqa: E402
from loadtests.users import ImportUser  # noqa: E402
from synth import (  # noqa: E402
    Post,
    canonical_json,
    synthesize,
    synthesize_json,
    synthesize_json_ref,
)
from synth.build import build_json_py, reference_py  # noqa: E402
from synth.generate import reference_of  # noqa: E402
from synth.native import ACTIVE as SYNTH_BUILDER  # noqa: E402
from targets import ReferenceTarget, Request  # noqa: E402

NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 16m;
    client_body_buffer_size 1m;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 201 '{{"status":"created"}}'; }}
    }}
}}
"""

ASYNC_SINK = r"""
import asyncio, sys
REPLY = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"status\":\"created\"}"
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(REPLY)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sink exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sink did not start")


@contextmanager
def sink() -> Iterator[tuple[str, str]]:
    """A fast HTTP sink on loopback answering 201; yields (url, kind). Stopped by PID."""
    port = free_port()
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    with tempfile.TemporaryDirectory(prefix="anp-sink-") as tmp:
        if nginx:
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=tmp, port=port))
            argv = [nginx, "-c", str(conf), "-p", tmp, "-e", f"{tmp}/error.log"]
            kind = "nginx"
        else:
            argv = [sys.executable, "-c", ASYNC_SINK, str(port)]
            kind = "asyncio"
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_port(port, proc)
            yield f"http://127.0.0.1:{port}", kind
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


TARGET: ReferenceTarget | None = None
CONSTANT_BODY = b""
CONSTANT_HEADERS: dict[str, str] = {}
PRESYNTH: list[Post] = []
PRESYNTH_JSON: list[bytes] = []
HELPERS = 1
TYPICAL = 0
"""The seed of the constant body (its post is also the one ``harness-machinery`` reuses)."""
CPU_US: dict[str, list[float]] = {}
"""User class name -> CPU microseconds of this process per request, per round."""
MAIN_US: dict[str, list[float]] = {}
"""User class name -> CPU microseconds of the gevent (main) thread per request, per round (the
thread Locust's users run on; ``ThreadBuilder``'s thread is not in it)."""


class ConstantUser(FastHttpUser):
    """Locust alone: one pre-serialized body, the same headers and response handling."""

    wait_time = constant(0)

    @task
    def post(self) -> None:
        with self.client.request(
            "POST",
            "/import/posts",
            data=CONSTANT_BODY,  # type: ignore[arg-type]
            headers=CONSTANT_HEADERS,
            name="POST /import/posts",
            catch_response=True,
        ) as raw:
            raw.success()


class PerPostUser(ImportUser):
    """``ImportUser`` building one post per request, between Locust's requests (no block)."""

    abstract = False
    inline_block = 0
    thread_block = 0


class InlineUser(ImportUser):
    """``ImportUser`` building ``INLINE_BLOCK`` seeds back to back in line (no thread)."""

    abstract = False
    thread_block = 0


class PureBuilderUser(ImportUser):
    """``ImportUser`` on the fast path with synth's pure-Python builder."""

    abstract = False

    def make_json(self, seed: int, size: str | None) -> bytes:
        return build_json_py(seed, size)

    def make_json_ref(self, seed: int, size: str | None) -> tuple[bytes, str]:
        return build_json_py(seed, size), reference_py(seed)


class PostPathUser(ImportUser):
    """The old in-line path: ``synthesize(seed)`` and the adapter's ``import_request(post)``."""

    abstract = False
    json_fast_path = False


class JsonPresynthUser(ImportUser):
    """The bytes fast path with the bodies synthesized beforehand."""

    abstract = False

    def make_json(self, seed: int, size: str | None) -> bytes:
        return PRESYNTH_JSON[seed % len(PRESYNTH_JSON)]

    def make_json_ref(self, seed: int, size: str | None) -> tuple[bytes, str]:
        return PRESYNTH_JSON[seed % len(PRESYNTH_JSON)], reference_of(seed)


class PresynthUser(ImportUser):
    """The harness's machinery (``Post`` path) with posts synthesized beforehand."""

    abstract = False
    json_fast_path = False

    def make_post(self, seed: int, size: str | None) -> Post:
        return PRESYNTH[seed % len(PRESYNTH)]


def prepare_node(url: str) -> None:
    options = RunOptions(
        target="bench",
        seeds=((0, 10**12),),
        seeds_text="0-1000000000000",
        request_timeout=10.0,
        run_id="bench",
    )
    assert TARGET is not None
    NODE.reset_coordinator(options)
    NODE.reset_for_test(options, TARGET, t0=time.monotonic())
    allocator = NODE.allocator
    assert allocator is not None
    holder: list[SeedQueue] = []

    def ask(count: int) -> None:
        holder[0].feed(allocator.grant(count), exhausted=allocator.exhausted)

    holder.append(SeedQueue(ask))
    NODE.queue = holder[0]


class PipelineUser(ImportUser):
    """``ImportUser`` fed by helper processes (the pipeline is set up per round)."""

    abstract = False


class MachineryUser(ImportUser):
    """``ImportUser`` with one post and its request reused: the harness's bookkeeping alone."""

    abstract = False
    json_fast_path = False

    def make_post(self, seed: int, size: str | None) -> Post:
        return PRESYNTH[TYPICAL]


class ReusingTarget(ReferenceTarget):
    """Builds the request of a post once (for ``MachineryUser`` only)."""

    _last: tuple[int, Request] | None = None

    def import_request(self, post: Post) -> Request:
        if self._last is None or self._last[0] != id(post):
            self._last = (id(post), super().import_request(post))
        return self._last[1]


def one_round(
    user_class: type[FastHttpUser], url: str, users: int, seconds: float, definition: Path
) -> float:
    if user_class is PipelineUser:
        assert NODE.queue is not None
        NODE.pipeline = Pipeline(str(definition), None, HELPERS, NODE.queue)
        NODE.pipeline.start()
    if user_class is MachineryUser:
        NODE.target = ReusingTarget("bench-sink", url)
    try:
        return _measure(user_class, url, users, seconds)
    finally:
        NODE.target = TARGET
        if NODE.pipeline is not None:
            left = NODE.pipeline.close()
            NODE.pipeline = None
            if left:  # seeds built but not sent go back to the queue's allocator
                assert NODE.allocator is not None
                NODE.allocator.give_back(left)


def _fold() -> None:
    """What a run's local runner does every ``LOCAL_FOLD_S`` (``loadtests.hooks``): the recorder's
    delta folded into the merged measurements (its CPU counts; the lists stay short)."""
    import gevent

    while True:
        gevent.sleep(LOCAL_FOLD_S)
        NODE.merged.add(NODE.recorder.take())


def _measure(user_class: type[FastHttpUser], url: str, users: int, seconds: float) -> float:
    import gevent

    env = Environment(user_classes=[user_class], host=url)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users * 100, wait=True)
    folder = gevent.spawn(_fold)
    gevent.sleep(0.5)  # connections opened, users looping
    before = env.stats.total.num_requests
    started = time.perf_counter()
    cpu_started = time.process_time()
    main_started = time.thread_time()
    gevent.sleep(seconds)
    done = env.stats.total.num_requests - before
    elapsed = time.perf_counter() - started
    CPU_US.setdefault(user_class.__name__, []).append(
        (time.process_time() - cpu_started) / max(done, 1) * 1e6
    )
    MAIN_US.setdefault(user_class.__name__, []).append(
        (time.thread_time() - main_started) / max(done, 1) * 1e6
    )
    runner.quit()
    folder.kill()
    NODE.merged.add(NODE.recorder.take())
    fails = env.stats.total.num_failures
    if fails:
        raise RuntimeError(f"{user_class.__name__}: {fails} failed requests against the sink")
    return done / elapsed


def cpu_per_post(n: int = 2000) -> dict[str, float]:
    """CPU microseconds per post of each step, measured alone (process time; nothing kept)."""
    assert TARGET is not None
    target = TARGET
    out = dict.fromkeys(
        ("synthesize", "import_request(post)", "synthesize_json", "reference_of"), 0.0
    )
    out["import_request_json"] = 0.0
    out["synthesize_json_ref"] = 0.0
    clock = time.process_time
    for seed in range(10_000, 10_000 + n):
        started = clock()
        post = synthesize(seed)
        built = clock()
        target.import_request(post)
        sent = clock()
        body = synthesize_json(seed)
        made = clock()
        reference = reference_of(seed)
        referenced = clock()
        target.import_request_json(body, reference, seed)
        done = clock()
        synthesize_json_ref(seed)
        out["synthesize_json_ref"] += clock() - done
        out["synthesize"] += built - started
        out["import_request(post)"] += sent - built
        out["synthesize_json"] += made - sent
        out["reference_of"] += referenced - made
        out["import_request_json"] += done - referenced
    return {name: total / n * 1e6 for name, total in out.items()}


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    global TARGET, CONSTANT_BODY, CONSTANT_HEADERS, PRESYNTH, PRESYNTH_JSON, HELPERS, TYPICAL
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synth-processes", type=int, default=1, help="helpers of the pipeline")
    parser.add_argument(
        "--only", default="", help="comma-separated variants to run beside constant (default all)"
    )
    args = parser.parse_args(argv)
    HELPERS = args.synth_processes
    with sink() as (url, kind), tempfile.TemporaryDirectory(prefix="anp-bench-") as tmp:
        definition = Path(tmp) / "sink.toml"
        definition.write_text(f'kind = "reference"\nname = "bench-sink"\nbase_url = "{url}"\n')
        TARGET = ReferenceTarget("bench-sink", url)
        PRESYNTH = [synthesize(s) for s in range(1000)]
        PRESYNTH_JSON = [synthesize_json(s) for s in range(1000)]
        mean_size = statistics.mean(len(body) for body in PRESYNTH_JSON)
        TYPICAL = min(range(1000), key=lambda s: abs(len(PRESYNTH_JSON[s]) - mean_size))
        CONSTANT_BODY = canonical_json(PRESYNTH[TYPICAL])
        CONSTANT_HEADERS = dict(TARGET.import_request(PRESYNTH[TYPICAL]).headers)
        prepare_node(url)
        # The fixtures above (1000 Posts of many objects each) would otherwise be traversed by
        # every full garbage collection during the rounds, a cost a real run does not have.
        gc.collect()
        gc.freeze()
        variants: dict[str, type[FastHttpUser]] = {
            "constant": ConstantUser,
            "harness": ImportUser,
            "harness-inline": InlineUser,
            "harness-per-post": PerPostUser,
            "harness-pure": PureBuilderUser,
            "harness-post": PostPathUser,
            "harness-json-presynth": JsonPresynthUser,
            "harness-presynth": PresynthUser,
            "harness-pipeline": PipelineUser,
            "harness-machinery": MachineryUser,
        }
        if args.only:
            wanted = {"constant", *args.only.split(",")}
            unknown = wanted - set(variants)
            if unknown:
                parser.error(f"--only: got {args.only!r}; expected names among {list(variants)}")
            variants = {k: v for k, v in variants.items() if k in wanted}
        load_before = load_average()
        figures: dict[str, list[float]] = {name: [] for name in variants}
        ratios: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, cls in variants.items():
                figures[name].append(one_round(cls, url, args.users, args.seconds, definition))
            for name in variants:
                ratios[name].append(figures[name][-1] / figures["constant"][-1])
        load_after = load_average()
        per_post = cpu_per_post()
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(
        f"sink: {kind} at {url}; {args.users} users; {args.rounds} rounds of {args.seconds:g} s"
        f"; constant body {len(CONSTANT_BODY)} bytes (seed {TYPICAL}; mean of seeds 0-999"
        f" {mean_size:,.0f}); synth builder {SYNTH_BUILDER}; cpus {os.cpu_count()}"
        f"; load average before {load_before}, after {load_after}"
    )
    base = med["constant"]
    for name, values in figures.items():
        rounds = ", ".join(f"{v:,.0f}" for v in values)
        per_round = ", ".join(f"{r:.2f}" for r in ratios[name])
        print(
            f"  {name:<22} {med[name]:>7,.0f} requests/s  x{med[name] / base:.3f} of constant"
            f"  (rounds: {rounds}; ratio in each round: {per_round})"
        )
    print("  the issue asks >= 0.85 for fresh posts: harness (in line) or harness-pipeline")
    print(f"  (--synth-processes {HELPERS})")
    cpu = {name: statistics.median(CPU_US[cls.__name__]) for name, cls in variants.items()}
    print("  CPU of this process per request (less sensitive to other load than requests/s):")
    for name in variants:
        ratio = cpu["constant"] / cpu[name]
        print(f"    {name:<22} {cpu[name]:7.1f} us   constant / this = {ratio:.3f}")
    main = {name: statistics.median(MAIN_US[cls.__name__]) for name, cls in variants.items()}
    print("  CPU of the gevent thread alone per request (without a builder thread's):")
    for name in variants:
        ratio = main["constant"] / main[name]
        print(f"    {name:<22} {main[name]:7.1f} us   constant / this = {ratio:.3f}")
    alone = ", ".join(f"{k} {v:.1f} us" for k, v in per_post.items())
    print(f"  CPU per post alone: {alone}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
