"""``targets.definition_env`` (variables of a definition) split out of ``targets.definitions``:
the old import paths keep working and name the same objects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import targets.definition_env as definition_env
import targets.definitions as definitions
from targets import HttpTarget


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


TARGETS = Path(definitions.__file__).parent


def test_the_variable_pattern_is_written_once() -> None:
    """``${NAME}`` is matched by ``definitions.VARIABLE_REFERENCE`` everywhere (checking a header,
    listing credential variables, substituting, hiding values): four copies could drift apart."""
    fragment = "[A-Za-z_][A-Za-z0-9_]*"
    holders = sorted(
        str(path.relative_to(TARGETS))
        for path in TARGETS.rglob("*.py")
        if fragment in path.read_text(encoding="utf-8")
    )
    assert holders == ["definitions.py"]


@pytest.mark.parametrize(
    ("template", "names", "value"),
    [
        ("Bearer ${TOK_1}", ["TOK_1"], "Bearer v(TOK_1)"),
        ("${_a}-${b2}", ["_a", "b2"], "v(_a)-v(b2)"),
        ("plain $x {y} $", [], "plain $x {y} $"),
    ],
)
def test_every_use_of_the_variable_pattern_agrees(
    template: str, names: list[str], value: str
) -> None:
    from targets.adapters.registry import build_http
    from targets.commands import credential_variables

    definition = definitions.parse_definition(
        {
            "kind": "http",
            "name": "h",
            "base_url": "http://127.0.0.1:9",
            "http": {"path": "/in", "headers": {"X-Custom": template}},
        },
        Path("h.toml"),
    )
    environ = {name: f"v({name})" for name in names}
    env = definition_env.Environment(definition, None, environ)
    assert credential_variables(definition) == names
    assert env.substitute(template, "http.headers.X-Custom") == value
    target = build_http(definition, env)
    assert isinstance(target, HttpTarget)
    request = target.import_request_json(b"{}", "r-1", 1)
    assert request.headers["X-Custom"] == value
    assert request.sensitive == (frozenset({"x-custom"}) if names else frozenset())


@pytest.mark.parametrize("template", ["${1X}", "${A-B}", "${A"])
def test_a_malformed_reference_is_refused_when_the_definition_is_read(template: str) -> None:
    with pytest.raises(definitions.DefinitionError, match=r"key 'http\.headers\.X-Custom'"):
        definitions.parse_definition(
            {
                "kind": "http",
                "name": "h",
                "base_url": "http://127.0.0.1:9",
                "http": {"path": "/in", "headers": {"X-Custom": template}},
            },
            Path("h.toml"),
        )
