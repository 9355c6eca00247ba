"""Build realistic run records in code, with real HDR histograms, for the results tests."""

from __future__ import annotations

import random

from hdrh.histogram import HdrHistogram as Hdr

from results import (
    EndpointStats,
    Environment,
    HdrHistogram,
    LoadSettings,
    RunRecord,
    TargetInfo,
    Timing,
    Totals,
    Verification,
)


def make_record(
    run_id: str,
    *,
    seed: int,
    rps: float = 100.0,
    latency_ms: float = 20.0,
    release: str = "1.0",
    target_name: str = "local-reference",
    seconds: int = 20,
    warmup_s: float = 2.0,
    users: int = 10,
    errors: dict[str, int] | None = None,
    missing: int = 0,
    corrupted: int = 0,
    started_at: str = "2026-12-04T20:00:00Z",
    run_noise: float = 0.01,
    latency_timeline: bool = True,
) -> RunRecord:
    """A run of ``seconds`` seconds whose throughput is about ``rps`` and whose latencies are
    lognormal around ``latency_ms``; ``run_noise`` is the between-run lognormal sigma."""
    rng = random.Random(seed)
    level = rng.lognormvariate(0.0, run_noise)
    lat_level = rng.lognormvariate(0.0, run_noise)
    hist = Hdr(1, 3_600_000_000, 3)
    rows: list[tuple[int, int, int]] = []
    timeline: list[tuple[int, float, float]] = []
    fails = sum((errors or {}).values())
    for second in range(seconds):
        count = max(1, round(rps * level * rng.lognormvariate(0.0, 0.03)))
        lat = sorted(latency_ms * lat_level * rng.lognormvariate(0.0, 0.25) for _ in range(200))
        for value in lat:
            hist.record_value(round(value * 1000))
        rows.append((second, count, fails if second == seconds // 2 else 0))
        timeline.append((second, round(lat[100], 3), round(lat[190], 3)))
    successes = sum(r[1] for r in rows)
    data = hist.encode().decode("ascii")
    endpoint = EndpointStats(
        scenario="import",
        name="POST /import/posts",
        requests=successes + fails,
        successes=successes,
        failures=fails,
        posts=successes,
        per_second=rows,
        histogram=HdrHistogram(data=data),
        errors=dict(errors or {}),
    )
    return RunRecord(
        run_id=run_id,
        harness_version="0.1.0",
        generator_version="1",
        target=TargetInfo(
            name=target_name, kind="reference", url="http://127.0.0.1:8000", release=release
        ),
        load=LoadSettings(
            scenarios={"import": 1},
            load_model="closed",
            users=users,
            spawn_rate=10.0,
            seeds="0-999999",
            timeout_s=10.0,
        ),
        timing=Timing(
            started_at=started_at,
            ended_at=started_at,
            duration_s=float(seconds),
            warmup_s=warmup_s,
        ),
        endpoints=[endpoint],
        totals=Totals(
            requests=successes + fails,
            successes=successes,
            failures=fails,
            posts_acknowledged=successes,
            throughput_rps=successes / seconds,
            posts_per_s=successes / seconds,
            error_ratio=fails / (successes + fails),
        ),
        errors=dict(errors or {}),
        verification=Verification(
            performed=True,
            acknowledged=successes,
            landed=successes - missing,
            missing=missing,
            corrupted=corrupted,
        ),
        environment=Environment(
            cpu_count=2, python="3.11", locust="2.47.0", platform="linux", hostname="test"
        ),
        latency_per_second=timeline if latency_timeline else [],
    )
