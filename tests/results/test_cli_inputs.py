"""`anp compare`/`runs`/`history` inputs and outputs: a run given twice counts once, a run on both
sides is refused, non-record files caught by a glob are skipped, `anp runs` looks one level down
and lists crashed runs, report paths that cannot be written are usage errors (exit 2), no
folder is created for a report, and the default HTML never lands next to bare .json baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from results_factory import make_record

from results import dump_record, write_record

ANP = str(Path(sys.executable).parent / "anp")


def anp(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANP, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def test_the_same_run_given_many_times_counts_once(
    write_runs: Callable[..., list[Path]],
) -> None:
    a = write_runs("a", 1, seed=0)[0]
    b = write_runs("b", 1, seed=50, rps=70.0)[0]
    result = anp(
        "compare", a, a, a / "run.json", a, "--against", b, b / "run.json", b, "--no-html",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr  # 1 vs 1: descriptive, never "statistical"
    doc = json.loads(result.stdout)
    assert doc["mode"] == "descriptive"
    assert doc["baseline_runs"] == ["a-0"] and doc["candidate_runs"] == ["b-0"]
    assert "run a-0 is given twice on the baseline side" in result.stderr
    assert "counted once" in result.stderr and "RuntimeWarning" not in result.stderr


def test_a_run_on_both_sides_is_refused(write_runs: Callable[..., list[Path]]) -> None:
    a = write_runs("a", 2, seed=0)
    result = anp("compare", *a, "--against", a[1] / "run.json", "--no-html")
    assert result.returncode == 3
    assert "run a-1 is on both sides" in result.stderr and "Traceback" not in result.stderr


def test_history_skips_a_readme_caught_by_a_glob(
    write_runs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    runs = write_runs("h", 4, seed=0)
    readme = runs[0].parent / "README.md"
    readme.write_text("# baselines\n")
    result = anp("history", *runs, readme)
    assert result.returncode == 0, result.stderr
    assert f"skipped '{readme}': not a run record" in result.stderr
    only = anp("history", readme)
    assert only.returncode == 3 and "no run records among the inputs" in only.stderr


def short_run(folder: Path, run_id: str, *, duration_s: float, warmup_s: float) -> Path:
    """A record of release 1.3 that lasted ``duration_s`` (no whole second after its warm-up)."""
    record = make_record(run_id, seed=9, release="1.3", seconds=1, warmup_s=warmup_s)
    timing = record.timing.model_copy(update={"duration_s": duration_s})
    return write_record(record.model_copy(update={"timing": timing}), folder / run_id)


def test_history_skips_a_run_under_a_second_with_a_note_and_goes_on(
    write_runs: Callable[..., list[Path]],
) -> None:
    runs = [write_runs(f"h{i}", 1, seed=i, release=f"1.{i}")[0] for i in range(3)]
    folder = runs[0].parent
    short = short_run(folder, "short", duration_s=0.8, warmup_s=0.0)
    warm = short_run(folder, "warm", duration_s=5.5, warmup_s=5.0)  # 0.5 s after the warm-up
    result = anp("history", folder, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    for file, run_id, timing in [
        (short, "short", "duration_s=0.8, warmup_s=0.0"),
        (warm, "warm", "duration_s=5.5, warmup_s=5.0"),
    ]:
        assert (
            f"anp: note: skipped '{file}': run '{run_id}' has no whole second after its warm-up "
            f"({timing})" in result.stderr
        ), result.stderr
    assert "anp: error" not in result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 1.")]
    assert [row.split("|")[1:3] for row in rows] == [
        [" 1.0 ", " 1 "],
        [" 1.1 ", " 1 "],
        [" 1.2 ", " 1 "],
    ]  # release 1.3 had only the skipped runs
    alone = anp("history", short, warm)
    assert alone.returncode == 3, alone.stderr
    assert "none of the 2 run(s) given has anything to measure" in alone.stderr
    assert "Traceback" not in alone.stderr
    compared = anp("compare", short, "--against", runs[0], "--no-html")
    assert compared.returncode == 3  # a comparison still refuses it: it is not one sample of k
    assert "run 'short' has no whole second after its warm-up" in compared.stderr


def test_runs_looks_one_level_down_and_lists_crashed_runs(tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    (baselines / "reference").mkdir(parents=True)
    (baselines / "README.md").write_text("how to refresh\n")
    for i in range(2):
        record = make_record(f"baseline-{i}", seed=i)
        (baselines / "reference" / f"baseline-{i}.json").write_text(dump_record(record))
    runs = tmp_path / "runs"
    write_record(make_record("done", seed=5), runs / "done")
    (runs / "crashed").mkdir()
    (runs / "crashed" / "measurements.json").write_text("{}")
    (runs / "crashed" / "site-stats.json").write_text("{}")
    listed = anp("runs", "--dir", baselines, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [row["run_id"] for row in json.loads(listed.stdout)] == ["baseline-0", "baseline-1"]
    rows = json.loads(anp("runs", "--dir", runs, "--format", "json").stdout)
    assert [row["run_id"] for row in rows] == ["done", "?"]
    assert rows[1]["problem"].startswith("no record: ") and "crashed" in rows[1]["path"]
    table = anp("runs", "--dir", runs)
    assert "no record" in table.stdout and "unreadable" not in table.stdout
    crashed = anp("compare", runs / "crashed", "--against", runs / "done", "--no-html")
    assert crashed.returncode == 3 and "has measurements.json but no run.json" in crashed.stderr


def test_runs_shows_both_throughput_figures(tmp_path: Path) -> None:
    write_record(make_record("r", seed=1, rps=100.0), tmp_path / "r")
    (row,) = json.loads(anp("runs", "--dir", tmp_path, "--format", "json").stdout)
    assert row["throughput_rps"] is not None and row["median_rps"] is not None
    assert row["median_rps"] != row["throughput_rps"]  # the two figures really differ
    table = anp("runs", "--dir", tmp_path).stdout
    assert "req/s avg" in table and "req/s median" in table
    assert f"{row['median_rps']:,.1f}" in table
    assert "the throughput anp compare and anp history use" in table


def test_runs_says_req_s_avg_leaves_out_the_warmup(tmp_path: Path) -> None:
    # 10 s, warm-up 2 s: 1,000 successes/s in the warm-up, 100/s after it; the harness's
    # throughput is 800 / 8 s = 100 req/s, the whole run's average 2,800 / 10 s = 280
    record = make_record("w", seed=1, seconds=10, warmup_s=2.0)
    rows = [(s, 1000 if s < 2 else 100, 0) for s in range(10)]
    endpoint = record.endpoints[0].model_copy(
        update={"per_second": rows, "requests": 2800, "successes": 2800, "posts": 2800}
    )
    totals = record.totals.model_copy(
        update={"requests": 2800, "successes": 2800, "throughput_rps": 800 / 8}
    )
    runs = tmp_path / "runs"
    write_record(record.model_copy(update={"endpoints": [endpoint], "totals": totals}), runs / "w")
    (row,) = json.loads(anp("runs", "--dir", runs, "--format", "json").stdout)
    assert row["throughput_rps"] == 100.0
    table = anp("runs", "--dir", runs).stdout
    assert "100.0" in table and "280.0" not in table
    caption = " ".join(table.split())
    assert "req/s avg: successful requests after the warm-up / the seconds after it" in caption
    assert "successful requests / duration" not in caption
    help_text = " ".join(anp("runs", "--help").stdout.split())
    assert "successful requests after the warm-up / the seconds after it" in help_text


def test_report_paths_that_cannot_be_written_exit_2(
    write_runs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    a, b = write_runs("a", 1, seed=0), write_runs("b", 1, seed=9)
    folder = tmp_path / "adir"
    folder.mkdir()
    for option, path, reason in [
        ("--html", folder, "it is a folder"),
        ("--markdown", folder, "it is a folder"),
        ("--markdown", tmp_path / "typo" / "deep" / "c.md", "does not exist; create it first"),
        ("--html", Path("/proc/version"), "cannot write the report"),
    ]:
        result = anp("compare", *a, "--against", *b, option, path, *(
            ["--no-html"] if option == "--markdown" else []
        ))  # fmt: skip
        assert result.returncode == 2, (option, path, result.stderr)
        assert f"anp: error: {option} '{path}': cannot write the report" in result.stderr
        assert reason in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "typo").exists()  # no folder tree was created
    history = anp("history", *a, *b, "--markdown", tmp_path / "nope" / "h.md")
    assert history.returncode == 2 and not (tmp_path / "nope").exists()


def test_markdown_to_dev_stdout(write_runs: Callable[..., list[Path]]) -> None:
    a, b = write_runs("a", 1, seed=0), write_runs("b", 1, seed=9)
    result = anp("compare", *a, "--against", *b, "--no-html", "--markdown", "/dev/stdout",
                 "--format", "json")  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "### ⚠️ anp compare:" in result.stdout
    assert Path("/dev/stdout").is_symlink() or Path("/dev/stdout").is_char_device()


def test_default_html_is_never_next_to_bare_json_baselines(tmp_path: Path) -> None:
    reference = tmp_path / "baselines" / "reference"
    reference.mkdir(parents=True)
    for name, seed in [("x", 0), ("y", 7)]:
        (reference / f"{name}.json").write_text(dump_record(make_record(name, seed=seed)))
    work = tmp_path / "work"
    work.mkdir()
    result = anp("compare", reference / "x.json", "--against", reference / "y.json", cwd=work)
    assert result.returncode == 2, result.stderr
    assert not (reference / "compare.html").exists()
    assert (work / "compare.html").is_file()


def test_identical_copies_under_other_ids_give_no_scipy_warning(tmp_path: Path) -> None:
    sides = {}
    for side, rps in (("a", 100.0), ("b", 80.0)):
        text = dump_record(make_record(f"{side}-x", seed=3, rps=rps))
        folder = tmp_path / side
        folder.mkdir()
        for i in range(5):  # five runs with identical numbers (a degenerate spread)
            (folder / f"{i}.json").write_text(text.replace(f'"{side}-x"', f'"{side}-{i}"'))
        sides[side] = folder
    result = anp("compare", sides["a"], "--against", sides["b"], "--no-html")
    assert result.returncode in (1, 2), result.stderr
    assert "Warning" not in result.stderr, result.stderr


def test_help_texts_name_exit_2_and_the_default_html() -> None:
    history = anp("history", "--help").stdout
    assert "2 a command-line mistake" in history and "results/baselines/*/" in history
    compare = anp("compare", "--help").stdout
    assert "never next to bare *.json" in compare and "counted once" in compare


def test_runs_with_a_dir_that_is_missing_or_a_file_names_dir(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = anp("runs", "--dir", missing)
    assert result.returncode == 2, result.stderr  # like compare/history given a missing run
    assert f"--dir: '{missing}' does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    a_file = tmp_path / "run.json"
    a_file.write_text("{}")
    result = anp("runs", "--dir", tmp_path, "--dir", a_file)
    assert result.returncode == 2, result.stderr
    assert f"--dir: '{a_file}' is not a folder" in result.stderr
