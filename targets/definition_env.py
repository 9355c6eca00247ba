"""Where a target definition's variables come from: the process environment, then the
definition's ``env_file`` (``KEY=value`` lines). Credentials are resolved here, never stored in
the definition file: only the names of the variables holding them are.

``Environment(definition, source)`` answers ``get``/``require``/``substitute`` (``${NAME}`` in http
headers) and the effective ``base_url`` (``base_url_env`` overrides ``base_url``, checked like it).
A missing variable is a ``DefinitionError`` (exit 2) naming the definition key and the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from targets.definition_files import shown
from targets.definitions import (
    VARIABLE_NAME,
    VARIABLE_REFERENCE,
    DefinitionError,
    TargetDefinition,
    check_loopback,
    check_url_shape,
)

_ENV_LINE = re.compile(rf"^\s*(?:export\s+)?({VARIABLE_NAME})=(.*)$")


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines (optionally quoted, optionally ``export``-ed); others ignored."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ENV_LINE.match(line)
        if not match:
            continue
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[match.group(1)] = value
    return values


def expand_path(text: str, environ: Mapping[str, str]) -> str:
    """``${NAME}`` and ``${NAME:-default}`` replaced from ``environ`` (unset and no default: "")."""

    def one(match: re.Match[str]) -> str:
        value = environ.get(match.group(1))
        if value:
            return value
        return match.group(3) or ""

    return re.sub(rf"\$\{{({VARIABLE_NAME})(:-([^}}]*))?\}}", one, text)


class Environment:
    """Where a definition's variables come from: the process environment, then ``env_file``."""

    def __init__(
        self,
        definition: TargetDefinition,
        source: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.definition = definition
        self.source = source
        self._environ = os.environ if environ is None else environ
        self._file_values: dict[str, str] | None = None
        self._file: Path | None = None
        if definition.env_file:
            file = Path(expand_path(definition.env_file, self._environ))
            if not file.is_absolute() and source is not None:
                file = source.parent / file
            self._file = file

    def _from_file(self) -> dict[str, str]:
        if self._file_values is None:
            self._file_values = {}
            if self._file is not None and self._file.is_file():
                try:
                    self._file_values = read_env_file(self._file)
                except (OSError, UnicodeDecodeError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                    raise DefinitionError(
                        f"{self.source or 'definition'}: key 'env_file': cannot read "
                        f"{self._file} ({reason or exc}); expected a text file of KEY=value "
                        "lines"
                    ) from None
        return self._file_values

    def _file_state(self, name: str) -> str:
        """Why ``env_file`` did not supply ``name`` (empty when there is no env_file)."""
        file = self._file
        if file is None:
            return ""
        if not file.exists():
            made_by = (
                " (targets/wordpress/up.sh writes it)"
                if self.definition.kind == "wordpress"
                else ""
            )
            return f", and env_file {file} does not exist{made_by}"
        if not file.is_file():
            return f", and env_file {file} is not a file"
        if name in self._from_file():
            return f", and {file} sets it empty"
        return f", and env_file {file} has no {name}= line"

    def get(self, name: str) -> str | None:
        value = self._environ.get(name)
        if value is None:
            value = self._from_file().get(name)
        return value

    def require(self, name: str, key: str) -> str:
        """The value of variable ``name`` (named by definition key ``key``), or a clear error."""
        value = self.get(name)
        if value is None or value == "":
            empty = self._environ.get(name) == ""  # set empty: env_file is not consulted
            state = "empty" if empty else f"not set{self._file_state(name)}"
            raise DefinitionError(
                f"{self.source or 'definition'}: key '{key}': environment variable {name} is "
                f"{state}; expected it to hold the value (export {name}=... and retry)"
            )
        if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value):
            raise DefinitionError(
                f"{self.source or 'definition'}: key '{key}': environment variable {name} holds "
                "a control character (a trailing line break?); expected a one-line value, since "
                "it goes into an HTTP header (the value is not shown)"
            )
        return value

    def substitute(self, text: str, key: str) -> str:
        """Replace every ``${NAME}`` in ``text`` with the variable's value."""

        def one(match: re.Match[str]) -> str:
            return self.require(match.group(1), key)

        return VARIABLE_REFERENCE.sub(one, text)

    def base_url(self) -> str:
        """``base_url``, or the value of ``base_url_env`` when that variable is set."""
        definition = self.definition
        url = definition.base_url
        if definition.base_url_env:
            override = self.get(definition.base_url_env)
            if override:
                key = f"base_url_env ({definition.base_url_env})"
                try:
                    check_url_shape(override)
                    if not definition.allow_non_loopback:
                        check_loopback(override)
                except ValueError as exc:
                    raise DefinitionError(
                        f"{self.source or 'definition'}: key '{key}': {exc}, "
                        f"got {shown(override)!r}"
                    ) from None
                url = override.rstrip("/")
        return url
