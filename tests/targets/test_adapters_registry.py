"""The targets package's public face, the adapter registry, the Request's redaction and the
bulk read-back helper's chunking."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import targets
from synth import synthesize
from targets import Request, Target, build_target, load_definition, load_target
from targets.adapters.registry import BUILDERS
from targets.base import REDACTED, redact_headers
from targets.definitions import KINDS
from targets.verify_io import chunks, read_back_many

REPO = Path(__file__).resolve().parents[2]


def test_every_public_name_imports() -> None:
    assert targets.__all__ == sorted(
        targets.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
    )
    for name in targets.__all__:
        assert getattr(targets, name) is not None, name


def test_reference_site_names_are_re_exported() -> None:
    reference = importlib.import_module("targets.reference")
    assert set(reference.__all__) <= set(targets.__all__)
    assert targets.create_app is reference.create_app
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = targets.nope


def test_registry_covers_every_kind() -> None:
    assert sorted(BUILDERS) == sorted(KINDS)


@pytest.mark.parametrize("name", ["local-reference", "local-wordpress", "example-http"])
def test_built_adapters_satisfy_the_protocol(name: str, tmp_path: Path) -> None:
    env = {"ANP_WP_USER": "u", "ANP_WP_APP_PASSWORD": "p", "ANP_WP_ROOT": str(tmp_path)}
    target = load_target(REPO / "targets" / f"{name}.toml", environ=env)
    assert isinstance(target, Target)
    assert target.name == name
    definition = load_definition(REPO / "targets" / f"{name}.toml")
    assert type(build_target(definition, environ=env)) is type(target)
    post = synthesize(3)
    for request in (target.import_request(post), target.health_request(), target.release_request()):
        assert request.path.startswith("/")


@pytest.mark.parametrize(
    ("header", "hidden"),
    [
        ("Authorization", True),
        ("authorization", True),
        ("Cookie", True),
        ("X-Api-Key", True),
        ("X-WP-Nonce", True),
        ("X-Import-Token", True),
        ("X-Client-Secret", True),
        ("Content-Type", False),
        ("X-Client", False),
    ],
)
def test_redaction_table(header: str, hidden: bool) -> None:
    shown = redact_headers({header: "value"})
    assert (shown[header] == REDACTED) is hidden


def test_redacted_request_hides_secrets_and_body() -> None:
    request = Request(
        "POST",
        "/x",
        "POST /x",
        {"Authorization": "Bearer abc", "X-Custom": "k"},
        b"12345",
        frozenset({"x-custom"}),
    )
    assert request.redacted() == {
        "method": "POST",
        "path": "/x",
        "name": "POST /x",
        "headers": {"Authorization": REDACTED, "X-Custom": REDACTED},
        "body_bytes": 5,
    }
    assert "abc" not in repr(request) and "12345" not in repr(request)


def test_chunks() -> None:
    assert chunks(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert chunks([], 3) == []
    with pytest.raises(ValueError, match="chunk size must be at least 1, got 0"):
        chunks(["a"], 0)


def test_read_back_many_of_nothing_sends_nothing() -> None:
    target = load_target(REPO / "targets" / "local-reference.toml", environ={})
    assert read_back_many(target, []) == []
