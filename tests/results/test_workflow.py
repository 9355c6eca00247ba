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
