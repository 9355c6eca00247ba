"""``anp run`` end to end, as a user runs it: exit codes 0, 1, 2 and 3."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from run_fixtures import Site, reference_site, write_definition

__all__ = ["reference_site"]


def anp(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anp", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def only_run(out: Path) -> Path:
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


SHORT = ("--users", "2", "--spawn-rate", "2", "--run-time", "3s", "--no-progress")


@pytest.mark.integration
@pytest.mark.slow
def test_passing_run_exits_0_with_record_and_locust_outputs(reference_site: Site, tmp_path: Path):
    out = tmp_path / "runs"
    done = anp(
        "run",
        "--target",
        str(reference_site.definition),
        "--scenario",
        "import",
        *SHORT,
        "--max-missing",
        "0",
        "--max-corrupted",
        "0",
        "--out",
        str(out),
        "--run-id",
        "pass-1",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = out / "pass-1"
    record = json.loads((run_dir / "run.json").read_text())
    v = record["verification"]
    assert v["performed"] and v["error"] is None
    assert v["acknowledged"] > 0 and v["landed"] == v["acknowledged"]
    assert (v["missing"], v["corrupted"], v["duplicates"]) == (0, 0, 0)
    assert record["totals"]["posts_acknowledged"] == v["acknowledged"]
    assert record["passed"] is True and record["interrupted"] is False
    assert record["load"]["users"] == 2
    for role in ("locust_html", "locust_csv_stats", "measurements", "locust_log"):
        assert role in record["artifacts"], record["artifacts"]
        assert (run_dir / record["artifacts"][role]).is_file()
    assert "verification" in done.stdout and "PASS (exit 0)" in done.stdout


@pytest.mark.integration
@pytest.mark.slow
def test_failing_check_exits_1(reference_site: Site, tmp_path: Path):
    out = tmp_path / "runs"
    done = anp(
        "run",
        "--target",
        str(reference_site.definition),
        *SHORT,
        "--max-p99-ms",
        "0.001",
        "--out",
        str(out),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads((only_run(out) / "run.json").read_text())
    assert record["passed"] is False
    (check,) = record["checks"]
    assert check["name"] == "max_p99_ms" and check["observed"] > 0.001
    assert "FAIL (exit 1): max_p99_ms" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--users", "0"), "--users: got '0'; expected a whole number"),
        (("--users", "many"), "--users: got 'many'"),
        (("--spawn-rate", "-1"), "--spawn-rate: got '-1'"),
        (("--run-time", "2 minutes"), "--run-time: got '2 minutes'; expected a duration"),
        (("--processes", "0"), "--processes: got '0'"),
        (("--scenario", "upload"), "--scenario: got 'upload'"),
        (("--seeds", "9-1"), "--seeds:"),
        (("--load-model", "open"), "--arrival-rate"),
        (("--shape", "zigzag"), "--shape: got 'zigzag'"),
        (("--size", "xxl"), "--size: got 'xxl'"),
        (("--batch-size", "0"), "--batch-size: got '0'"),
        (("--max-error-ratio", "2"), "--max-error-ratio: got '2'"),
        (("--max-missing", "-1"), "--max-missing: got '-1'"),
        (("--warmup", "90s", "--run-time", "1m"), "--warmup: got '90s'; expected less than"),
        (("--scenario", "read"), "--scenario: got 'read'; expected a mix with import or batch"),
        (("--scenario", "invalid", "--max-seeds", "5"), "--max-seeds: got '5'; expected no value"),
        (("--arrival-rate", "10"), "--arrival-rate: got '10'; expected no value unless"),
    ],
)
def test_bad_options_exit_2_naming_option_value_and_form(tmp_path: Path, args, message):
    definition = write_definition(tmp_path / "t.toml", "t", "http://127.0.0.1:9")
    out = tmp_path / "runs"
    done = anp("run", "--target", str(definition), *args, "--out", str(out), timeout=60)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing started, no run folder


def test_bad_definition_exits_2(tmp_path: Path):
    definition = tmp_path / "bad.toml"
    definition.write_text('name = "x"\nkind = "reference"\nbase_url = "http://10.1.2.3:80"\n')
    done = anp("run", "--target", str(definition), timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("anp: error: --target: ")
    assert "base_url" in done.stderr and "loopback" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "--target: got ''; expected the path of a target definition"),
        ("missing.toml", "--target: "),
        (".", "--target: "),
    ],
)
def test_a_target_that_is_no_definition_file_exits_2_naming_the_option(
    tmp_path: Path, target: str, message: str
):
    out = tmp_path / "runs"
    done = anp("run", "--target", target, "--out", str(out), timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"anp: error: {message}"), done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_unreachable_target_exits_3_before_starting(tmp_path: Path):
    with socket.socket() as s:  # a free port with nothing listening on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    definition = write_definition(tmp_path / "t.toml", "nobody", f"http://127.0.0.1:{port}")
    out = tmp_path / "runs"
    done = anp("run", "--target", str(definition), "--out", str(out), timeout=60)
    assert done.returncode == 3
    assert f"http://127.0.0.1:{port} is unreachable (connection_refused)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.integration
def test_existing_run_folder_is_never_reused(reference_site: Site, tmp_path: Path):
    out = tmp_path / "runs"
    (out / "taken").mkdir(parents=True)
    (out / "taken" / "run.json").write_text("earlier")
    done = anp(
        "run",
        "--target",
        str(reference_site.definition),
        "--run-id",
        "taken",
        "--out",
        str(out),
        timeout=60,
    )
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert (out / "taken" / "run.json").read_text() == "earlier"


def test_help_has_examples():
    for command in ("run", "demo"):
        done = anp(command, "--help", timeout=60)
        assert done.returncode == 0
        assert "examples:" in done.stdout and f"anp {command}" in done.stdout


@pytest.mark.integration
def test_batch_size_over_the_targets_limit_exits_2(reference_site: Site, tmp_path: Path):
    definition = tmp_path / "limited.toml"
    definition.write_text(reference_site.definition.read_text() + "\n[limits]\nbatch_size = 50\n")
    out = tmp_path / "runs"
    done = anp(
        "run",
        "--target",
        str(definition),
        "--scenario",
        "batch",
        "--batch-size",
        "51",
        "--out",
        str(out),
        timeout=60,
    )
    assert done.returncode == 2
    assert "--batch-size: got '51'; expected 1..50" in done.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--duration", "0s"),
            "--duration: got '0s'; expected a whole number of seconds >= 1, such as 30, 45s, 2m "
            "or 1m30s (a usage error: retrying with the same value will fail again)",
        ),
        (("--duration", "soon"), "--duration: got 'soon'"),
        (("--users", "x"), "--users: got 'x'"),
    ],
)
def test_demo_bad_options_exit_2_before_starting_anything(tmp_path: Path, args, message):
    out = tmp_path / "runs"
    done = anp("demo", *args, "--out", str(out), timeout=60)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_run_help_shows_every_default():
    done = anp("run", "--help", timeout=60)
    assert done.returncode == 0
    text = " ".join(done.stdout.split("options:", 1)[1].split())  # argparse wraps help lines
    for flag, default in (
        ("--scenario", "import"),
        ("--seeds", "0-999999"),
        ("--load-model", "closed"),
        ("--shape", "steady"),
        ("--batch-size", "1"),
        ("--warmup", "0"),
    ):
        after = text[text.index(f"{flag} {flag[2:].upper().replace('-', '_')}") :]
        # up to the next option (a flag and its metavar; a help may mention other flags)
        following = re.search(r" --[a-z0-9-]+ [A-Z][A-Z0-9_]+ ", after[len(flag) :])
        assert following is not None, flag
        assert f"(default {default})" in after[: len(flag) + following.start()], flag
    assert "(default: the definition's [checks], else not checked)" in text


def test_status_lines_are_not_wrapped_off_a_terminal(capsys: pytest.CaptureFixture[str]):
    from loadtests.progress import status_console

    long_path = "/tmp/" + "x" * 150 + "/20261204T224224Z-2864cb"
    status_console().print(f"[bold]anp demo[/bold]: reference site (PID 1) at {long_path}")
    err = capsys.readouterr().err
    assert err == f"anp demo: reference site (PID 1) at {long_path}\n"
