"""The example CI workflow's anp commands parse with the real CLI (so they cannot drift)."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from anp.cli import build_parser

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "loadtest.yml"


def _anp_commands() -> list[list[str]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands = []
    for step in doc["jobs"]["loadtest"]["steps"]:
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            line = line.strip().split(" || ")[0].split(" > ")[0].rstrip("&").strip()
            if line.startswith(".venv/bin/anp "):
                commands.append(shlex.split(line.replace("$i", "1"))[1:])
    return commands


def test_workflow_uses_run_compare_and_markdown_summary() -> None:
    commands = _anp_commands()
    assert [c[0] for c in commands] == ["target", "run", "runs", "compare"]
    text = WORKFLOW.read_text(encoding="utf-8")
    assert 'cat results/compare.md >> "$GITHUB_STEP_SUMMARY"' in text
    assert "results/baselines/reference" in text


def test_every_anp_command_in_the_workflow_parses() -> None:
    parser = build_parser()
    for args in _anp_commands():
        namespace = parser.parse_args(args)
        assert callable(namespace.func), args


def test_committed_baseline_matches_the_workflow_load() -> None:
    from results import check_comparable, load_records

    baseline = WORKFLOW.parents[2] / "results" / "baselines" / "reference"
    records = [r for _, r in load_records([baseline])]
    assert len(records) == 5
    check_comparable(records)
    run = next(c for c in _anp_commands() if c[0] == "run")
    option = {run[i]: run[i + 1] for i in range(1, len(run) - 1) if run[i].startswith("--")}
    assert int(option["--users"]) == records[0].load.users
    assert {option["--scenario"]: 1} == records[0].load.scenarios
    assert float(option["--warmup"].rstrip("s")) == records[0].timing.warmup_s
