"""``targets.definition_env`` (variables of a definition) split out of ``targets.definitions``:
the old import paths keep working and name the same objects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import targets.definition_env as definition_env
import targets.definitions as definitions


@pytest.mark.parametrize("name", ["Environment", "expand_path", "read_env_file"])
def test_moved_names_are_still_importable_from_definitions(name: str) -> None:
    assert getattr(definitions, name) is getattr(definition_env, name)
    assert name in definitions.__all__


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = definitions.nope


@pytest.mark.parametrize("first", ["targets.definition_env", "targets.definitions", "targets"])
def test_either_module_can_be_imported_first(first: str) -> None:
    code = f"import {first}; from targets.definitions import Environment; print(Environment)"
    done = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "targets.definition_env.Environment" in done.stdout


def test_environment_resolves_from_env_file_after_the_process_environment(tmp_path: Path) -> None:
    (tmp_path / "creds.env").write_text("export A='from file'\nB=file-b\n", encoding="utf-8")
    definition = definitions.parse_definition(
        {
            "kind": "reference",
            "name": "x",
            "base_url": "http://127.0.0.1:9",
            "env_file": "creds.env",
            "token_env": "A",
        },
        tmp_path / "x.toml",
    )
    env = definition_env.Environment(definition, tmp_path / "x.toml", {"B": "from environ"})
    assert env.get("A") == "from file"
    assert env.get("B") == "from environ"
    with pytest.raises(definitions.DefinitionError, match="C is not set"):
        env.require("C", "token_env")
