"""The test tree's own rules: pytest imports test modules by basename (``rootdir``-relative
``prepend`` mode, no ``__init__.py`` below ``tests/``), so two test files with the same name in
different folders break collection."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_module_basenames_are_unique() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for path in sorted(TESTS.rglob("*.py")):
        if path.name not in ("__init__.py", "conftest.py"):
            seen[path.name].append(str(path.relative_to(TESTS)))
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert clashes == {}, f"rename one of each: {clashes}"


def test_no_test_module_imports_a_conftest_by_name() -> None:
    # several folders have a conftest.py; which one ``import conftest`` finds depends on the order
    # in which pytest collected them, so a run of a few files can fail where the full run passes
    offenders = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if any(
            line.startswith(("from conftest import", "import conftest"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
