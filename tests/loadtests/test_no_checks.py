"""No check declared: plain ``locust`` keeps Locust's exit-code convention (nonzero with
``--exit-code-on-error`` when a request failed) and ``anp run`` agrees (exit 1); Locust's own
statistics count the invalid scenario's expected rejections as successes, like the harness. Real
runs against the reference site on loopback, 3 s each."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
from lt_support import BIN, LOCUSTFILE, REPO, locust_env

pytestmark = pytest.mark.integration


def no_check_definition(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "no-checks.toml"
    path.write_text(f'name = "plain"\nkind = "reference"\nbase_url = "{url}"\n', encoding="utf-8")
    return path


def plain_locust(url: str, definition: Path, out: Path, *extra: str) -> tuple[int, str]:
    done = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            "2",
            "-r",
            "2",
            "-t",
            "3s",
            "--target",
            str(definition),
            "--scenario",
            "invalid",
            "--anp-out",
            str(out),
            "--csv",
            str(out / "locust"),
            *extra,
        ],
        env=locust_env(url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def aggregated(out: Path) -> tuple[int, int]:
    """Locust's own (requests, failures) from its CSV."""
    with open(out / "locust_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return int(row["Request Count"]), int(row["Failure Count"])
    raise AssertionError("no Aggregated row")


def test_expected_rejections_pass_and_locust_agrees(start_site, tmp_path):
    site = start_site()
    code, log = plain_locust(site.url, no_check_definition(tmp_path, site.url), tmp_path / "ok")
    assert code == 0, log
    record = json.loads((tmp_path / "ok" / "run.json").read_text())
    assert record["totals"]["failures"] == 0
    assert record["errors"]["rejected_invalid"] == record["totals"]["requests"] > 0
    assert [(c["name"], c["passed"]) for c in record["checks"]] == [("no_failed_requests", True)]
    assert aggregated(tmp_path / "ok") == (record["totals"]["requests"], 0)
    assert "HTTP Request:" not in log  # httpx's per-request INFO lines are quiet


def test_failed_requests_fail_plain_locust_and_anp_run(start_site, tmp_path):
    site = start_site("--fail-rate", "1")  # every import request is a 503
    definition = no_check_definition(tmp_path, site.url)
    code, log = plain_locust(site.url, definition, tmp_path / "a")
    assert code == 1, log
    record = json.loads((tmp_path / "a" / "run.json").read_text())
    requests = record["totals"]["requests"]
    assert record["totals"]["failures"] == requests > 0
    check = record["checks"][0]
    assert (check["name"], check["passed"], check["observed"]) == (
        "no_failed_requests",
        False,
        requests,
    )
    assert aggregated(tmp_path / "a") == (requests, requests)  # Locust counts the same

    code, log = plain_locust(site.url, definition, tmp_path / "b", "--exit-code-on-error", "7")
    assert code == 7, log
    code, log = plain_locust(site.url, definition, tmp_path / "c", "--exit-code-on-error", "0")
    assert code == 0, log

    done = subprocess.run(
        [
            str(BIN / "anp"),
            "run",
            "--target",
            str(definition),
            "--scenario",
            "invalid",
            "--users",
            "2",
            "--run-time",
            "3s",
            "--no-progress",
            "--out",
            str(tmp_path / "runs"),
            "--run-id",
            "failing",
        ],
        env=locust_env(site.url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL (exit 1): no_failed_requests" in done.stdout
    assert "HTTP Request:" not in (tmp_path / "runs" / "failing" / "locust.log").read_text()
