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
