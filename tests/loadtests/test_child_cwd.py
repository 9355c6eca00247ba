"""Child processes must not import folders of the caller's current directory.

``anp run`` creates ``./results/runs/``; a later ``anp demo`` from that folder used to start the
reference site with ``python -m anp`` and die with ``ImportError: cannot import name
'EndpointStats' from 'results'``, because the cwd went first on the child's ``sys.path`` and the
empty ``results/`` folder became a namespace package. These tests start the children from a folder
holding empty ``results/``, ``synth/``, ``targets/`` and ``loadtests/`` folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from run_fixtures import (
    Site,
    reference_site,  # noqa: F401 - fixture
)

import loadtests.verify_parallel as verify_parallel
from loadtests.local_site import LocalReferenceSite, child_env, python_module
from synth import merge_ranges

ANP = str(Path(sys.executable).with_name("anp"))
SHADOWS = ("results", "synth")
"""The reviewer's repro. (With all four package names shadowed the failure moves around: a
namespace package without ``cli`` makes ``anp`` silently drop that subcommand instead.)"""


def shadowing_folder(tmp_path: Path, names: tuple[str, ...] = SHADOWS) -> Path:
    folder = tmp_path / "cwd"
    for name in names:
        (folder / name).mkdir(parents=True)
    return folder


def test_child_command_line_keeps_the_cwd_off_sys_path(tmp_path: Path) -> None:
    folder = shadowing_folder(tmp_path)

    def anp_help(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*argv, "demo", "--help"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    plain_env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    fixed = anp_help(python_module("anp"), plain_env)
    assert fixed.returncode == 0, fixed.stderr
    assert "--duration" in fixed.stdout
    # a plain ``python -m anp`` works too: anp/__main__.py drops the cwd from sys.path itself
    plain = anp_help([sys.executable, "-m", "anp"], plain_env)
    assert plain.returncode == 0, plain.stderr
    # ... while any other plain ``python -m`` of ours imports the empty folders (the bug guarded)
    broken = subprocess.run(
        [sys.executable, "-m", "loadtests.local_site", "--help"],
        cwd=folder,
        env=plain_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert broken.returncode != 0
    assert "Error" in broken.stderr
    # grandchildren started that way get PYTHONSAFEPATH=1 from child_env(), which also helps
    inherited = anp_help([sys.executable, "-m", "anp"], child_env())
    assert inherited.returncode == 0, inherited.stderr


def test_local_site_starts_from_a_folder_with_shadowing_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shadowing_folder(tmp_path)
    monkeypatch.chdir(folder)
    # a relative --db stays relative to the caller's folder
    site = LocalReferenceSite(Path("site.db"), tmp_path / "site.log")
    try:
        url = site.start()
        assert url.startswith("http://127.0.0.1:")
    finally:
        site.stop()
    assert (folder / "site.db").is_file()
    assert "ImportError" not in (tmp_path / "site.log").read_text()


def test_parallel_verification_workers_run_from_a_folder_with_shadowing_dirs(
    reference_site: Site,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference_site.import_seeds(range(40))

    def no_fallback(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a worker process failed; its slice fell back to this process")

    # a failed worker is silently re-verified in-process; forbid that so the workers must work
    monkeypatch.setattr(verify_parallel, "verify_posts", no_fallback)
    monkeypatch.chdir(shadowing_folder(tmp_path))
    result = verify_parallel.verify_in_processes(
        str(reference_site.definition),
        reference_site.target,
        acknowledged=merge_ranges([(0, 39)]),
        workers=2,
    )
    assert result.error is None
    assert (result.acknowledged, result.landed, result.missing) == (40, 40, 0)


@pytest.mark.integration
@pytest.mark.slow
def test_demo_from_a_folder_with_results_and_synth_dirs(tmp_path: Path) -> None:
    folder = shadowing_folder(tmp_path, ("results", "synth", "targets", "loadtests"))
    (folder / "results" / "runs").mkdir()  # what an earlier ``anp run`` leaves behind
    done = subprocess.run(
        [ANP, "demo", "--duration", "3s", "--users", "2", "--no-progress"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = (folder / "results" / "runs").iterdir()  # the default --out, relative to cwd
    record = json.loads((run_dir / "run.json").read_text())
    assert record["verification"]["landed"] == record["verification"]["acknowledged"] > 0
    assert "ImportError" not in (run_dir / "target.log").read_text()
