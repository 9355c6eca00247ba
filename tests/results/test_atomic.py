"""Files written by results get the mode a plain open() would give (0666 & ~umask, not
mkstemp's 0600), and are still written atomically."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from results_factory import make_record

from results import write_record
from results.atomic import current_umask, write_text_atomic

ANP = str(Path(sys.executable).parent / "anp")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under each of these umasks (restored afterwards)."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_current_umask_reads_without_changing_it(umask: int) -> None:
    assert current_umask() == umask
    assert current_umask() == umask


def test_text_and_records_get_the_usual_mode(umask: int, tmp_path: Path) -> None:
    expected = 0o666 & ~umask
    text = write_text_atomic(tmp_path / "deep" / "report.md", "# hi\n", parents=True)
    assert _mode(text) == expected and text.read_text() == "# hi\n"
    record = write_record(make_record("r1", seed=1), tmp_path / "runs" / "r1")
    assert _mode(record) == expected
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert _mode(plain) == expected  # the same as an ordinary write


def test_replacing_a_0600_file_gives_the_usual_mode(umask: int, tmp_path: Path) -> None:
    target = tmp_path / "compare.html"
    target.write_text("old")
    target.chmod(0o600)
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("earlier result\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, "half \udcff written")  # a lone surrogate cannot be UTF-8
    assert target.read_text() == "earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]


def test_cli_reports_get_the_usual_mode(
    write_runs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    base = write_runs("a", 2, seed=0)
    cand = write_runs("b", 2, seed=10)
    md, page = tmp_path / "out" / "c.md", tmp_path / "out" / "c.html"
    md.parent.mkdir()
    args = [*map(str, base), "--against", *map(str, cand), "--markdown", str(md)]
    result = subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$@"', "sh", ANP, "compare", *args, "--html", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr  # 2 vs 2 runs: underpowered, inconclusive
    assert _mode(md) == 0o644 and _mode(page) == 0o644
    for run in base:
        assert _mode(run / "run.json") == 0o666 & ~current_umask()
