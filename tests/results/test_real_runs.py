"""End to end on real records: `anp run` against the reference site, then `anp runs` and
`anp compare` on what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from results import load_record, reduce_run

ANP = str(Path(sys.executable).parent / "anp")


@pytest.mark.slow
@pytest.mark.integration
def test_compare_real_records(reference_site: str, tmp_path: Path) -> None:
    env = dict(os.environ, ANP_REF_URL=reference_site, COLUMNS="200")
    runs = tmp_path / "runs"
    for name in ("a", "b"):
        made = subprocess.run(
            [
                ANP,
                "run",
                "--target",
                "targets/local-reference.toml",
                "--scenario",
                "import",
                "--users",
                "2",
                "--run-time",
                "3s",
                "--warmup",
                "1s",
                "--out",
                str(runs),
                "--run-id",
                name,
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert made.returncode in (0, 1), made.stdout[-2000:] + made.stderr[-2000:]
    record = load_record(runs / "a")
    values = reduce_run(record).values
    assert values["throughput_rps"] > 0 and 0 < values["p50_ms"] <= values["p99_ms"]
    assert record.verification.performed and record.verification.missing == 0
    listed = subprocess.run(
        [ANP, "runs", "--dir", str(runs), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert [row["run_id"] for row in json.loads(listed.stdout)] == ["a", "b"]
    compared = subprocess.run(
        [ANP, "compare", str(runs / "a"), "--against", str(runs / "b"), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert compared.returncode == 2, compared.stderr  # one run per side: descriptive
    doc = json.loads(compared.stdout)
    assert doc["mode"] == "descriptive" and doc["hard_regressions"] == []
    assert (runs / "b" / "compare.html").is_file()
