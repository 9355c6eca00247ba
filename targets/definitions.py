"""Target definition files: small TOML files under ``targets/`` that say which adapter to use,
where the site is, where its credentials come from, how long to wait and what counts as a pass.

A definition with an error is refused with ``DefinitionError`` (``exit_code`` 2) naming the file,
the key, what was expected and the value given. Secrets never live in the file: only the *names*
of environment variables holding them (``token_env``, ``user_env``, ``password_env``, ``${VAR}``
in http headers). ``env_file`` may name a ``KEY=value`` file (like the ``credentials.env`` that
``targets/wordpress/up.sh`` writes) read for variables the environment does not set; resolving
those variables is ``targets.definition_env``'s job (``Environment``, ``read_env_file``,
``expand_path``, re-exported here).

Safety of load: ``base_url`` must point at a loopback address (127.0.0.0/8, ::1 or
``localhost``) unless the definition says ``allow_non_loopback = true``. A load test aimed at a
real site by a typo would be an attack on it; making that explicit is the point.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from targets.base import TargetError

if TYPE_CHECKING:
    from targets.definition_env import Environment, expand_path, read_env_file

ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
KINDS = ("reference", "wordpress", "http")
SPECIAL_VALUES = ("$canonical", "$hash", "$reference", "$seed")
"""Body mapping values that are not paths into the post."""


class DefinitionError(TargetError):
    """A definition file is wrong (a user mistake: fix the file and retry)."""

    exit_code = 2


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeoutsDef(_Def):
    """How long to wait for the site."""

    connect_s: float = Field(5.0, gt=0, le=300)
    """Seconds to establish a connection."""
    read_s: float = Field(30.0, gt=0, le=600)
    """Seconds to wait for a response."""


class LimitsDef(_Def):
    """Caps below the site's own limits."""

    batch_size: int | None = Field(None, ge=1, le=10000)
    """Most posts per batch request (WordPress allows at most 25; more is refused)."""
    lookup_size: int | None = Field(None, ge=1, le=10000)
    """Most references per read-back lookup request."""


class ChecksDef(_Def):
    """Pass/fail thresholds used by loadtests (command-line options win). Absent = not checked."""

    max_error_ratio: float | None = Field(None, ge=0, le=1)
    """Failed requests / all requests."""
    max_p50_ms: float | None = Field(None, gt=0)
    max_p95_ms: float | None = Field(None, gt=0)
    max_p99_ms: float | None = Field(None, gt=0)
    min_throughput: float | None = Field(None, ge=0)
    """Minimum successful requests per second."""
    max_missing: int | None = Field(None, ge=0)
    """Acknowledged posts that did not land."""
    max_corrupted: int | None = Field(None, ge=0)
    """Landed posts that differ from synthesize(seed)."""


class HttpReadDef(_Def):
    """How the http adapter reads a post back."""

    path: str
    """URL template with ``{reference}``, e.g. ``/posts/{reference}``."""
    compare: Literal["canonical", "hash"] = "canonical"
    """``canonical``: the response is the post's canonical JSON; ``hash``: it holds the anp hash
    at ``hash_path``."""
    hash_path: str | None = None
    """Dotted path to the hash in the JSON response (``compare = "hash"``), e.g. ``meta.hash``."""
    missing: list[int] = Field(default_factory=lambda: [404])
    """Statuses meaning "no such post"."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or "{reference}" not in value:
            raise ValueError("expected a path starting with '/' containing '{reference}'")
        return value

    @model_validator(mode="after")
    def _hash_path(self) -> HttpReadDef:
        if self.compare == "hash" and not self.hash_path:
            raise ValueError("expected hash_path (a dotted path) when compare = 'hash'")
        return self


class HttpDef(_Def):
    """A generic JSON import endpoint, described without code."""

    method: Literal["POST", "PUT", "PATCH"] = "POST"
    path: str
    """Import path; may contain ``{reference}`` and ``{seed}``."""
    mode: Literal["canonical", "mapping"] = "canonical"
    """``canonical``: the body is the post's canonical JSON; ``mapping``: built from ``body``."""
    body: dict[str, Any] | None = None
    """Output key -> dotted path into the post (``meta.reference``), ``$canonical`` (the canonical
    JSON as a string), ``$hash``, ``$reference``, ``$seed``, or a nested table."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra headers; ``${NAME}`` is replaced by environment variable NAME."""
    acknowledged: list[int] = Field(default_factory=lambda: [200, 201])
    """Statuses meaning "stored"."""
    read: HttpReadDef | None = None
    """Read-back; without it verification cannot read posts back."""
    health_path: str = "/"
    """A cheap GET that answers 2xx when the site is up."""
    release_path: str | None = None
    """A GET answering JSON that holds the site's release at ``release_field``."""
    release_field: str = "release"
    """Dotted path to the release in the ``release_path`` response."""

    @field_validator("path", "health_path", "release_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("expected a path starting with '/'")
        return value

    @field_validator("acknowledged")
    @classmethod
    def _statuses(cls, value: list[int]) -> list[int]:
        if not value or any(not 100 <= s <= 599 for s in value):
            raise ValueError("expected a non-empty list of HTTP statuses (100..599)")
        return value

    @field_validator("body")
    @classmethod
    def _mapping(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _check_mapping(value)
        return value

    @model_validator(mode="after")
    def _body(self) -> HttpDef:
        if self.mode == "mapping" and not self.body:
            raise ValueError("expected a [http.body] table when mode = 'mapping'")
        return self


def _check_mapping(mapping: Mapping[str, Any], prefix: str = "") -> None:
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            _check_mapping(value, f"{prefix}{key}.")
        elif not isinstance(value, str) or not value:
            raise ValueError(
                f"expected {prefix}{key} to be a dotted path, $canonical, $hash, $reference, "
                f"$seed or a table, got {value!r}"
            )
        elif value.startswith("$") and value not in SPECIAL_VALUES:
            raise ValueError(
                f"expected {prefix}{key} to be one of {', '.join(SPECIAL_VALUES)}, got {value!r}"
            )


class TargetDefinition(_Def):
    """One target site."""

    kind: Literal["reference", "wordpress", "http"]
    """Which adapter: ``reference``, ``wordpress`` or ``http``."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    """Short label, used in run records."""
    allow_non_loopback: bool = False
    """Permit a base URL that is not a loopback address (load on a real network)."""
    base_url: str
    """``http://host:port`` (optionally with a path prefix); loopback unless allowed."""
    base_url_env: str | None = Field(None, pattern=ENV_NAME)
    """When this variable is set, its value replaces ``base_url``."""
    description: str = ""
    env_file: str | None = None
    """A ``KEY=value`` file consulted for variables the environment does not set; relative to the
    definition's folder; ``${NAME:-default}`` is expanded."""
    token_env: str | None = Field(None, pattern=ENV_NAME)
    """reference: the variable holding the bearer token (no token when absent)."""
    user_env: str | None = Field(None, pattern=ENV_NAME)
    """wordpress: the variable holding the user name."""
    password_env: str | None = Field(None, pattern=ENV_NAME)
    """wordpress: the variable holding the Application Password."""
    timeouts: TimeoutsDef = Field(default_factory=TimeoutsDef)
    limits: LimitsDef = Field(default_factory=LimitsDef)
    checks: ChecksDef = Field(default_factory=ChecksDef)
    http: HttpDef | None = None
    """kind = "http" only: the endpoint description."""

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        check_url_shape(value)
        if not info.data.get("allow_non_loopback", False):
            check_loopback(value)
        return value.rstrip("/")

    @model_validator(mode="after")
    def _kind_fields(self) -> TargetDefinition:
        if self.kind == "http" and self.http is None:
            raise ValueError("expected an [http] table when kind = 'http'")
        if self.kind != "http" and self.http is not None:
            raise ValueError(f"expected no [http] table when kind = {self.kind!r}")
        if self.kind == "wordpress" and not (self.user_env and self.password_env):
            raise ValueError("expected user_env and password_env when kind = 'wordpress'")
        return self


def check_url_shape(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("expected a URL without query or fragment")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "expected a URL without user:password@ (credentials belong in environment variables)"
        )


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_loopback(url: str) -> None:
    if not is_loopback(url):
        raise ValueError(
            "expected a loopback address (127.0.0.1, ::1 or localhost); "
            "set allow_non_loopback = true to load another host on purpose"
        )


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


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    key = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = str(error["msg"])
    kind = error["type"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif kind == "missing":
        message = "expected a value: the key is required"
    elif kind == "extra_forbidden":
        known = ", ".join(_keys_at(tuple(str(p) for p in error["loc"][:-1])))
        message = f"unknown key; expected one of: {known}"
    elif message.startswith("Input should be "):
        rest = message[len("Input should be ") :]
        message = "expected " + ("a value " if rest.startswith(("greater", "less")) else "") + rest
    elif message.startswith("String should match pattern "):
        message = "expected a string matching " + message[len("String should match pattern ") :]
    return key, message


def _shown(value: object) -> object:
    """A given value as it may appear in a message: credentials in a URL are hidden."""
    if isinstance(value, str):
        return re.sub(r"(?<=://)[^/@\s]*@", "***@", value)
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


def _format(path: Path, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key, message = _describe(error)
        given = "" if error["type"] == "missing" else f", got {_shown(error['input'])!r}"
        lines.append(f"{path}: key '{key}': {message}{given}")
    return "\n".join(lines)


def parse_definition(data: Mapping[str, Any], path: Path) -> TargetDefinition:
    """Validate already-parsed TOML data; errors name ``path``."""
    try:
        return TargetDefinition.model_validate(dict(data))
    except ValidationError as exc:
        raise DefinitionError(_format(path, exc)) from None


def load_definition(path: str | os.PathLike[str]) -> TargetDefinition:
    """Read and validate one definition file (TOML)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            f"{file}: no such target definition file; expected a TOML file such as "
            "targets/local-reference.toml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{file}: cannot read the definition: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{file}: not valid TOML: {exc}") from None
    return parse_definition(data, file)


_MOVED = ("Environment", "expand_path", "read_env_file")
"""Names that moved to ``targets.definition_env`` and are still importable from here."""


def __getattr__(name: str) -> Any:
    # imported on first use: definition_env itself imports this module
    if name in _MOVED:
        from targets import definition_env

        return getattr(definition_env, name)
    raise AttributeError(f"module 'targets.definitions' has no attribute {name!r}")


__all__ = [
    "ENV_NAME",
    "KINDS",
    "SPECIAL_VALUES",
    "ChecksDef",
    "DefinitionError",
    "Environment",
    "HttpDef",
    "HttpReadDef",
    "LimitsDef",
    "TargetDefinition",
    "TimeoutsDef",
    "check_loopback",
    "check_url_shape",
    "expand_path",
    "is_loopback",
    "load_definition",
    "parse_definition",
    "read_env_file",
]
