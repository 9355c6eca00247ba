"""Benchmark of the reference import site, measured side by side in one run.

    .venv/bin/python bench/bench_reference.py [--requests 1500] [--rounds 3] [--batch-size 100]
        [--database-url postgresql://...]   (PostgreSQL instead of SQLite for the reference sites)

Starts, as subprocesses on free loopback ports, all on the same stack (one uvicorn worker,
uvloop, httptools):

* ``reference``: ``anp target serve reference`` with a fresh SQLite file (WAL) and its JSON access
  log written to a file;
* ``bare``: a FastAPI app (after startup ``gc.freeze()``, as the site does) whose ``POST /import/posts`` accepts the same JSON and discards it, the
  idiomatic way (``post: dict[str, Any] = Body()``: FastAPI reads and parses the JSON body);
* ``bare-bytes``: the same app's ``POST /import/bytes``, which only reads the body bytes (the
  strictest comparison: no JSON parsing at all);
* ``slow``: the reference site with ``--slowdown 0.10`` (an emulated release with 10% less
  throughput).

Each round also sends the reference site's batch bodies to ``bare-bytes`` (``bare-batch``): what
receiving a batch over HTTP costs per post on this stack before any work on it.

The load generator is an asyncio (uvloop) HTTP/1.1 client on keep-alive connections that sends
pre-built requests (pre-serialized canonical JSON of distinct seeds, so every import is a fresh
insert) and reads each response fully. Rounds alternate between the servers so that machine
noise hits them alike; the figures are medians over rounds. Printed ratios:

(a) reference single-post imports/s ÷ bare endpoint requests/s   (target >= 0.6; also shown
    against bare-bytes)
(b) reference batch posts/s ÷ reference single-post posts/s       (target >= 10)
(c) slowdown 0.10 site imports/s ÷ reference imports/s            (expected about 0.90)

Next to each wall-clock figure the bench reads the server process's own CPU time (the run time
/proc/PID/task/*/schedstat counts) and prints CPU microseconds per post. On a shared machine where the server gets only
part of a core, the CPU-cost ratios show what each server would do with a core to itself; both
kinds of ratio are printed.

After the rounds the bench times, in its own process and on the same kind of posts, each step the
site does per post in a batch (parse + type validation, the title/reference/seed checks, the
canonical bytes, the hash, the SQLite row) and prints them next to the bound that target (b)
sets: a batch must cost at most a tenth of a single import per post. It ends with the floor: what
a batch post costs with free parsing and validation (receiving it, the sha256 of its body, its
SQLite row), and the bound on (b) that follows. ``--no-breakdown`` skips it.

Exit code 0; with ``--strict``, 1 when (a) or (b) misses its target (wall-clock figures).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Request
from fastapi.responses import Response

REPO = Path(__file__).resolve().parents[1]
SEED_BASE = 7_000_000_000  # far from the seeds tests and demos use
URL_RE = re.compile(rb"(?:serving on|BARE) (http://[0-9.]+:(\d+))")


# --- the bare endpoint --------------------------------------------------------------------------


def run_bare_server() -> None:
    """Bare endpoints that accept the same JSON and discard it, on the same uvicorn stack."""
    import socket

    import uvicorn
    import uvloop
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/import/posts", status_code=201)
    async def import_post(post: Annotated[dict[str, Any], Body()]) -> Response:
        del post  # accepted (parsed by FastAPI) and discarded
        return Response(b'{"status":"created"}', status_code=201, media_type="application/json")

    @app.post("/import/bytes", status_code=201)
    async def import_bytes(request: Request) -> Response:
        await request.body()
        return Response(b'{"status":"created"}', status_code=201, media_type="application/json")

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    config = uvicorn.Config(
        app, http="httptools", log_level="warning", access_log=False, server_header=False
    )
    server = uvicorn.Server(config)
    import gc

    gc.freeze()  # as the reference site does after startup (same runtime settings)
    print(f"BARE http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvloop.run(server.serve(sockets=[sock]))


# --- servers ------------------------------------------------------------------------------------


PATHS = {
    "reference": "/import/posts",
    "bare": "/import/posts",
    "bare-bytes": "/import/bytes",
    "slow": "/import/posts",
}


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """CPU time of the server process so far, in nanoseconds' precision: the run time the
        scheduler counted for each of its threads (/proc schedstat; utime + stime only counts
        10 ms ticks, too coarse for a round of batches)."""
        total = 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
                continue
        return total / 1e9

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start(name: str, argv: list[str]) -> Server:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = URL_RE.search(line)
        if m:
            return Server(name, proc, int(m.group(2)))
    proc.kill()
    raise SystemExit(f"bench: {name} server did not start")


# --- load generator -----------------------------------------------------------------------------


def build_requests(path: str, bodies: list[bytes]) -> list[bytes]:
    head = "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n"
    return [head.format(path, len(b)).encode() + b for b in bodies]


async def _worker(port: int, work: Iterator[bytes], statuses: Counter[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in work:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            statuses[int(head[9:12])] += 1
            m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            await reader.readexactly(int(m.group(1)) if m else 0)
    finally:
        writer.close()


async def _drive(port: int, requests: list[bytes], connections: int) -> tuple[float, Counter[int]]:
    statuses: Counter[int] = Counter()
    work = iter(requests)  # shared: each request goes to whichever connection is free
    t0 = time.perf_counter()
    await asyncio.gather(*(_worker(port, work, statuses) for _ in range(connections)))
    return time.perf_counter() - t0, statuses


def drive(port: int, requests: list[bytes], connections: int) -> tuple[float, Counter[int]]:
    import uvloop

    return uvloop.run(_drive(port, requests, connections))


# --- the run ------------------------------------------------------------------------------------


class Seeds:
    """Fresh seeds, never reused within a run (every import is an insert)."""

    def __init__(self) -> None:
        self.next = SEED_BASE

    def bodies(self, n: int) -> list[bytes]:
        import synth

        out = [synth.canonical_json(synth.synthesize(s)) for s in range(self.next, self.next + n)]
        self.next += n
        return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=1500, help="single-post requests per server per round"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds (median reported)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="posts per batch request")
    parser.add_argument("--batches", type=int, default=30, help="batch requests per round")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--database-url",
        default=None,
        help="run the reference sites on PostgreSQL (fresh schemas) instead of SQLite files",
    )
    parser.add_argument(
        "--no-breakdown", action="store_true", help="skip the per-post cost breakdown"
    )
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        run_bare_server()
        return 0

    py = sys.executable
    seeds = Seeds()
    serve = [py, "-m", "anp", "target", "serve", "reference", "--port", "0"]
    with tempfile.TemporaryDirectory(prefix="anp-bench-") as tmp:
        pg = PgSchemas(args.database_url) if args.database_url else None
        try:
            ref_store = pg.storage_args("ref") if pg else ["--db", f"{tmp}/ref.db"]
            slow_store = pg.storage_args("slow") if pg else ["--db", f"{tmp}/slow.db"]
            servers = {
                "reference": start(
                    "reference", [*serve, *ref_store, "--log-file", f"{tmp}/ref.log"]
                ),
                "bare": start("bare", [py, str(Path(__file__).resolve()), "--bare-server"]),
                "slow": start(
                    "slow",
                    [*serve, *slow_store, "--log-file", f"{tmp}/slow.log", "--slowdown", "0.10"],
                ),
            }
            servers["bare-bytes"] = Server("bare-bytes", servers["bare"].proc, servers["bare"].port)
            try:
                rates, cpu = run_rounds(servers, seeds, args)
            finally:
                for name, server in servers.items():
                    if name != "bare-bytes":  # the same process as "bare"
                        server.stop()
            db_rows = pg.count_rows("ref") if pg else count_rows(Path(tmp) / "ref.db")
        finally:
            if pg:
                pg.drop()
    code = report(rates, cpu, args, db_rows)
    if not args.no_breakdown:
        breakdown(seeds, args.batch_size, cpu)
    return code


def run_rounds(
    servers: dict[str, Server], seeds: Seeds, args: argparse.Namespace
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    rates: dict[str, list[float]] = {
        "reference": [],
        "bare": [],
        "bare-bytes": [],
        "slow": [],
        "batch": [],
        "bare-batch": [],
    }
    cpu: dict[str, list[float]] = {k: [] for k in rates}
    # warm-up: imports, first page of the schema, connection setup
    for name in ("reference", "bare", "slow"):
        drive(
            servers[name].port, build_requests("/import/posts", seeds.bodies(100)), args.connections
        )
    drive(
        servers["reference"].port,
        build_requests("/import/batch", [batch_body(seeds.bodies(args.batch_size))]),
        1,
    )
    for round_no in range(1, args.rounds + 1):
        for name in ("reference", "bare", "bare-bytes", "slow"):
            requests = build_requests(PATHS[name], seeds.bodies(args.requests))
            cpu0 = servers[name].cpu_seconds()
            elapsed, statuses = drive(servers[name].port, requests, args.connections)
            cpu[name].append((servers[name].cpu_seconds() - cpu0) / args.requests * 1e6)
            check(statuses, {201: args.requests}, name)
            rates[name].append(args.requests / elapsed)
        batches = [batch_body(seeds.bodies(args.batch_size)) for _ in range(args.batches)]
        cpu0 = servers["reference"].cpu_seconds()
        elapsed, statuses = drive(
            servers["reference"].port,
            build_requests("/import/batch", batches),
            min(args.connections, 4),
        )
        cpu["batch"].append(
            (servers["reference"].cpu_seconds() - cpu0) / (args.batches * args.batch_size) * 1e6
        )
        check(statuses, {200: args.batches}, "batch")
        rates["batch"].append(args.batches * args.batch_size / elapsed)
        # The same batch bodies to the bare endpoint that only reads them: what receiving a
        # batch over HTTP costs per post on this stack, before the site does anything with it.
        bare = servers["bare-bytes"]
        cpu0 = bare.cpu_seconds()
        elapsed, statuses = drive(
            bare.port, build_requests("/import/bytes", batches), min(args.connections, 4)
        )
        cpu["bare-batch"].append(
            (bare.cpu_seconds() - cpu0) / (args.batches * args.batch_size) * 1e6
        )
        check(statuses, {201: args.batches}, "bare-batch")
        rates["bare-batch"].append(args.batches * args.batch_size / elapsed)
        print(
            f"round {round_no}: reference {rates['reference'][-1]:6.0f} posts/s | bare {rates['bare'][-1]:6.0f} req/s | "
            f"bare-bytes {rates['bare-bytes'][-1]:6.0f} req/s | "
            f"slowdown 0.10 {rates['slow'][-1]:8.0f} posts/s | batch {rates['batch'][-1]:8.0f} posts/s",
            flush=True,
        )
    return rates, cpu


def batch_body(bodies: list[bytes]) -> bytes:
    return b"[" + b",".join(bodies) + b"]"


def check(statuses: Counter[int], expected: dict[int, int], name: str) -> None:
    if dict(statuses) != expected:
        raise SystemExit(
            f"bench: {name}: unexpected statuses {dict(statuses)} (expected {expected})"
        )


class PgSchemas:
    """Fresh PostgreSQL schemas for the reference and slow sites (``--database-url``)."""

    def __init__(self, url: str) -> None:
        import secrets

        import psycopg

        self.url = url
        self.prefix = f"anp_bench_{secrets.token_hex(4)}"
        with psycopg.connect(url, autocommit=True) as conn:
            for name in ("ref", "slow"):
                conn.execute(f"CREATE SCHEMA {self.prefix}_{name}")

    def storage_args(self, name: str) -> list[str]:
        from urllib.parse import quote

        sep = "&" if "?" in self.url else "?"
        return [
            "--database-url",
            f"{self.url}{sep}options={quote(f'-csearch_path={self.prefix}_{name}')}",
        ]

    def count_rows(self, name: str) -> int:
        import psycopg

        with psycopg.connect(self.url) as conn:
            row = conn.execute(f"SELECT count(*) FROM {self.prefix}_{name}.posts").fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in ("ref", "slow"):
                conn.execute(f"DROP SCHEMA IF EXISTS {self.prefix}_{name} CASCADE")


def count_rows(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])
    finally:
        conn.close()


def report(
    rates: dict[str, list[float]],
    cpu: dict[str, list[float]],
    args: argparse.Namespace,
    db_rows: int,
) -> int:
    med = {k: statistics.median(v) for k, v in rates.items()}
    us = {k: statistics.median(v) for k, v in cpu.items()}
    a = med["reference"] / med["bare"]
    b = med["batch"] / med["reference"]
    c = med["slow"] / med["reference"]
    ok_a, ok_b = a >= 0.6, b >= 10
    print()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.connections} connections, "
        f"{args.requests} requests x {args.rounds} rounds, batches of {args.batch_size}"
    )
    rows = [
        ("reference single-post import", "reference", "posts/s", "us/post"),
        ("bare FastAPI endpoint (JSON)", "bare", "req/s", "us/request"),
        ("bare endpoint (bytes only)", "bare-bytes", "req/s", "us/request"),
        ("reference batch import", "batch", "posts/s", "us/post"),
        ("reference --slowdown 0.10", "slow", "posts/s", "us/post"),
        ("bare endpoint, batch bodies (bytes)", "bare-batch", "posts/s", "us/post"),
    ]
    print(
        f"{'median of ' + str(args.rounds) + ' rounds':36s}  {'wall-clock':>17s}  {'server CPU':>16s}"
    )
    for label, key, unit, cpu_unit in rows:
        print(f"{label:36s}: {med[key]:8.0f} {unit:8s}  {us[key]:6.0f} {cpu_unit}")
    a2 = med["reference"] / med["bare-bytes"]
    ratios = [
        ("(a)  reference / bare (JSON)", a, us["bare"] / us["reference"], "target >= 0.6", ok_a),
        (
            "(a') reference / bare (bytes)",
            a2,
            us["bare-bytes"] / us["reference"],
            "no target, strictest",
            None,
        ),
        ("(b)  batch / single", b, us["reference"] / us["batch"], "target >= 10", ok_b),
        ("(c)  slowdown 0.10 / reference", c, us["reference"] / us["slow"], "ideal 0.90", None),
    ]
    for label, wall, by_cpu, target, ok in ratios:
        verdict = "" if ok is None else ("  OK" if ok else "  MISSED")
        print(
            f"{label:31s} = {wall:5.2f}x wall-clock, {by_cpu:5.2f}x by CPU cost ({target}){verdict}"
        )
    expected_rows = (100 + args.requests * args.rounds) + args.batch_size * (
        1 + args.batches * args.rounds
    )
    store = "PostgreSQL schema" if args.database_url else "SQLite file"
    print(f"rows in the reference {store}: {db_rows} (expected {expected_rows})")
    if db_rows != expected_rows:
        print("bench: row count mismatch", file=sys.stderr)
        return 1
    return 1 if args.strict and not (ok_a and ok_b) else 0


def breakdown(seeds: Seeds, batch_size: int, cpu: dict[str, list[float]]) -> None:
    """Per-post CPU of each step of the batch path, timed in this process (best of 5)."""
    import gc
    import hashlib

    import orjson

    import synth
    from targets.reference.plain_schema import PLAIN_POSTS
    from targets.reference.sqlite_store import SQLiteStorage
    from targets.reference.validation import check_reference, check_title, validate_batch

    n_batches = 10
    raws = [batch_body(seeds.bodies(batch_size)) for _ in range(n_batches)]
    posts = [p for raw in raws for p in PLAIN_POSTS.validate_json(raw)]
    bodies = [orjson.dumps(p) for p in posts]
    n = len(posts)
    gc.freeze()  # as the site does after startup

    def per_post(fn: Any, repeat: int = 5) -> float:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            fn()
            best = min(best, time.process_time() - t0)
        return best / n * 1e6

    def checks() -> None:
        for p in posts:
            check_reference(p["meta"]["reference"], "meta.reference")
            check_title(p["title"])

    with tempfile.TemporaryDirectory(prefix="anp-bench-db-") as tmp:
        store = SQLiteStorage.open(Path(tmp) / "b.db")
        checked = [v for raw in raws for v in validate_batch(raw, 1000)]
        chunks = [checked[i : i + batch_size] for i in range(0, n, batch_size)]
        t0 = time.process_time()
        for chunk in chunks:
            store._write(chunk)  # type: ignore[arg-type]
        sqlite_us = (time.process_time() - t0) / n * 1e6
        store._conn.close()
        with open(Path(tmp) / "raw", "wb", buffering=0) as f:
            t0 = time.process_time()
            for body in bodies:
                f.write(body)
            write_us = (time.process_time() - t0) / n * 1e6
    steps = [
        ("orjson.loads only (no validation)", per_post(lambda: [orjson.loads(r) for r in raws])),
        (
            "parse + type validation (one call)",
            per_post(lambda: [PLAIN_POSTS.validate_json(r) for r in raws]),
        ),
        ("reference + title checks", per_post(checks)),
        ("canonical bytes (orjson.dumps)", per_post(lambda: [orjson.dumps(p) for p in posts])),
        (
            "hash check (synth.canonical_hash)",
            per_post(lambda: [synth.canonical_hash(b) for b in bodies]),
        ),
        (
            "  of which sha256 of the body",
            per_post(lambda: [hashlib.sha256(b).digest() for b in bodies]),
        ),
        (
            "validate_batch (all checks above)",
            per_post(lambda: [validate_batch(r, 1000) for r in raws]),
        ),
        ("SQLite rows, one transaction per batch", sqlite_us),
        ("  vs write() of each body to a file", write_us),
    ]
    print()
    print(
        f"per-post CPU of the batch path, timed in this process ({n} posts, batches of {batch_size}):"
    )
    for label, us in steps:
        print(f"  {label:40s} {us:6.1f} us")
    site = steps[6][1] + sqlite_us
    single = statistics.median(cpu["reference"])
    bare = statistics.median(cpu["bare-bytes"])
    receive = statistics.median(cpu["bare-batch"])
    print(f"  {'validate_batch + SQLite':40s} {site:6.1f} us")
    print(
        f"target (b) needs a batch post to cost <= single import / 10 = {single / 10:.1f} us of server CPU "
        f"(single import {single:.0f} us, of which HTTP + framework for a body read as bytes: {bare:.0f} us); "
        f"the site's own work per post alone is {site:.0f} us, so (b) <= {single / site:.1f}x here"
    )
    # Floors: what a batch post costs even if parsing and validation were free.
    floor = receive + steps[5][1] + sqlite_us
    parsed = floor + steps[0][1]
    print(
        f"floor with free parsing and validation: receiving the batch over HTTP {receive:.1f} "
        f"+ sha256 of the body {steps[5][1]:.1f} + SQLite row {sqlite_us:.1f} = {floor:.1f} us, "
        f"so (b) <= {single / floor:.1f}x; with the cheapest parse that builds the objects "
        f"(orjson.loads, no checks) {parsed:.1f} us, (b) <= {single / parsed:.1f}x"
    )


if __name__ == "__main__":
    sys.exit(main())
