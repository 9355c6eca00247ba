"""Reading a target definition file and wording what is wrong with it.

``load_definition(path)`` reads TOML (or YAML for ``*.yaml``/``*.yml``) and validates it with
``targets.definitions.TargetDefinition``. Every refusal is a ``DefinitionError`` (exit code 2)
naming the file, the key, what was expected and the value given, e.g.
``targets/x.toml: key 'timeouts.read_s': expected a value greater than 0, got -1``. A value given
where a variable's *name* belongs (``token_env``) or in a secret header is never echoed: it may be
the secret itself; credentials in a URL are shown as ``***``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from targets.base import is_secret_header
from targets.definitions import (
    ChecksDef,
    DefinitionError,
    HttpDef,
    HttpReadDef,
    KeyedError,
    LimitsDef,
    TargetDefinition,
    TimeoutsDef,
)

_NOTHING = object()
"""No value to show (a missing key, or an error about the table as a whole)."""


REQUIRED_EXAMPLES = {
    "kind": 'kind = "reference", "wordpress" or "http"',
    "name": 'name = "my-site"',
    "base_url": 'base_url = "http://127.0.0.1:8000"',
    "http.path": 'path = "/import/posts" in [http]',
    "http.read.path": 'path = "/posts/{reference}" in [http.read]',
}
"""What a missing required key could look like, shown in its error."""

_TABLES: dict[tuple[str, ...], type[BaseModel]] = {}


def _keys_at(table: tuple[str, ...]) -> list[str]:
    """The keys allowed in the table at ``table`` (() for the top level)."""
    if not _TABLES:
        _TABLES.update(
            {
                (): TargetDefinition,
                ("timeouts",): TimeoutsDef,
                ("limits",): LimitsDef,
                ("checks",): ChecksDef,
                ("http",): HttpDef,
                ("http", "read"): HttpReadDef,
            }
        )
    model = _TABLES.get(table)
    return list(model.model_fields) if model is not None else []


def _describe(error: Mapping[str, Any]) -> tuple[str, str, object]:
    """(key, what was expected, the value given or ``_NOTHING``) for one pydantic error."""
    loc = [str(p) for p in error["loc"]]
    message = str(error["msg"])
    kind = error["type"]
    given: object = _NOTHING if kind == "missing" else error.get("input", _NOTHING)
    keyed = (error.get("ctx") or {}).get("error")
    if isinstance(keyed, KeyedError):
        loc.append(keyed.key)
        given = _NOTHING if keyed.value is None else keyed.value
    key = ".".join(loc) or "(top level)"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif kind == "model_type":
        message = f"expected a table ([{key}])"
    elif kind == "missing":
        example = REQUIRED_EXAMPLES.get(key)
        message = "expected a value: the key is required" + (
            f" (e.g. {example})" if example else ""
        )
    elif kind == "extra_forbidden":
        known = ", ".join(_keys_at(tuple(str(p) for p in error["loc"][:-1])))
        message = f"unknown key; expected one of: {known}"
    elif message.startswith("Input should be "):
        rest = message[len("Input should be ") :]
        if rest.startswith("a valid "):  # "a valid integer" -> "an integer"
            noun = rest[len("a valid ") :]
            rest = ("an " if noun[:1] in "aeiou" else "a ") + noun
        message = "expected " + ("a value " if rest.startswith(("greater", "less")) else "") + rest
    elif message.startswith("String should match pattern ") and loc[-1].endswith("_env"):
        message = (
            "expected an environment variable name in capitals, digits and '_' (not starting "
            "with a digit), e.g. 'ANP_REF_TOKEN'"
        )
    elif message.startswith("String should match pattern ") and loc == ["name"]:
        message = (
            "expected a short label: lower-case letters, digits, '.', '_' or '-', at most 64, "
            "starting with a letter or digit"
        )
    elif message.startswith("String should match pattern "):
        message = "expected a string matching " + message[len("String should match pattern ") :]
    return key, message, given


def shown(value: object) -> object:
    """A given value as it may appear in a message: credentials in a URL (``user:pw@``, and the
    values of its query, such as ``?token=...``) are hidden."""
    if isinstance(value, str):
        value = re.sub(r"(?<=://)[^/@\s]*@", "***@", value)
        if "://" in value:
            value = re.sub(r"([?&][^=&#\s]*=)[^&#\s]*", r"\1***", value)
        return value
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    return value


def _given(value: object) -> str:
    """A given value as the file spells it (``true``, not Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(shown(value))


def _format(path: Path, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key, message, value = _describe(error)
        last = key.rsplit(".", 1)[-1]
        if value is _NOTHING or isinstance(value, dict):
            given = ""
        elif last.endswith("_env") or (key.startswith("http.headers.") and is_secret_header(last)):
            # a value where a variable's name belongs may be the secret itself: never echoed
            size = len(value) if isinstance(value, str) else 0
            chars = "character" if size == 1 else "characters"
            given = f", got a value of {size} {chars} (not shown: it may be a secret)"
        else:
            given = f", got {_given(value)}"
        lines.append(f"{path}: key '{key}': {message}{given}")
    return "\n".join(lines)


def parse_definition(data: Mapping[str, Any], path: Path) -> TargetDefinition:
    """Validate already-parsed TOML (or YAML) data; errors name ``path``."""
    if not isinstance(data, Mapping):
        raise DefinitionError(
            f"{path}: expected a table of keys (kind, name, base_url, ...) at the top level, "
            f"got {type(data).__name__}"
        )
    try:
        return TargetDefinition.model_validate(dict(data))
    except ValidationError as exc:
        raise DefinitionError(_format(path, exc)) from None


YAML_SUFFIXES = (".yaml", ".yml")
"""Definitions with these suffixes are read as YAML (the same keys, as a mapping); any other
file as TOML."""


def _read_text(file: Path) -> str:
    example = "expected a TOML or YAML target definition such as targets/local-reference.toml"
    if file.is_dir():
        raise DefinitionError(f"{file}: is a directory; {example}")
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise DefinitionError(f"{file}: no such target definition file; {example}") from None
    except OSError as exc:
        raise DefinitionError(
            f"{file}: cannot read the definition ({exc.strerror or exc}); {example}"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"{file}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"{example}"
        ) from None


def _parse_yaml(text: str, file: Path) -> Any:
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """SafeLoader refusing a key given twice in one mapping (as TOML does; PyYAML would
        keep the last one silently)."""

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return loader.construct_mapping(node)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (at line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise DefinitionError(f"{file}: not valid YAML{where}: {problem}") from None


def load_definition(path: str | os.PathLike[str]) -> TargetDefinition:
    """Read and validate one definition file: TOML, or YAML for ``*.yaml``/``*.yml``."""
    file = Path(path)
    text = _read_text(file)
    if file.suffix.lower() in YAML_SUFFIXES:
        data = _parse_yaml(text, file)
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DefinitionError(f"{file}: not valid TOML: {exc}") from None
    return parse_definition(data, file)


__all__ = ["YAML_SUFFIXES", "load_definition", "parse_definition", "shown"]
