"""Target definition files: small TOML (or YAML) files under ``targets/`` that say which adapter
to use, where the site is, where its credentials come from, how long to wait and what counts as
a pass. This module holds the model; ``targets.definition_files`` reads files and words errors.

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

import importlib
import ipaddress
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from targets.base import TargetError, is_secret_header
from targets.post_paths import post_path_exists

if TYPE_CHECKING:
    from targets.definition_env import Environment, expand_path, read_env_file
    from targets.definition_files import YAML_SUFFIXES, load_definition, parse_definition

ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
"""A variable name as written in ``${NAME}`` and in ``env_file`` lines: letters, digits and
``_``, not starting with a digit (a regex fragment, no anchors)."""
VARIABLE_REFERENCE = re.compile(rf"\$\{{({VARIABLE_NAME})\}}")
"""``${NAME}`` (group 1: NAME), as in http header values. The one pattern for it: checking a
definition, listing its credential variables, substituting and hiding their values use it."""
KINDS = ("reference", "wordpress", "http")
SPECIAL_VALUES = ("$canonical", "$hash", "$reference", "$seed")
"""Body mapping values that are not paths into the post."""


class DefinitionError(TargetError):
    """A definition file is wrong (a user mistake: fix the file and retry)."""

    exit_code = 2


class KeyedError(ValueError):
    """A validation error about one key below the table being validated (``key`` relative to
    it, e.g. ``user_env`` or ``body.title``): the message then names that key, not the table."""

    def __init__(self, key: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.key = key
        self.value = value


class _Def(BaseModel):
    # strict: a TOML/YAML value of the wrong type is refused, never converted (batch_size = true
    # is not 1, connect_s = "5" is not 5)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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
        _check_placeholders(value, ("reference",))
        return value

    @field_validator("missing")
    @classmethod
    def _missing(cls, value: list[int]) -> list[int]:
        if any(not 100 <= s <= 599 for s in value):
            raise ValueError("expected a list of HTTP statuses (100..599)")
        return value

    @model_validator(mode="after")
    def _hash_path(self) -> HttpReadDef:
        if self.compare == "hash" and not self.hash_path:
            raise KeyedError(
                "hash_path", "expected a dotted path such as 'meta.hash' when compare = 'hash'"
            )
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
    def _path(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("expected a path starting with '/'")
        if value is not None:
            _check_placeholders(value, ("reference", "seed") if info.field_name == "path" else ())
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

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, template in value.items():
            _check_header(name, template)
        return value

    @model_validator(mode="after")
    def _body(self) -> HttpDef:
        if self.mode == "mapping" and not self.body:
            raise KeyedError("body", "expected a [http.body] table when mode = 'mapping'")
        if self.mode == "canonical" and self.body:
            raise KeyedError(
                "body",
                "expected mode = 'mapping' with a [http.body] table (mode is 'canonical', which "
                "sends the canonical JSON and would ignore the table)",
            )
        return self


def _check_placeholders(path: str, allowed: tuple[str, ...]) -> None:
    """A path's ``{name}`` placeholders must be known ones, and no other brace may be left (a
    typo such as ``{referense}`` or an unclosed ``{reference`` would be sent literally)."""
    known = ", ".join(f"{{{a}}}" for a in allowed)
    expected = f"only the placeholders {known}" if known else "no placeholders"
    for name in re.findall(r"\{([^{}]*)\}", path):
        if name not in allowed:
            raise ValueError(f"expected {expected} in this path, found {{{name}}}")
    rest = path
    for name in allowed:
        rest = rest.replace(f"{{{name}}}", "")
    if "{" in rest or "}" in rest:
        raise ValueError(
            f"expected {expected} in this path, found a stray '{{' or '}}' "
            "(it would be sent literally; write %7B or %7D for a literal brace)"
        )


def _check_mapping(mapping: Mapping[str, Any], prefix: str = "") -> None:
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            _check_mapping(value, f"{prefix}{key}.")
        elif not isinstance(value, str) or not value:
            raise KeyedError(
                f"{prefix}{key}",
                "expected a dotted path into the post (such as 'meta.reference'), $canonical, "
                "$hash, $reference, $seed or a table",
                value,
            )
        elif value.startswith("$"):
            if value not in SPECIAL_VALUES:
                raise KeyedError(
                    f"{prefix}{key}", f"expected one of {', '.join(SPECIAL_VALUES)}", value
                )
        elif not post_path_exists(value):
            raise KeyedError(
                f"{prefix}{key}",
                "expected a dotted path that exists in an anp post (keys such as title, intro, "
                "meta.reference, meta.payload.seed, sections.0.heading; list items by index)",
                value,
            )


def _check_header(name: str, template: str) -> None:
    rest = VARIABLE_REFERENCE.sub("", template)
    if "${" in rest:
        raise KeyedError(
            name,
            "expected ${NAME} references with NAME made of letters, digits and '_' (not "
            "starting with a digit), each closed by '}'",
            template,
        )
    if VARIABLE_REFERENCE.search(template) is None and is_secret_header(name):
        bare = re.search(rf"\$({VARIABLE_NAME})", template)
        hint = f" (write ${{{bare.group(1)}}}, with braces)" if bare else ""
        raise KeyedError(
            name,
            "expected the credential from an environment variable, e.g. 'Bearer ${MY_TOKEN}': "
            f"a secret header must not hold a literal value in the file{hint}",
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
            raise KeyedError("http", "expected an [http] table when kind = 'http'")
        if self.kind != "http" and self.http is not None:
            raise KeyedError(
                "http", f"expected no [http] table when kind = {self.kind!r} (it is for 'http')"
            )
        if self.kind != "reference" and self.token_env is not None:
            raise KeyedError(
                "token_env",
                f"expected no token_env when kind = {self.kind!r} (it is the reference site's "
                "bearer token; "
                + (
                    "WordPress uses user_env and password_env)"
                    if self.kind == "wordpress"
                    else "the http kind uses ${NAME} in [http.headers])"
                ),
                self.token_env,
            )
        if self.kind != "wordpress":
            for key in ("user_env", "password_env"):
                if getattr(self, key) is not None:
                    raise KeyedError(
                        key,
                        f"expected no {key} when kind = {self.kind!r} (it is for 'wordpress')",
                        getattr(self, key),
                    )
        if self.kind == "wordpress":
            for key, what in (("user_env", "user name"), ("password_env", "Application Password")):
                if not getattr(self, key):
                    raise KeyedError(
                        key,
                        f"expected the name of the environment variable holding the WordPress "
                        f"{what} (required when kind = 'wordpress'), e.g. {key} = "
                        f'"ANP_WP_{"USER" if key == "user_env" else "APP_PASSWORD"}"',
                    )
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


_MOVED = {
    "Environment": "targets.definition_env",
    "expand_path": "targets.definition_env",
    "read_env_file": "targets.definition_env",
    "YAML_SUFFIXES": "targets.definition_files",
    "load_definition": "targets.definition_files",
    "parse_definition": "targets.definition_files",
}
"""Names that live in ``targets.definition_env`` (variables) and ``targets.definition_files``
(reading a file, wording its errors), importable from here too."""


def __getattr__(name: str) -> Any:
    # imported on first use: those modules import this one
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'targets.definitions' has no attribute {name!r}")


__all__ = [
    "ENV_NAME",
    "KINDS",
    "SPECIAL_VALUES",
    "VARIABLE_NAME",
    "VARIABLE_REFERENCE",
    "YAML_SUFFIXES",
    "ChecksDef",
    "DefinitionError",
    "Environment",
    "HttpDef",
    "HttpReadDef",
    "KeyedError",
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
