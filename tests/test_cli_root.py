"""The ``anp`` root: a reader that leaves early (``anp ... | head``) ends the command quietly."""

from __future__ import annotations

import subprocess
import sys


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "anp", "post", "5", "--size", "xl", "--format", "html"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before anything is written, like `| true`
        stderr = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 141  # the shell's code for a command ended by a closed pipe


def _run_with(handler_patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``anp ARGS`` in a subprocess after executing ``handler_patch`` (which replaces a
    handler to simulate a bug)."""
    code = f"import sys\n{handler_patch}\nfrom anp.cli import main\nsys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_an_unexpected_exception_is_an_internal_error_exit_3_never_1() -> None:
    result = _run_with("import synth.cli as c\nc._post = lambda args: 1 / 0", "post", "5")
    assert result.returncode == 3, result.stderr
    assert "anp: internal error: ZeroDivisionError" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr  # kept for the bug report


def test_an_unexpected_oserror_is_an_internal_error_too() -> None:
    patch = "import synth.cli as c\ndef boom(args):\n    open('/nonexistent/x')\nc._post = boom"
    result = _run_with(patch, "post", "5")
    assert result.returncode == 3, result.stderr
    assert "anp: internal error: FileNotFoundError" in result.stderr


def test_a_full_stdout_is_exit_2_with_one_line() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "anp", "post", "--help"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("anp: error: cannot write to stdout (No space left on device)")
    assert "Traceback" not in result.stderr


def test_a_non_utf8_stdout_does_not_crash_on_symbols() -> None:
    code = "import sys\nfrom anp.cli import main\nimport results.cli as r\n" + (
        "def f(args):\n    print('\\u26a0\\ufe0f inconclusive')\n    return 0\nr._runs = f\n"
        "sys.exit(main(['runs']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**__import__("os").environ, "PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0, result.stderr
    assert "\\u26a0" in result.stdout and "inconclusive" in result.stdout


def test_the_command_table_names_the_module_that_registers_each_command() -> None:
    import argparse
    import importlib

    from anp.cli import COMMAND_MODULES, SUBCOMMAND_MODULES

    registered: dict[str, str] = {}
    for module in SUBCOMMAND_MODULES:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        importlib.import_module(module).register(subparsers)
        registered.update(dict.fromkeys(subparsers.choices, module))
    assert registered == COMMAND_MODULES


def test_a_synth_command_does_not_load_the_other_packages() -> None:
    code = (
        "import sys\n"
        "from anp.cli import main\n"
        "assert main(['post', '5']) == 0\n"
        "print(sorted(m for m in ('httpx', 'targets', 'loadtests', 'results', 'locust')"
        " if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("| |")  # the post itself
    assert done.stderr.strip() == "[]", done.stderr


def test_an_unknown_option_shows_the_subcommands_usage_not_the_roots() -> None:
    for argv, prog in (
        (["post", "5", "--bogus"], "anp post"),
        (["target", "check", "targets/local-reference.toml", "--bogus"], "anp target check"),
        (["runs", "--bogus", "x"], "anp runs"),
        (["--bogus"], "anp"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "anp", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, (argv, result.stderr)
        assert f"{prog}: error: unrecognized arguments: --bogus" in result.stderr, result.stderr
        assert f"usage: {prog} " in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
