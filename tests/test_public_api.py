"""Every name in each package's ``__all__`` imports, and ``__all__`` is sorted (isort style:
CONSTANTS, then Classes, then functions) and free of duplicates."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["anp", "synth", "targets", "loadtests", "results"]


def _all(package: str) -> list[str]:
    module = importlib.import_module(package)
    names = list(getattr(module, "__all__", []))
    if not names:
        pytest.skip(f"{package} has an empty __all__")
    return names


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_imports(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in _all(package) if not hasattr(module, name)]
    assert missing == []
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)
    assert set(_all(package)) <= set(namespace)


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_and_unique(package: str) -> None:
    names = _all(package)
    assert len(names) == len(set(names))
    assert names == sorted(names, key=_isort_key)
