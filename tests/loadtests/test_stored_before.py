"""``anp run`` warns when the seeds it is about to import are already on the target (a re-run
against the same database measures cheap "unchanged" re-imports, not imports)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from run_fixtures import Site, reference_site

from loadtests.reachability import stored_before

__all__ = ["reference_site"]

pytestmark = pytest.mark.integration


def test_a_fresh_database_gives_no_warning(reference_site: Site) -> None:
    assert stored_before(reference_site.target, ((0, 999_999),)) is None


def test_seeds_imported_before_give_a_warning(reference_site: Site) -> None:
    reference_site.import_seeds(range(100, 110))
    warning = stored_before(reference_site.target, ((100, 999_999),))
    assert warning is not None
    assert "already holds 10 of the first 16 posts of --seeds" in warning
    assert "'unchanged'" in warning and "re-imports" in warning
    assert stored_before(reference_site.target, ((110, 999_999),)) is None


def test_an_unreachable_target_gives_no_warning(tmp_path: Path) -> None:
    from loadtests.local_site import write_definition
    from targets import load_target

    target = load_target(write_definition(tmp_path / "t.toml", "t", "http://127.0.0.1:9"))
    assert stored_before(target, ((0, 9),)) is None


@pytest.mark.slow
def test_anp_run_prints_the_warning_before_and_after_the_summary(
    reference_site: Site, tmp_path: Path
) -> None:
    reference_site.import_seeds(range(0, 20))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "anp",
            "run",
            "--target",
            str(reference_site.definition),
            "--users",
            "1",
            "--run-time",
            "1s",
            "--max-seeds",
            "20",
            "--no-verify",
            "--no-progress",
            "--out",
            str(tmp_path / "runs"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode in (0, 3), done.stderr  # the verdict is not what is tested here
    lines = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 2, done.stderr
    assert "already holds 16 of the first 16 posts of --seeds" in lines[0]
