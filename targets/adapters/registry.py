"""Build the right adapter from a target definition: ``load_target(path) -> Target``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from targets.adapters.http import HttpTarget
from targets.adapters.reference import SITE_MAX_BATCH as REFERENCE_MAX_BATCH
from targets.adapters.reference import SITE_MAX_LOOKUP as REFERENCE_MAX_LOOKUP
from targets.adapters.reference import ReferenceTarget
from targets.adapters.wordpress import SITE_MAX_BATCH as WORDPRESS_MAX_BATCH
from targets.adapters.wordpress import SITE_MAX_LOOKUP as WORDPRESS_MAX_LOOKUP
from targets.adapters.wordpress import WordPressTarget
from targets.base import Target
from targets.definitions import (
    VARIABLE_REFERENCE,
    DefinitionError,
    Environment,
    TargetDefinition,
    load_definition,
)
from targets.transport import Timeouts

Builder = Callable[[TargetDefinition, Environment], Target]


def _timeouts(definition: TargetDefinition) -> Timeouts:
    return Timeouts(connect_s=definition.timeouts.connect_s, read_s=definition.timeouts.read_s)


def _capped(value: int | None, site_max: int, key: str, env: Environment) -> int:
    if value is None:
        return site_max
    if value > site_max:
        raise DefinitionError(
            f"{env.source or 'definition'}: key '{key}': expected at most {site_max} for kind "
            f"{env.definition.kind!r}, got {value}"
        )
    return value


def build_reference(definition: TargetDefinition, env: Environment) -> Target:
    token = env.require(definition.token_env, "token_env") if definition.token_env else None
    return ReferenceTarget(
        definition.name,
        env.base_url(),
        token=token,
        batch_limit=_capped(
            definition.limits.batch_size, REFERENCE_MAX_BATCH, "limits.batch_size", env
        ),
        lookup_limit=_capped(
            definition.limits.lookup_size, REFERENCE_MAX_LOOKUP, "limits.lookup_size", env
        ),
        timeouts=_timeouts(definition),
    )


def build_wordpress(definition: TargetDefinition, env: Environment) -> Target:
    assert definition.user_env and definition.password_env  # checked by the definition model
    return WordPressTarget(
        definition.name,
        env.base_url(),
        user=env.require(definition.user_env, "user_env"),
        app_password=env.require(definition.password_env, "password_env"),
        batch_limit=_capped(
            definition.limits.batch_size, WORDPRESS_MAX_BATCH, "limits.batch_size", env
        ),
        lookup_limit=_capped(
            definition.limits.lookup_size, WORDPRESS_MAX_LOOKUP, "limits.lookup_size", env
        ),
        timeouts=_timeouts(definition),
    )


def build_http(definition: TargetDefinition, env: Environment) -> Target:
    spec = definition.http
    assert spec is not None  # checked by the definition model
    headers: dict[str, str] = {}
    sensitive: set[str] = set()
    for name, template in spec.headers.items():
        headers[name] = env.substitute(template, f"http.headers.{name}")
        if VARIABLE_REFERENCE.search(template):
            sensitive.add(name.lower())
    return HttpTarget(
        definition.name,
        env.base_url(),
        spec,
        headers=headers,
        sensitive=frozenset(sensitive),
        timeouts=_timeouts(definition),
    )


BUILDERS: Mapping[str, Builder] = {
    "http": build_http,
    "reference": build_reference,
    "wordpress": build_wordpress,
}
"""Adapter kind -> builder."""


def build_target(
    definition: TargetDefinition,
    source: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """The adapter for a validated definition, with its credentials resolved from ``environ``
    (default: the process environment) and the definition's ``env_file``."""
    return BUILDERS[definition.kind](definition, Environment(definition, source, environ))


def load_target(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Target:
    """Read a definition file and build its adapter. Raises ``DefinitionError`` (exit code 2)."""
    file = Path(path)
    return build_target(load_definition(file), file, environ)
