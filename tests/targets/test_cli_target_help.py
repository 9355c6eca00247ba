"""`anp target --help` has examples; `anp target check` names the right way to start a site of
each kind and says when an http target has no batch endpoint."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ANP = str(Path(sys.executable).with_name("anp"))
ROOT = Path(__file__).resolve().parents[2]


def anp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANP, *args],
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens


def test_target_help_has_examples() -> None:
    result = anp("target", "--help")
    assert result.returncode == 0
    assert "examples:\n  anp target serve reference" in result.stdout
    assert "anp target check targets/local-reference.toml" in result.stdout
    assert "anp target check --offline targets/*.toml" in result.stdout


def test_every_subcommand_help_exits_0_with_examples() -> None:
    for command in ("serve", "check"):
        result = anp("target", command, "--help")
        assert result.returncode == 0, result.stderr
        assert "examples:\n  anp target " + command in result.stdout
    check = anp("target", "check", "--help").stdout
    for words in ("--offline", "FILE [FILE ...]", ".yaml/.yml", "targets/README.md"):
        assert words in check, words


def test_a_wordpress_site_that_is_down_points_at_up_sh() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    env = {"ANP_WP_URL": url, "ANP_WP_USER": "u", "ANP_WP_APP_PASSWORD": "p"}
    result = anp("target", "check", "targets/local-wordpress.toml", "--timeout", "2", env=env)
    assert result.returncode == 3, result.stderr
    assert "targets/wordpress/up.sh" in result.stderr
    assert "anp target serve reference" not in result.stderr


def test_an_http_target_without_batch_says_so() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = anp(
        "target", "check", "targets/example-http.toml", "--timeout", "2", env={"ANP_REF_URL": url}
    )
    assert result.returncode == 3, result.stderr
    assert "no batch endpoint" in result.stdout and "up to 0 posts" not in result.stdout
