"""Measure run-to-run and second-to-second noise on this machine (feeds bench_compare.py).

Starts the reference site on a free loopback port (SQLite in a temporary folder), then makes
``--runs`` short closed-loop runs of ``--threads`` keep-alive clients posting fresh synthesized
posts to ``POST /import/posts`` for ``--seconds`` seconds each. Every run is reduced exactly as
``anp compare`` reduces a record (median per-second throughput after the warm-up, p50/p95/p99
from an HDR histogram), and the noise model is printed and written as JSON:

- ``between``: standard deviation across runs of the log of each per-run value;
- ``within_throughput``: spread of log(per-second throughput / run median): the standard
  deviation for probe runs; for ``--from-runs``, 1.4826 x the median absolute deviation
  (:func:`robust_sd`; the plain standard deviation is kept as ``within_throughput_sd``).

    .venv/bin/python bench/noise_probe.py --runs 8 --seconds 6 --out bench/noise_model.json

With ``--from-runs``, the model is computed from real run records instead (same-build runs made
by ``anp run``), reduced by ``results.reduce_run``; when the per-second throughput falls into two
speed states (the host's, not the build's: see docs/results.md), ``states`` describes them
(:func:`host_states`) and ``bench/bench_compare.py`` simulates them:

    .venv/bin/python bench/noise_probe.py --from-runs results/runs/aa-* --out bench/noise_model.json
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from hdrh.histogram import HdrHistogram

from results.atomic import write_text_atomic
from synth import canonical_json, synthesize


def start_site(tmp: Path) -> tuple[subprocess.Popen[str], str, int]:
    exe = Path(sys.executable).parent / "anp"
    proc = subprocess.Popen(
        [
            str(exe),
            "target",
            "serve",
            "reference",
            "--port",
            "0",
            "--db",
            str(tmp / "ref.db"),
            "--log-file",
            str(tmp / "access.log"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"http://(127\.0\.0\.1):(\d+)", line)
        if match:
            return proc, match.group(1), int(match.group(2))
    proc.kill()
    raise RuntimeError("the reference site did not print its URL within 30 s")


def one_run(host: str, port: int, payloads: list[bytes], threads: int, seconds: float) -> dict:
    hist = HdrHistogram(1, 60_000_000, 3)
    per_second: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(payloads)))
    start = time.monotonic()
    stop = start + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        headers = {"Content-Type": "application/json"}
        while True:
            with lock:
                i = next(index, None)
            if i is None or time.monotonic() >= stop:
                break
            t0 = time.monotonic()
            conn.request("POST", "/import/posts", body=payloads[i], headers=headers)
            response = conn.getresponse()
            response.read()
            t1 = time.monotonic()
            with lock:
                hist.record_value(max(1, round((t1 - t0) * 1e6)))
                if response.status < 300:
                    second = int(t0 - start)
                    per_second[second] = per_second.get(second, 0) + 1
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"per_second": per_second, "hist": hist}


def robust_sd(values: list[float]) -> float:
    """1.4826 x the median absolute deviation from 0 (values are log ratios to a median): the
    standard deviation of the bulk, not inflated by a few seconds that other jobs disturbed
    (which the median of a run ignores anyway)."""
    return 1.4826 * statistics.median(abs(v) for v in values)


def host_states(series: list[list[int]]) -> dict | None:
    """Two host speed states in per-second throughput, when there are any.

    The log of every measured second of every run is split in two by the gap that best
    separates them (1-D two-means); when the two centres differ by more than 30% the seconds
    are taken as two states, and the slow state's share of seconds, its speed relative to the
    fast state and the mean lengths of the stretches spent in each state are returned (the
    second-to-second noise is then measured within a state). None when there is one state."""
    logs = sorted(math.log(s) for run in series for s in run if s > 0)
    if len(logs) < 10:
        return None
    best: tuple[float, int] | None = None
    for cut in range(2, len(logs) - 1):
        low, high = logs[:cut], logs[cut:]
        cost = sum((x - statistics.fmean(low)) ** 2 for x in low) + sum(
            (x - statistics.fmean(high)) ** 2 for x in high
        )
        if best is None or cost < best[0]:
            best = (cost, cut)
    assert best is not None
    low, high = logs[: best[1]], logs[best[1] :]
    slow, fast = statistics.fmean(low), statistics.fmean(high)
    if fast - slow < math.log(1.3):
        return None
    boundary = (slow + fast) / 2
    stretches: dict[bool, list[int]] = {True: [], False: []}
    for run in series:
        states = [s > 0 and math.log(s) > boundary for s in run]
        length = 1
        for prev, cur in itertools.pairwise(states):
            if cur == prev:
                length += 1
            else:
                stretches[prev].append(length)
                length = 1
        if states:
            stretches[states[-1]].append(length)
    deviations: list[float] = []  # from the median of the same run's seconds in that state
    for run in series:
        for fast_state in (False, True):
            logs_in = [math.log(s) for s in run if s > 0 and (math.log(s) > boundary) == fast_state]
            if logs_in:
                centre = statistics.median(logs_in)
                deviations += [x - centre for x in logs_in]
    slow_seconds = sum(stretches[False])
    total = slow_seconds + sum(stretches[True])
    return {
        "boundary_rps": math.exp(boundary),
        "slow_share": slow_seconds / total,
        "slow_factor": math.exp(slow - fast),
        "mean_slow_s": statistics.fmean(stretches[False]) if stretches[False] else 0.0,
        "mean_fast_s": statistics.fmean(stretches[True]) if stretches[True] else 0.0,
        "within_state": robust_sd(deviations),
    }


def model_from_runs(paths: list[Path]) -> dict:
    """The noise model of real same-build records (warm-up excluded as in anp compare)."""
    from results import load_records, reduce_run
    from results.metrics import per_second_successes

    records = [record for _, record in load_records(paths)]
    values: dict[str, list[float]] = {
        k: [] for k in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms")
    }
    within: list[float] = []
    series: list[list[int]] = []
    for record in records:
        reduced = reduce_run(record)
        for key in values:
            values[key].append(reduced.values[key])
        totals = per_second_successes(record)
        first, last = math.ceil(record.timing.warmup_s), math.floor(record.timing.duration_s)
        seconds = [totals.get(s, 0) for s in range(first, last)]
        series.append(seconds)
        med = statistics.median(seconds)
        within += [math.log(s / med) for s in seconds if s > 0]
    states = host_states(series)
    return {
        "states": states,
        "measured": {
            "source": "anp run records",
            "when": min(str(r.timing.started_at) for r in records),
            "per_second": series,
            "runs": [r.run_id for r in records],
            "seconds": [r.timing.duration_s for r in records],
            "warmup": [r.timing.warmup_s for r in records],
            "per_run": values,
        },
        "between": {k: statistics.stdev(math.log(v) for v in vs) for k, vs in values.items()},
        "within_throughput": robust_sd(within),
        "within_throughput_sd": statistics.stdev(within),
        "medians": {k: statistics.median(vs) for k, vs in values.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--from-runs", type=Path, nargs="+", default=None, metavar="RUN")
    args = parser.parse_args()
    if args.from_runs:
        model = model_from_runs(args.from_runs)
        shown = ("between", "within_throughput", "medians", "states")
        print(json.dumps({k: model[k] for k in shown}, indent=2))
        if args.out:
            write_text_atomic(args.out, json.dumps(model, indent=2, sort_keys=True) + "\n")
            print(f"wrote {args.out}")
        return 0
    per_run_posts = args.seconds * 5000
    with tempfile.TemporaryDirectory(prefix="anp-noise-") as tmp:
        proc, host, port = start_site(Path(tmp))
        try:
            values: dict[str, list[float]] = {
                k: [] for k in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms")
            }
            within: list[float] = []
            for run in range(args.runs):
                payloads = [
                    canonical_json(synthesize(seed))
                    for seed in range(run * per_run_posts, (run + 1) * per_run_posts)
                ]
                result = one_run(host, port, payloads, args.threads, args.seconds)
                seconds = [result["per_second"].get(s, 0) for s in range(args.warmup, args.seconds)]
                med = statistics.median(seconds)
                values["throughput_rps"].append(med)
                within += [math.log(s / med) for s in seconds if s > 0]
                for q in (50, 95, 99):
                    values[f"p{q}_ms"].append(result["hist"].get_value_at_percentile(q) / 1000)
                print(
                    f"run {run}: {med:.0f} req/s, p50 {values['p50_ms'][-1]:.2f} ms, "
                    f"p95 {values['p95_ms'][-1]:.2f} ms, p99 {values['p99_ms'][-1]:.2f} ms",
                    flush=True,
                )
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    model = {
        "measured": {
            "runs": args.runs,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "threads": args.threads,
            "cpus": os.cpu_count(),
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "per_run": values,
        },
        "between": {k: statistics.stdev(math.log(v) for v in vs) for k, vs in values.items()},
        "within_throughput": statistics.stdev(within),
        "medians": {k: statistics.median(vs) for k, vs in values.items()},
    }
    print(json.dumps({k: model[k] for k in ("between", "within_throughput", "medians")}, indent=2))
    if args.out:
        write_text_atomic(args.out, json.dumps(model, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
