"""The committed JSON Schema equals the one generated from the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from results.schema import SCHEMA_PATH, schema_text


def test_committed_schema_matches_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "results/schema/run.schema.json is stale: run `python -m results.schema`"
    )


def test_schema_documents_fields_from_docstrings() -> None:
    schema = json.loads(schema_text())
    warmup = schema["$defs"]["Timing"]["properties"]["warmup_s"]
    assert "excluded from comparisons" in warmup["description"]
    assert schema["additionalProperties"] is False


def test_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "run.schema.json"
    stale.write_text("{}\n")
    cmd = [sys.executable, "-m", "results.schema", "--out", str(stale)]
    checked = subprocess.run([*cmd, "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 1 and "stale" in checked.stderr
    assert subprocess.run(cmd, capture_output=True, check=False).returncode == 0
    assert stale.read_text() == schema_text()
    again = subprocess.run([*cmd, "--check"], capture_output=True, text=True, check=False)
    assert again.returncode == 0
