"""scripts/ci-loadtest (the CI workflow's and the baseline recipe's runs): every run imports into
a fresh reference site, the runs stay comparable, and nothing is left running or lying around."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from results import check_comparable, load_record

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ci-loadtest"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _script(
    *args: str, tmp_path: Path, port: int, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    work_tmp = tmp_path / "tmp"
    work_tmp.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        ANP_CI_PORT=str(port),
        ANP_CI_OUT=str(tmp_path / "runs"),
        ANP_CI_RUN_TIME="3s",
        ANP_CI_WARMUP="1s",
        TMPDIR=str(work_tmp),
        COLUMNS="200",
    )
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=tmp_path,  # the script works from the repository root whatever the cwd
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "usage: scripts/ci-loadtest NAME [RUNS]"),
        (("bad/name",), "got: bad/name"),
        (("ok", "0"), "RUNS must be a whole number >= 1 (5 recommended), got '0'"),
        (("ok", "x"), "got 'x'"),
        (("a", "1", "extra"), "usage:"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], expected: str, tmp_path: Path) -> None:
    result = _script(*args, tmp_path=tmp_path, port=_free_port())
    assert result.returncode == 2 and expected in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.integration
def test_a_port_held_by_another_process_is_never_measured(tmp_path: Path) -> None:
    with socket.socket() as other:  # "someone else's" listener on the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = _script("c", "1", tmp_path=tmp_path, port=port)
    assert result.returncode == 3, result.stdout[-2000:]
    assert f"did not answer http://127.0.0.1:{port}/health" in result.stderr
    assert "set ANP_CI_PORT" in result.stderr and "cannot listen" in result.stderr
    assert not (tmp_path / "runs").exists()
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary site folder is removed


@pytest.mark.slow
@pytest.mark.integration
def test_each_run_imports_into_a_fresh_site(tmp_path: Path) -> None:
    port = _free_port()
    result = _script("cand", "2", tmp_path=tmp_path, port=port, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    records = [load_record(tmp_path / "runs" / f"cand-{i}") for i in (1, 2)]
    for record in records:
        stats = json.loads((tmp_path / "runs" / record.run_id / "site-stats.json").read_text())
        # the second run sent the same seeds as the first, yet every post was a new import
        assert stats["posts_unchanged"] == 0
        assert stats["posts"] == record.verification.acknowledged > 0
        assert stats["requests"]["POST /import/posts"]["by_status"] == {
            "201": record.totals.requests
        }
        assert record.verification.missing == 0 and record.load.seeds == "0-999999"
        assert record.load.run_time_s == 3.0 and record.timing.warmup_s == 1.0
    check_comparable(records[:1], records[1:])
    assert "2 stored run(s)" in result.stdout
    assert list((tmp_path / "tmp").iterdir()) == []
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # the site was stopped
