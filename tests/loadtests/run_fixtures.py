"""Fixtures of the loadtests-run tests (imported by the test modules that use them).

``reference_site``: a real reference site (``anp target serve reference --port 0``) on loopback
with a fresh SQLite file in ``tmp_path``, stopped by PID in teardown. ``make_measurements``: a
hand-made ``Measurements`` for finalize tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hdrh.histogram import HdrHistogram as Hdr

from loadtests import CheckSpec, Measurements
from loadtests.local_site import LocalReferenceSite, write_definition
from results import EndpointStats, HdrHistogram, LoadSettings, SeedSummary, TargetInfo
from synth import Post, synthesize
from targets import load_target
from targets.base import Target
from targets.importing import import_posts
from targets.transport import Sender


@dataclass
class Site:
    """A running reference site and everything a test needs to talk to it."""

    process: LocalReferenceSite
    url: str
    db: Path
    definition: Path
    target: Target

    def import_seeds(self, seeds: range | list[int], size: str | None = None) -> list[Post]:
        posts = [synthesize(s, size=size) for s in seeds]
        with Sender(self.url) as sender:
            acks = import_posts(self.target, posts, sender=sender)
        assert all(a.acknowledged for a in acks), [a for a in acks if not a.acknowledged][:3]
        return posts


def start_site(tmp_path: Path, extra_args: tuple[str, ...] = ()) -> Site:
    db = tmp_path / "reference.db"
    process = LocalReferenceSite(db, tmp_path / "target.log", extra_args=extra_args)
    url = process.start()
    definition = write_definition(tmp_path / "target.toml", "test-reference", url)
    return Site(process, url, db, definition, load_target(definition))


@pytest.fixture
def reference_site(tmp_path: Path) -> Iterator[Site]:
    site = start_site(tmp_path)
    try:
        yield site
    finally:
        site.process.stop()


def histogram(values_us: list[int]) -> HdrHistogram:
    h = Hdr(1, 3_600_000_000, 3)
    for v in values_us:
        h.record_value(v)
    return HdrHistogram(data=h.encode().decode("ascii"))


def make_measurements(
    *,
    url: str = "http://127.0.0.1:9",
    definition: str | None = None,
    acknowledged: list[tuple[int, int]] | None = None,
    sent: list[tuple[int, int]] | None = None,
    checks: CheckSpec | None = None,
    verify: bool = True,
    interrupted: bool = False,
    errors: dict[str, int] | None = None,
    latency_us: int = 2000,
) -> Measurements:
    """A 10-second run of the import scenario: 10 successes per second, 1 failure in second 3."""
    acknowledged = [(0, 99)] if acknowledged is None else acknowledged
    per_second = [(s, 10, 1 if s == 3 else 0) for s in range(10)]
    endpoint = EndpointStats(
        scenario="import",
        name="POST /import/posts",
        requests=101,
        successes=100,
        failures=1,
        posts=100,
        per_second=per_second,
        histogram=histogram([latency_us] * 101),
        histogram_after_warmup=histogram([latency_us] * 81),  # seconds 2-9 (warm-up 2 s)
        errors=errors if errors is not None else {"http_503": 1},
    )
    return Measurements(
        run_id="test-run",
        started_at="2026-12-04T20:00:00Z",
        ended_at="2026-12-04T20:00:10Z",
        duration_s=10.0,
        warmup_s=2.0,
        interrupted=interrupted,
        target=TargetInfo(
            name="test-reference",
            kind="reference",
            url=url,
            release="1.4.0",
            definition=definition,
        ),
        load=LoadSettings(
            scenarios={"import": 1},
            load_model="closed",
            users=2,
            spawn_rate=2,
            run_time_s=10,
            seeds="0-999",
            timeout_s=5,
        ),
        checks=checks or CheckSpec(),
        endpoints=[endpoint],
        seeds=SeedSummary(
            sent=sent if sent is not None else acknowledged, acknowledged=acknowledged
        ),
        verify=verify,
    )
