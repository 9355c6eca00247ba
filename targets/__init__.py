"""targets: how a Post reaches a site's import endpoint and is read back; the reference site.

Adapters (``reference``, ``wordpress``, ``http``) build requests and judge responses as pure
functions; ``targets.transport`` is the one place that sends them. ``load_target(path)`` builds an
adapter from a definition file (``targets/*.toml``).

The reference site's names (``create_app``, ``serve``, ...) are re-exported lazily, so that
``import targets`` does not import FastAPI.
"""

from __future__ import annotations

import importlib
from typing import Any

from targets.adapters.http import HttpTarget
from targets.adapters.reference import ReferenceTarget
from targets.adapters.registry import build_target, load_target
from targets.adapters.wordpress import WordPressTarget
from targets.adapters.wp_content import content_html
from targets.base import (
    TRANSPORT_ERROR_KINDS,
    Ack,
    ReadBack,
    Request,
    Response,
    SupportsLookup,
    Target,
    TargetError,
)
from targets.definitions import (
    ChecksDef,
    DefinitionError,
    TargetDefinition,
    is_loopback,
    load_definition,
)
from targets.importing import fetch_release, import_posts
from targets.transport import AsyncSender, Sender, Timeouts, send, send_many
from targets.verify_io import read_back_many, read_back_posts

REFERENCE_SITE_NAMES = (
    "ApiError",
    "ReferenceSettings",
    "ServeError",
    "SettingsError",
    "create_app",
    "serve",
)
"""Public names of ``targets.reference``, imported on first use."""


def __getattr__(name: str) -> Any:
    if name in REFERENCE_SITE_NAMES:
        try:
            module = importlib.import_module("targets.reference")
        except ImportError as exc:  # the site's dependencies are missing
            raise AttributeError(f"targets.{name} is unavailable: {exc}") from exc
        return getattr(module, name)
    raise AttributeError(f"module 'targets' has no attribute {name!r}")


__all__ = [
    "REFERENCE_SITE_NAMES",
    "TRANSPORT_ERROR_KINDS",
    "Ack",
    "ApiError",
    "AsyncSender",
    "ChecksDef",
    "DefinitionError",
    "HttpTarget",
    "ReadBack",
    "ReferenceSettings",
    "ReferenceTarget",
    "Request",
    "Response",
    "Sender",
    "ServeError",
    "SettingsError",
    "SupportsLookup",
    "Target",
    "TargetDefinition",
    "TargetError",
    "Timeouts",
    "WordPressTarget",
    "build_target",
    "content_html",
    "create_app",
    "fetch_release",
    "import_posts",
    "is_loopback",
    "load_definition",
    "load_target",
    "read_back_many",
    "read_back_posts",
    "send",
    "send_many",
    "serve",
]
