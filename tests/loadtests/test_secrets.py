"""Credentials never reach results or logs, end to end.

The reference site requires a bearer token (``--token-env``); the definition names only the
environment variable (``token_env``); ``anp run`` reads the token from the environment, imports,
reads back and verifies. Then no file of the run folder (run.json, measurements.json, Locust's CSV
and HTML, locust.log), nor the site's log, nor the wrapper's stdout/stderr holds the token.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests.local_site import LocalReferenceSite

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANP = str(Path(sys.executable).with_name("anp"))
TOKEN_VAR = "ANP_TEST_SECRET_TOKEN"


@pytest.fixture
def token() -> str:
    return "tok-" + secrets.token_hex(16)


@pytest.fixture
def protected_site(
    tmp_path: Path, token: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalReferenceSite]:
    monkeypatch.setenv(TOKEN_VAR, token)  # the site's child process inherits it
    site = LocalReferenceSite(
        tmp_path / "site.db", tmp_path / "site.log", extra_args=["--token-env", TOKEN_VAR]
    )
    site.start()
    try:
        yield site
    finally:
        site.stop()


def write_definition(path: Path, url: str) -> Path:
    path.write_text(
        f'name = "secret-reference"\nkind = "reference"\nbase_url = "{url}"\n'
        f'token_env = "{TOKEN_VAR}"\n',
        encoding="utf-8",
    )
    return path


def anp_run(definition: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            ANP,
            "run",
            "--target",
            str(definition),
            "--scenario",
            "import:3,invalid:1,read:1",
            "--users",
            "2",
            "--run-time",
            "3s",
            "--no-progress",
            "--out",
            str(out),
            "--run-id",
            "secret",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_the_token_appears_in_no_result_log_or_output(
    protected_site: LocalReferenceSite, tmp_path: Path, token: str
) -> None:
    definition = write_definition(tmp_path / "target.toml", protected_site.url)
    out = tmp_path / "runs"
    done = anp_run(definition, out, dict(os.environ, **{TOKEN_VAR: token}))
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = out / "secret"
    record = json.loads((run_dir / "run.json").read_text())
    # the token was really used: posts landed on a site that refuses requests without it
    v = record["verification"]
    assert v["performed"] and v["landed"] == v["acknowledged"] > 0
    assert record["totals"]["successes"] > 0
    assert "http_401" not in record["errors"]
    files = sorted(p for p in run_dir.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert {"run.json", "measurements.json", "locust.log", "locust.html", "locust_stats.csv"} <= (
        names
    )
    for path in [*files, protected_site.log]:
        data = path.read_bytes()
        assert token.encode() not in data, f"the token is in {path}"
    assert token not in done.stdout
    assert token not in done.stderr


def test_without_the_token_the_run_fails_and_still_leaks_nothing(
    protected_site: LocalReferenceSite, tmp_path: Path, token: str
) -> None:
    """The site really checks the token (the test above is not vacuous), and a wrong token in
    the wrapper's environment is not echoed either."""
    definition = write_definition(tmp_path / "target.toml", protected_site.url)
    wrong = "wrong-" + secrets.token_hex(16)
    out = tmp_path / "runs"
    done = anp_run(definition, out, dict(os.environ, **{TOKEN_VAR: wrong}))
    # /health is public, so the load runs; every request is refused and nothing can be read back
    assert done.returncode == 3, done.stdout + done.stderr
    record = json.loads((out / "secret" / "run.json").read_text())
    assert record["totals"]["successes"] == 0
    assert record["errors"].get("http_401", 0) == record["totals"]["requests"] > 0
    for text in (done.stdout, done.stderr):
        assert wrong not in text and token not in text
    for path in [*(p for p in out.rglob("*") if p.is_file()), protected_site.log]:
        data = path.read_bytes()
        assert wrong.encode() not in data and token.encode() not in data, path
