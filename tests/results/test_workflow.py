"""The example CI workflow's anp commands, including those of scripts/ci-loadtest that it calls,
parse with the real CLI (so they cannot drift), and the committed baseline matches their load."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from anp.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "loadtest.yml"
SCRIPT = ROOT / "scripts" / "ci-loadtest"
SAMPLE = {"i": "1", "name": "candidate", "site": "/tmp/site-1"}
"""Values for the script's loop variables when its commands are parsed."""


def _script_defaults(text: str) -> dict[str, str]:
    """``name="${ENV:-default}"`` assignments of the script: the values CI runs with."""
    return dict(re.findall(r'^(\w+)="\$\{\w+:-([^}]*)\}"$', text, re.M))


def _commands_of(script: str, variables: dict[str, str]) -> list[list[str]]:
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        line = line.strip().split(" || ")[0].split(" > ")[0].rstrip("&").strip()
        if line.startswith(".venv/bin/anp "):
            for var, value in sorted(variables.items(), key=lambda kv: -len(kv[0])):
                line = line.replace(f'"${var}"', value).replace(f"${var}", value)
            assert "$" not in line, f"unresolved variable in {line!r}"
            commands.append(shlex.split(line)[1:])
    return commands


def _anp_commands() -> list[list[str]]:
    """The anp commands CI runs, in order, with scripts/ci-loadtest expanded where it is called."""
    script = SCRIPT.read_text(encoding="utf-8")
    variables = {**_script_defaults(script), **SAMPLE}
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    commands: list[list[str]] = []
    for step in doc["jobs"]["loadtest"]["steps"]:
        run = step.get("run", "")
        for line in run.splitlines():
            if line.strip().startswith("scripts/ci-loadtest "):
                commands += _commands_of(script, variables)
        commands += _commands_of(run, {})
    return commands


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_workflow_uses_the_script_compare_and_markdown_summary() -> None:
    commands = _anp_commands()
    assert [c[0] for c in commands] == ["target", "run", "runs", "compare"]
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "run: scripts/ci-loadtest candidate 5" in text
    assert 'cat results/compare.md >> "$GITHUB_STEP_SUMMARY"' in text
    assert "results/baselines/reference" in text
    compare = commands[-1]
    assert compare[compare.index("--against") + 1 :][:5] == [
        f"results/runs/candidate-{i}" for i in range(1, 6)
    ]


def test_every_run_gets_a_fresh_site_and_database() -> None:
    serve, run = _anp_commands()[:2]
    assert serve[:3] == ["target", "serve", "reference"]
    assert _option(serve, "--db") == "/tmp/site-1/reference.db"  # inside a new folder per run
    script = SCRIPT.read_text(encoding="utf-8")
    assert 'site="$work/site-$i"\n  mkdir "$site"' in script  # mkdir without -p: must be new
    assert 'work="$(mktemp -d' in script
    assert _option(run, "--run-id") == "candidate-1"
    assert "--seeds" not in run  # the default 0-999999 every time: fresh sites make them imports


def test_every_anp_command_in_the_workflow_parses() -> None:
    parser = build_parser()
    for args in _anp_commands():
        namespace = parser.parse_args(args)
        assert callable(namespace.func), args


def test_committed_baseline_matches_the_workflow_load() -> None:
    from results import check_comparable, load_records

    baseline = ROOT / "results" / "baselines" / "reference"
    records = [r for _, r in load_records([baseline])]
    assert len(records) == 5
    check_comparable(records)
    run = next(c for c in _anp_commands() if c[0] == "run")
    assert int(_option(run, "--users")) == records[0].load.users
    assert {_option(run, "--scenario"): 1} == records[0].load.scenarios
    assert float(_option(run, "--warmup").rstrip("s")) == records[0].timing.warmup_s
    assert float(_option(run, "--run-time").rstrip("s")) == records[0].load.run_time_s
    assert "--processes" not in run and records[0].load.processes == 1


def test_baseline_readme_uses_the_same_script_and_settings() -> None:
    readme = (ROOT / "results" / "baselines" / "README.md").read_text(encoding="utf-8")
    assert "scripts/ci-loadtest baseline 5" in readme
    script = SCRIPT.read_text(encoding="utf-8")
    defaults = _script_defaults(script)
    assert f"--run-time {defaults['run_time']}" in readme
    assert f"--warmup {defaults['warmup']}" in readme
    assert "--run-time 30s" not in readme
