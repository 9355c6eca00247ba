"""The bytes fast path in the load: the synthesis helpers' frames carry the same requests as the
``Post`` path (fast path for the reference adapter, ``Post`` path for a mapped http body), and a
real headless run through the http adapter's fast path lands and verifies every post.

(Which adapters offer the fast path is tested in ``tests/targets/test_json_import.py``; this
process cannot import ``loadtests.users``, Locust's monkey-patching must come first. The existing
headless, exactness and distributed tests run the reference adapter, so the fast path, too.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lt_support import REPO, count, endpoint, run_locust

from loadtests.prebuild_frames import split_frames
from synth import synthesize
from targets import Request, load_target

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
