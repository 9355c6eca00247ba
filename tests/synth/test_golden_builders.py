"""The golden digests hold for each builder: the pure-Python one and the C one (when built).

``tests/synth/test_determinism.py`` checks them with whichever builder is active; here each is
forced in turn through ``synth.generate.build_json``, which ``synthesize``, ``synthesize_json``
and the invalid variants all go through.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from synth import generate, native
from synth.build import build_json_py

GOLDEN_DIR = Path(__file__).parent / "golden"


def _make_golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN_DIR / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _builder(name: str) -> Callable[[int, str | None], bytes]:
    if name == "python":
        return build_json_py
    if native.build is None:
        if os.environ.get("ANP_REQUIRE_NATIVE") == "1":
            pytest.fail(f"ANP_REQUIRE_NATIVE=1 but the C builder is not active: {native.REASON}")
        pytest.skip(f"the C builder is not active: {native.REASON}")
    return native.build


@pytest.mark.parametrize("name", ["python", "native"])
def test_golden_digests_match_with_each_builder(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "build_json", _builder(name))
    golden = _make_golden()
    recorded = json.loads(golden.golden_path().read_text())
    current = golden.compute()
    for section in ("posts", "sized", "invalid"):
        assert current[section] == recorded[section], f"{name} builder: {section} drifted"
