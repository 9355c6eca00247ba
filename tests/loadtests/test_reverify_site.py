"""``anp verify RUN`` end to end against the reference site: a run made with ``--no-verify``, the
site stopped (verification fails, the record is untouched), then restarted on the same SQLite
file (the counts equal the site's own), and posts deleted from that file on purpose (reported
missing, exit 1). The site's figures are counted independently: its ``/stats`` counters during
the load and the rows of its SQLite file afterwards."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from lt_support import BIN, REPO, TARGET, Site, SiteFactory

BACKUP = "run.json.before-verify-"


def anp(url: str, *args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "anp"), *map(str, args)],
        env={**os.environ, "ANP_REF_URL": url, "PYTHONUNBUFFERED": "1"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def unverified_run(site: Site, out: Path, run_id: str) -> Path:
    """A short import run with --no-verify; its record file."""
    done = anp(
        site.url,
        "run",
        "--target",
        TARGET,
        "--users",
        "2",
        "--run-time",
        "3s",
        "--no-verify",
        "--no-progress",
        "--max-p95-ms",
        "3600000",
        "--out",
        out,
        "--run-id",
        run_id,
    )
    # the definition declares max_missing = 0 and max_corrupted = 0: unverified, they fail
    assert done.returncode == 1, done.stdout + done.stderr
    return out / run_id / "run.json"


def rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])


def check(record: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in record["checks"] if c["name"] == name)


def test_verified_later_on_the_restarted_site_counts_what_it_holds(
    start_site: SiteFactory, tmp_path: Path
) -> None:
    site = start_site()
    out = tmp_path / "runs"
    file = unverified_run(site, out, "late")
    created = site.stats()["posts"]
    original = file.read_bytes()
    before = json.loads(original)
    assert before["verification"]["performed"] is False
    site.stop()

    down = anp(site.url, "verify", "late", "--dir", out)
    assert down.returncode == 3, down.stdout + down.stderr
    assert "run `anp verify late`" in down.stdout
    assert file.read_bytes() == original
    assert not list(file.parent.glob(BACKUP + "*"))

    again = start_site("--db", str(site.db))  # the last --db wins: the same SQLite file
    up = anp(again.url, "verify", "late", "--dir", out, "--format", "json")
    assert up.returncode == 0, up.stdout + up.stderr
    if again.url != site.url:  # a new free port: the note says where the posts were read
        assert f"reading back from {again.url}; the run loaded {site.url}" in up.stderr
    after = json.loads(file.read_text())
    v = after["verification"]
    assert v["performed"] is True and v["error"] is None
    assert v["acknowledged"] == before["totals"]["posts_acknowledged"] == created > 0
    assert v["landed"] == rows(site.db) == created
    assert (v["missing"], v["corrupted"], v["duplicates"]) == (0, 0, 0)
    assert json.loads(up.stdout)["verification"] == v
    assert check(after, "max_missing")["passed"] is True
    assert check(after, "max_corrupted")["passed"] is True
    assert after["passed"] is True
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"verification", "checks", "passed", "artifacts"}
    (backup,) = file.parent.glob(BACKUP + "*")
    assert backup.read_bytes() == original
    assert after["artifacts"][backup.name] == backup.name
    lookups = again.stats()["requests"]["POST /posts/lookup"]["total"]
    assert lookups < created  # read back in batches, not one request per post


def test_posts_deleted_from_the_site_are_reported_missing(
    start_site: SiteFactory, tmp_path: Path
) -> None:
    site = start_site()
    out = tmp_path / "runs"
    file = unverified_run(site, out, "cut")
    site.stop()
    with sqlite3.connect(site.db) as conn:
        gone = [r for (r,) in conn.execute("SELECT reference FROM posts ORDER BY seed LIMIT 7")]
        conn.executemany("DELETE FROM posts WHERE reference = ?", [(r,) for r in gone])
    assert len(gone) == 7
    again = start_site("--db", str(site.db))

    done = anp(again.url, "verify", file.parent)  # the run folder's path
    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(file.read_text())
    v = record["verification"]
    assert v["missing"] == 7 and v["error"] is None
    assert sorted(v["missing_refs"]) == sorted(gone)
    assert v["landed"] == v["acknowledged"] - 7 == rows(site.db)
    assert check(record, "max_missing")["passed"] is False
    assert check(record, "max_missing")["observed"] == 7
    assert record["passed"] is False
    assert "missing 7," in done.stdout and "exit 1" in done.stdout
    named = f"missing: {', '.join(v['missing_refs'][:5])} ... (7 listed in the record)"
    assert named in done.stdout


def test_the_verification_bound_is_an_option_of_run_and_of_verify(
    start_site: SiteFactory, tmp_path: Path
) -> None:
    """``anp run --verify-timeout`` bounds the read-back after the load: a bound too short to read
    anything leaves the verification incomplete (no verdict, exit 3) and says which option to
    raise. ``anp verify --timeout`` does the same without touching the record (exit 3), refuses
    a bound that is no duration > 0 (exit 2), and with the default bound completes it."""
    site = start_site()
    out = tmp_path / "runs"
    done = anp(
        site.url,
        *("run", "--target", TARGET, "--users", "2", "--run-time", "3s", "--no-progress"),
        *("--verify-timeout", "0.000001", "--out", out, "--run-id", "short"),
    )
    assert done.returncode == 3, done.stdout + done.stderr
    file = out / "short" / "run.json"
    record = json.loads(file.read_text())
    v = record["verification"]
    assert v["error"].startswith("verification stopped at its 1e-06 s bound (anp run --verify")
    assert v["landed"] == 0 and record["passed"] is None
    acknowledged = record["totals"]["posts_acknowledged"]
    assert f"after checking 0 of {acknowledged} seeds" in v["error"]
    original = file.read_bytes()

    bad = anp(site.url, "verify", "short", "--dir", out, "--timeout", "0")
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "--timeout: got '0'; expected a duration > 0" in bad.stderr
    assert "Traceback" not in bad.stderr
    cut = anp(site.url, "verify", "short", "--dir", out, "--timeout", "0.000001")
    assert cut.returncode == 3, cut.stdout + cut.stderr
    assert file.read_bytes() == original

    full = anp(site.url, "verify", "short", "--dir", out)
    assert full.returncode == 0, full.stdout + full.stderr
    after = json.loads(file.read_text())["verification"]
    assert after["error"] is None and after["landed"] == acknowledged == rows(site.db) > 0
