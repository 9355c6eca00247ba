"""The bytes fast path in the load: the import user stays on it (a test that fails when it
leaves it), every way of building sends the same requests and records the same, the synthesis
helpers' frames carry the same requests as the ``Post`` path (fast path for the reference adapter,
``Post`` path for a mapped http body), and a real headless run through the http adapter's fast
path lands and verifies every post.

(Which adapters offer the fast path is tested in ``tests/targets/test_json_import.py``. This
process cannot import ``loadtests.users``: Locust's monkey-patching must come first, so the user
runs in a child process against a fake client, ``users_driver.py``.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lt_support import REPO, count, endpoint, run_locust

from loadtests.prebuild_frames import split_frames
from synth import merge_ranges, synthesize
from targets import Request, load_target

DRIVER = Path(__file__).with_name("users_driver.py")
REQUESTS = 77
"""Not a multiple of the in-line block: the end of the load finds built requests unsent."""


def _drive(mode: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), mode, str(REQUESTS), *flags],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def _driven(mode: str, *flags: str) -> dict[str, Any]:
    done = _drive(mode, *flags)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(
    ("mode", "source"),
    [
        ("thread", "ThreadBuilder"),
        ("block", "InlineBuilder"),
        ("per-post", None),
        ("prebuilt", "ListSource"),
    ],
)
def test_import_stays_on_the_bytes_fast_path(mode: str, source: str | None) -> None:
    """``synthesize`` raises in the child: any import that takes the ``Post`` path fails."""
    out = _driven(mode, "--no-post-path")
    assert out["source"] == source
    assert len(out["sent"]) == REQUESTS
    assert all(item["body_is_synth"] for item in out["sent"])


def test_the_fast_path_check_catches_the_post_path() -> None:
    """The check above can fail: the ``Post`` path under the same guard does."""
    done = _drive("post", "--no-post-path")
    assert done.returncode != 0
    assert "synthesize called: the import left the bytes fast path" in done.stderr


def test_every_way_of_building_sends_and_records_the_same() -> None:
    """Blocks built on a thread or in line, one post per request, the ``Post`` path and prebuilt
    requests: the same requests in the same order, the same outcomes, the same counts, errors and seed lists; the
    seeds taken and not sent come back as leftovers, so sent + leftovers = granted."""
    modes = ("thread", "block", "per-post", "post", "prebuilt")
    runs = {mode: _driven(mode) for mode in modes}
    first = 1000
    for mode, out in runs.items():
        sent = out["sent"]
        assert [item["seed"] for item in sent] == list(range(first, first + REQUESTS)), mode
        delta = out["delta"]
        assert delta["sent"] == [[first, first + REQUESTS - 1]], mode
        taken = sorted(map(tuple, delta["sent"] + delta["leftovers"]))
        assert list(merge_ranges(taken)) == [(first, first + out["granted"] - 1)], mode
        assert sum(b - a + 1 for a, b in taken) == out["granted"], mode  # no overlap
        assert out["in_flight"] == [0, 0], mode
    reference = runs["block"]
    for mode, out in runs.items():
        assert out["sent"] == reference["sent"], mode
        for key in ("series", "acked", "sent", "reimported"):
            assert out["delta"][key] == reference["delta"][key], (mode, key)
    (series,) = reference["delta"]["series"]
    refused = sum(1 for s in range(first, first + REQUESTS) if s % 11 == 5)
    http_500 = sum(1 for s in range(first, first + REQUESTS) if s % 11 != 5 and s % 7 == 3)
    assert series["errors"] == {"connection_refused": refused, "http_500": http_500}
    assert series["successes"] == REQUESTS - refused - http_500 == series["posts"]
    assert series["per_second"] == REQUESTS


MAPPING_HTTP = """
kind = "http"
name = "mapped"
base_url = "http://127.0.0.1:9"
[http]
method = "PUT"
path = "/import/{reference}"
mode = "mapping"
[http.body]
ref = "meta.reference"
title = "title"
"""


def _frames(definition: Path, size: str, lines: bytes) -> list[tuple[int, str, Request]]:
    """Run the helper process on ``lines`` of seed ranges; parse its frames."""
    done = subprocess.run(
        [sys.executable, "-m", "loadtests.prebuild_worker", str(definition), size],
        input=lines,
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return [(item.seed, item.reference, item.request) for item in split_frames(done.stdout)]


@pytest.mark.parametrize(
    ("kind", "size"), [("reference", "-"), ("reference", "xl"), ("mapping", "m")]
)
def test_helpers_send_what_the_post_path_builds(tmp_path: Path, kind: str, size: str) -> None:
    definition = tmp_path / "t.toml"
    if kind == "reference":
        definition.write_text('kind = "reference"\nname = "r"\nbase_url = "http://127.0.0.1:9"\n')
    else:
        definition.write_text(MAPPING_HTTP)
    target = load_target(definition, environ={})
    items = _frames(definition, size, b"0 30\n500 500\n123456789 123456799\n")
    seeds = [*range(31), 500, *range(123456789, 123456800)]
    assert [seed for seed, _, _ in items] == seeds
    for seed, reference, request in items:
        post = synthesize(seed, size=None if size == "-" else size)
        expected = target.import_request(post)
        assert reference == post.meta.reference
        assert (request.method, request.path, request.name) == (
            expected.method,
            expected.path,
            expected.name,
        )
        assert request.headers == dict(expected.headers)
        assert request.body == expected.body


@pytest.mark.integration
@pytest.mark.slow
def test_http_canonical_target_runs_the_fast_path_and_verifies(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        "--target",
        str(REPO / "targets" / "example-http.toml"),
        "-u",
        "4",
        "-r",
        "4",
        "-t",
        "90s",
        "--seeds",
        "0-149,1000-1049",
    )
    assert run.returncode == 0, run.log
    m = run.measurements()
    assert m["seeds"]["sent"] == m["seeds"]["acknowledged"] == [[0, 149], [1000, 1049]]
    assert endpoint(m, "import", "POST /import/posts")["successes"] == 200
    verification = run.record()["verification"]
    assert (verification["landed"], verification["missing"], verification["corrupted"]) == (
        200,
        0,
        0,
    )
    assert site.stats()["posts"] == count(m["seeds"]["acknowledged"]) == 200
