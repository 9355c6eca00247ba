"""The Faker-derived tables: committed, regenerable from the pinned Faker, never live."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import faker
import pytest

from synth.data import faker_tables

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "regen_faker_tables.py"


def _regen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_faker_tables", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_name_the_pinned_faker() -> None:
    regen = _regen()
    assert faker_tables.FAKER_VERSION == regen.PINNED_FAKER
    text = Path(faker_tables.__file__).read_text(encoding="utf-8")
    assert f"from Faker {regen.PINNED_FAKER}" in text
    assert f'"faker=={regen.PINNED_FAKER}"' in (REPO / "pyproject.toml").read_text()


def test_committed_tables_equal_a_fresh_regeneration() -> None:
    regen = _regen()
    if faker.VERSION != regen.PINNED_FAKER:
        pytest.skip(f"installed Faker {faker.VERSION} is not the pinned {regen.PINNED_FAKER}")
    committed = Path(faker_tables.__file__).read_text(encoding="utf-8")
    assert regen.render_tables() == committed, (
        "synth/data/faker_tables.py differs from what the pinned Faker produces: run "
        "scripts/regen_faker_tables.py on purpose and bump GENERATOR_VERSION"
    )


def test_tables_are_distinct_one_line_plain_values() -> None:
    for table in (faker_tables.PERSON_NAMES, faker_tables.COMPANIES):
        assert len(set(table)) == len(table) > 100
        for value in table:
            assert value == value.strip()
            assert not set(value) & set('\n\r(."\\')


def test_synthesizing_never_imports_faker() -> None:
    code = (
        "import sys\n"
        "from synth import synthesize, synthesize_invalid, canonical_json\n"
        "for seed in range(200):\n"
        "    canonical_json(synthesize(seed))\n"
        "synthesize_invalid(3, 'changed_content')\n"
        "assert 'faker' not in sys.modules, 'synth imported faker'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_check_mode_reports_up_to_date() -> None:
    if faker.VERSION != _regen().PINNED_FAKER:
        pytest.skip("installed Faker is not the pinned one")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
