"""Fixtures for the real WordPress (brought up by ``targets/wordpress/up.sh``) and the real
reference site (started here as a subprocess). Test modules import what they use from here.

WordPress tests read the credentials from the environment (ANP_WP_URL, ANP_WP_USER,
ANP_WP_APP_PASSWORD) or from ``$ANP_WP_ROOT/credentials.env`` (default /tmp/anp-wp). When
WordPress is not up they skip, unless ANP_REQUIRE_REAL_TARGETS=1, when they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from targets import Request, Sender, Timeouts, WordPressTarget, send
from targets.definitions import read_env_file

REPO = Path(__file__).resolve().parents[2]
ANP = Path(sys.executable).with_name("anp")


def real_targets_required() -> bool:
    return os.environ.get("ANP_REQUIRE_REAL_TARGETS") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail when real targets are required."""
    if real_targets_required():
        pytest.fail(f"ANP_REQUIRE_REAL_TARGETS=1 but {reason}")
    pytest.skip(reason)


def wordpress_credentials() -> dict[str, str] | None:
    keys = ("ANP_WP_URL", "ANP_WP_USER", "ANP_WP_APP_PASSWORD")
    if all(os.environ.get(k) for k in keys):
        return {k: os.environ[k] for k in keys}
    root = Path(os.environ.get("ANP_WP_ROOT") or "/tmp/anp-wp")
    file = root / "credentials.env"
    if not file.is_file():
        return None
    values = read_env_file(file)
    return {k: values[k] for k in keys} if all(values.get(k) for k in keys) else None


@pytest.fixture(scope="module")
def wordpress() -> Iterator[WordPressTarget]:
    """A WordPressTarget for the running WordPress (checked to answer with the plugin)."""
    creds = wordpress_credentials()
    if creds is None:
        unavailable("WordPress is not up (run targets/wordpress/up.sh)")
        raise AssertionError("unreachable")
    target = WordPressTarget(
        "test-wordpress",
        creds["ANP_WP_URL"],
        user=creds["ANP_WP_USER"],
        app_password=creds["ANP_WP_APP_PASSWORD"],
    )
    with Sender(target.base_url) as sender:
        answer = sender.send(target.release_request())
    if answer.status != 200:
        unavailable(
            f"WordPress at {target.base_url} does not answer the anp plugin route "
            f"(status {answer.status}, {answer.error}); run targets/wordpress/up.sh"
        )
    yield target


@pytest.fixture()
def wp_sender(wordpress: WordPressTarget) -> Iterator[Sender]:
    with Sender(wordpress.base_url) as sender:
        yield sender


class ReferenceSite:
    """A reference site subprocess on a free loopback port."""

    def __init__(self, db: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        if not ANP.exists():
            pytest.fail(f"{ANP} not found: install the project into the venv")
        self.log = db.with_suffix(".log")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(ANP), "target", "serve", "reference", "--port", "0", "--db", str(db), *extra],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env={**os.environ, **(env or {})},
            )
        self.url = self._wait_for_url()

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 30
        text = ""
        while time.monotonic() < deadline and self.process.poll() is None:
            text = self.log.read_text(errors="replace")
            match = re.search(r"serving on (http://127\.0\.0\.1:\d+)", text)
            if match and self._healthy(match.group(1)):
                return match.group(1)
            time.sleep(0.05)
        self.stop()
        pytest.fail(
            "the reference site did not start: " + self.log.read_text(errors="replace")[-2000:]
        )

    @staticmethod
    def _healthy(url: str) -> bool:
        answer = send(url, Request("GET", "/health", "GET /health"), Timeouts(1, 2))
        return answer.status == 200

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def reference_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceSite]:
    """The real reference site (SQLite in a temporary folder), stopped after the module."""
    site = ReferenceSite(tmp_path_factory.mktemp("refsite") / "reference.db")
    try:
        yield site
    finally:
        site.stop()
