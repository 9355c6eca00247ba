"""`anp compare`, `anp runs` and `anp history` in subprocesses: exit codes and outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from results_factory import make_record

from results import write_record

ANP = [str(Path(sys.executable).parent / "anp")]


def anp(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ANP, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Shared by the module (built once); tests must not add files next to these runs."""
    root = tmp_path_factory.mktemp("sides")
    spec = {
        "base": (0, {}),
        "same": (100, {}),
        "slow": (200, {"rps": 85.0}),
        "noisy": (300, {"run_noise": 0.2}),
    }
    return {
        name: [
            write_record(
                make_record(f"{name}-{i}", seed=seed + i, **kw), root / name / f"{name}-{i}"
            ).parent
            for i in range(5)
        ]
        for name, (seed, kw) in spec.items()
    }


def test_exit_0_no_regression_and_reports(sides: dict[str, list[Path]], tmp_path: Path) -> None:
    md = tmp_path / "summary.md"
    result = anp("compare", *sides["base"], "--against", *sides["same"], "--markdown", md)
    assert result.returncode == 0, result.stderr
    assert "no regression (exit 0): 5 baseline vs 5 candidate runs" in result.stdout
    assert "throughput" in result.stdout and "p99 latency" in result.stdout
    assert md.read_text().startswith("### ✅ anp compare: no regression")
    html = sides["same"][0] / "compare.html"  # default: the first candidate's run folder
    assert html.is_file() and f"HTML report: {html}" in result.stdout


def test_exit_1_regression(sides: dict[str, list[Path]], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = anp(
        "compare", *sides["base"], "--against", *sides["slow"], "--html", out, "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "regression" and doc["metrics"][0]["verdict"] == "regression"
    # Welch's t on log throughput, counted because the exact rank test agrees (U = 0)
    assert doc["metrics"][0]["p_value"] < 1 / 252
    assert doc["metrics"][0]["p_adjusted"] == pytest.approx(2 * doc["metrics"][0]["p_value"])
    assert out.is_file() and not (sides["slow"][0] / "compare.html").exists()


def test_exit_2_inconclusive(sides: dict[str, list[Path]]) -> None:
    args = ("--no-html", "--format", "markdown")
    result = anp("compare", *sides["base"], "--against", *sides["noisy"], *args)
    assert result.returncode == 2, result.stderr
    assert result.stdout.startswith("### ⚠️ anp compare: INCONCLUSIVE")
    assert not (sides["noisy"][0] / "compare.html").exists()


def test_folder_of_runs_and_single_run(sides: dict[str, list[Path]]) -> None:
    result = anp("compare", sides["base"][0], "--against", sides["slow"][0], "--no-html")
    assert result.returncode == 2
    assert "Descriptive comparison only (1 vs 1 runs)" in result.stdout
    folder = sides["base"][0].parent  # a folder of five run folders
    result = anp("compare", folder, "--against", *sides["slow"], "--no-html")
    assert result.returncode == 1 and "5 baseline vs 5 candidate runs" in result.stdout


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: (d / "bad.json").write_text("{oops") and d / "bad.json", "is not valid JSON"),
        (
            lambda d: (d / "new.json").write_text('{"schema_version": 7}') and d / "new.json",
            "schema_version=7, newer than this harness reads",
        ),
    ],
)
def test_exit_3_unusable_input(
    sides: dict[str, list[Path]], tmp_path: Path, make, expected: str
) -> None:
    bad = make(tmp_path)
    result = anp("compare", *sides["base"], "--against", bad, "--no-html")
    assert result.returncode == 3
    assert result.stderr.startswith("anp: error: ") and expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("side", ["BASELINE", "--against"])
def test_a_run_path_that_does_not_exist_is_a_command_line_mistake(
    sides: dict[str, list[Path]], tmp_path: Path, side: str
) -> None:
    missing = tmp_path / "typo" / "run.json"
    if side == "BASELINE":
        args = (missing, "--against", *sides["slow"])
    else:
        args = (*sides["base"], "--against", *sides["slow"], missing)
    result = anp("compare", *args, "--no-html")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"anp: error: {side}: run record not found: '{missing}' does not exist (expected a "
        "run.json file, a run folder or a folder of them)"
    ), result.stderr
    assert "safe to retry with the right path" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    history = anp("history", *sides["base"], missing)
    assert history.returncode == 2, history.stderr
    assert f"anp: error: RUNS: run record not found: '{missing}'" in history.stderr
    assert not (tmp_path / "typo").exists()


def test_exit_3_different_load(
    write_runs: Callable[..., list[Path]], sides: dict[str, list[Path]]
) -> None:
    other = write_runs("many", 5, seed=400, users=50)
    result = anp("compare", *sides["base"], "--against", *other, "--no-html")
    assert result.returncode == 3
    assert (
        "'users' is 10 in baseline run 'base-0' but 50 in candidate run 'many-0'" in result.stderr
    )


def test_bad_option_is_a_usage_error(sides: dict[str, list[Path]]) -> None:
    result = anp("compare", *sides["base"], "--against", *sides["same"], "--min-effect", "p77=1")
    assert result.returncode == 2 and "expected METRIC=FRACTION" in result.stderr


@pytest.mark.parametrize("command", ["compare", "runs", "history"])
def test_help_has_examples(command: str) -> None:
    result = anp(command, "--help")
    assert (
        result.returncode == 0
        and "examples:" in result.stdout
        and f"anp {command}" in result.stdout
    )


def test_runs_lists_records(write_runs: Callable[..., list[Path]], tmp_path: Path) -> None:
    runs_dir = write_runs("base", 3, seed=0)[0].parent
    (runs_dir / "broken").mkdir()
    (runs_dir / "broken" / "run.json").write_text("{")
    result = anp("runs", "--dir", runs_dir, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 4 and rows[-1]["problem"] is not None
    first = rows[0]
    assert first["target"] == "local-reference" and first["release"] == "1.0"
    assert first["users"] == 10 and first["verification"].startswith("ok ")
    table = anp("runs", "--dir", runs_dir)
    assert table.returncode == 0 and "base-0" in table.stdout and "unreadable" in table.stdout
    assert anp("runs", "--dir", tmp_path / "nope").returncode == 2  # a command-line mistake
    empty = anp("runs", cwd=tmp_path)
    assert empty.returncode == 0 and "no stored runs" in empty.stdout


def test_history_flags_recent_drift(write_runs: Callable[..., list[Path]], tmp_path: Path) -> None:
    levels = [100, 100, 100, 100, 100, 97, 94, 91]  # each step 3%: under the 5% minimum effect
    paths: list[Path] = []
    for i, rps in enumerate(levels):
        paths += write_runs(
            f"r{i}",
            3,
            seed=10 * i,
            rps=float(rps),
            release=f"2.{i}",
            started_at=f"2026-12-0{1 + i // 4}T0{i}:00:00Z",
            run_noise=0.005,
        )
    html, md = tmp_path / "h.html", tmp_path / "h.md"
    result = anp("history", *paths, "--html", html, "--markdown", md)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "REGRESSION in the last 3 releases: throughput from release 2.5" in result.stdout
    assert html.is_file() and "2.7" in md.read_text()
    quiet = anp("history", *paths[:15])  # releases 2.0-2.4 only: flat
    assert quiet.returncode == 0, quiet.stdout
    reordered = anp("history", *paths, "--order", "2.7,2.6,2.5,2.4,2.3,2.2,2.1,2.0")
    assert reordered.returncode == 0  # read backwards it is an improvement
    unknown = anp("history", *paths, "--order", "2.0,2.1")
    assert unknown.returncode == 3 and "--order does not list release(s)" in unknown.stderr


@pytest.mark.parametrize("value", ["5", "-1", "0", "1", "nan", "inf", "-inf", "abc", ""])
def test_alpha_outside_zero_one_is_a_usage_error(sides: dict[str, list[Path]], value: str) -> None:
    result = anp("compare", *sides["base"], "--against", *sides["same"], f"--alpha={value}")
    assert result.returncode == 2, result.stdout
    assert "argument --alpha: expected a number with 0 < ALPHA < 1" in result.stderr
    assert f"got {value!r}" in result.stderr and "fail again" in result.stderr
    assert "Traceback" not in result.stderr


def test_valid_alpha_and_error_min_effect_are_used(sides: dict[str, list[Path]]) -> None:
    result = anp(
        "compare",
        *sides["base"],
        "--against",
        *sides["same"],
        "--alpha",
        "0.1",
        "--error-min-effect",
        "0.001",
        "--format",
        "markdown",
        "--no-html",
    )
    assert result.returncode == 0, result.stderr
    assert (
        "at alpha 0.1 \\(throughput 0.5, p50 latency 0.167" in result.stdout
        and "minimum effect +0.1 percentage points" in result.stdout
    )


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--error-min-effect", "2", "expected a fraction with 0 <= FRACTION < 1"),
        ("--error-min-effect", "nan", "expected a fraction with 0 <= FRACTION < 1"),
        ("--min-effect", "p99_ms=nan", "expected METRIC=FRACTION"),
        ("--min-effect", "p99_ms=-0.1", "expected METRIC=FRACTION"),
    ],
)
def test_other_numeric_compare_options_are_checked(
    sides: dict[str, list[Path]], option: str, value: str, expected: str
) -> None:
    result = anp("compare", *sides["base"], "--against", *sides["same"], option, value)
    assert result.returncode == 2
    assert f"argument {option}: {expected}" in result.stderr and repr(value) in result.stderr


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "x"])
def test_history_recent_must_be_a_positive_whole_number(
    sides: dict[str, list[Path]], value: str
) -> None:
    result = anp("history", *sides["base"], "--recent", value)
    assert result.returncode == 2
    assert "argument --recent: expected a whole number of releases >= 1" in result.stderr
    assert repr(value) in result.stderr


def test_history_refusal_does_not_mention_a_baseline(
    write_runs: Callable[..., list[Path]], sides: dict[str, list[Path]]
) -> None:
    other = write_runs("wide", 2, seed=500, users=50)
    result = anp("history", *sides["base"], *other)
    assert result.returncode == 3
    assert (
        "cannot put runs with different load settings in one history: 'users' is 10 in run "
        "'base-0' but 50 in run 'wide-0'" in result.stderr
    )
    assert "baseline" not in result.stderr and "candidate" not in result.stderr
