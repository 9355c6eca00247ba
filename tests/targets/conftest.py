"""Fixtures that run the real reference import site as a subprocess on loopback.

* ``start_reference(*args, env=None, backend="sqlite")`` starts ``anp target serve reference
  --port 0`` with a fresh SQLite file (or a fresh PostgreSQL schema), waits for the URL it prints
  and stops it by PID (SIGTERM, then SIGKILL) at teardown.
* ``pg_url``: a PostgreSQL server from ``ANP_TEST_DATABASE_URL``, else one started here with
  ``targets/postgres/up.sh`` (stopped with ``down.sh`` at the end). Skips when neither works,
  unless ``ANP_REQUIRE_REAL_TARGETS=1``, when it fails.
* ``backend`` parametrizes a test over ``sqlite`` and ``postgres``.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
UP = REPO / "targets" / "postgres" / "up.sh"
DOWN = REPO / "targets" / "postgres" / "down.sh"
START_TIMEOUT = 30.0
_URL_RE = re.compile(r"serving on (http://\S+)")


def _unavailable(reason: str) -> None:
    if os.environ.get("ANP_REQUIRE_REAL_TARGETS") == "1":
        pytest.fail(f"ANP_REQUIRE_REAL_TARGETS=1 but {reason}")
    pytest.skip(reason)


@dataclass
class RunningSite:
    """A reference site process and where its data and log go."""

    proc: subprocess.Popen[str]
    url: str
    backend: str
    log_file: Path
    stderr_file: Path
    db_path: Path | None = None
    pg_url: str | None = None
    pg_schema: str | None = None
    stdout: list[str] = field(default_factory=list)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0, **kwargs)  # type: ignore[arg-type]

    def count_rows(self, where: str = "", params: tuple[object, ...] = ()) -> int:
        """Rows in the posts table, counted directly in the database (not through the site)."""
        sql = "SELECT count(*) FROM posts" + (f" WHERE {where}" if where else "")
        return int(self.query(sql, params)[0][0])

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            assert self.db_path is not None
            lite = sqlite3.connect(self.db_path)
            try:
                return list(lite.execute(sql, params).fetchall())
            finally:
                lite.close()
        import psycopg

        assert self.pg_url is not None
        with psycopg.connect(self.pg_url) as conn:
            conn.execute(f"SET search_path TO {self.pg_schema}")
            return list(conn.execute(sql.replace("?", "%s"), params).fetchall())

    def stop(self) -> int:
        """SIGTERM by PID, wait; SIGKILL if it does not stop in 15 s. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode


def spawn(
    args: list[str], stderr_path: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``python -m anp target serve reference ARGS``: stdout piped, stderr to ``stderr_path``."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    with stderr_path.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "anp", "target", "serve", "reference", *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=full_env,
            cwd=REPO,
        )


def wait_for_url(proc: subprocess.Popen[str], lines: list[str]) -> str:
    """Read stdout until the 'serving on URL' line (bounded by START_TIMEOUT)."""
    found: list[str] = []
    done = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = _URL_RE.search(line)
            if m and not found:
                found.append(m.group(1))
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(START_TIMEOUT)
    if not found:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise AssertionError(
            f"reference site did not start: stdout={lines!r} stderr={err[-2000:]!r}"
        )
    return found[0]


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL URL (ANP_TEST_DATABASE_URL, or a cluster started with up.sh)."""
    given = os.environ.get("ANP_TEST_DATABASE_URL")
    if given:
        yield given
        return
    if os.geteuid() != 0 and not Path("/usr/lib/postgresql").is_dir():
        _unavailable("PostgreSQL is not installed and ANP_TEST_DATABASE_URL is not set")
    pg_dir = Path("/tmp") / f"anp-pg-test-{uuid.uuid4().hex[:8]}"
    try:
        out = subprocess.run(
            ["bash", str(UP), "--dir", str(pg_dir)], capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"targets/postgres/up.sh could not run: {exc}")
        raise
    match = re.search(r"^DATABASE_URL=(\S+)$", out.stdout, re.MULTILINE)
    if out.returncode != 0 or not match:
        subprocess.run(
            ["bash", str(DOWN), "--dir", str(pg_dir), "--purge"], capture_output=True, timeout=60
        )
        _unavailable(f"targets/postgres/up.sh failed ({out.returncode}): {out.stderr[-1500:]}")
        raise AssertionError("unreachable")
    try:
        yield match.group(1)
    finally:
        subprocess.run(
            ["bash", str(DOWN), "--dir", str(pg_dir), "--purge"], capture_output=True, timeout=60
        )


def _fresh_schema(url: str) -> tuple[str, str]:
    """Create an empty schema; return (schema, URL whose search_path selects it)."""
    import psycopg

    schema = f"anp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


StartSite = Callable[..., RunningSite]


@pytest.fixture
def start_reference(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[StartSite]:
    """Factory: start a reference site (fresh storage) with extra CLI args; all stopped at teardown."""
    sites: list[RunningSite] = []
    schemas: list[tuple[str, str]] = []

    def start(
        *args: str, env: dict[str, str] | None = None, backend: str = "sqlite"
    ) -> RunningSite:
        n = len(sites)
        log_file = tmp_path / f"site{n}.log"
        argv = ["--port", "0", "--log-file", str(log_file), *args]
        db_path = pg_base = schema = site_pg_url = None
        if backend == "sqlite":
            db_path = tmp_path / f"site{n}" / "reference.db"
            argv += ["--db", str(db_path)]
        else:
            pg_base = request.getfixturevalue("pg_url")
            schema, site_pg_url = _fresh_schema(pg_base)
            schemas.append((pg_base, schema))
            argv += ["--database-url", site_pg_url]
        stderr_file = tmp_path / f"site{n}.stderr"
        proc = spawn(argv, stderr_file, env)
        lines: list[str] = []
        try:
            url = wait_for_url(proc, lines)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; stderr: {stderr_file.read_text()[-2000:]}") from None
        finally:
            if proc.poll() is not None and proc.stdout is not None:
                proc.stdout.close()
        site = RunningSite(
            proc, url, backend, log_file, stderr_file, db_path, pg_base, schema, lines
        )
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.stop()
    for base, schema in schemas:
        _drop_schema(base, schema)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.integration]),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per storage backend."""
    return str(request.param)


@pytest.fixture
def site(start_reference: StartSite, backend: str) -> RunningSite:
    """A fresh reference site on the parametrized backend, default settings."""
    return start_reference(backend=backend)


@pytest.fixture(scope="module")
def module_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """One SQLite reference site shared by a module's many small requests."""
    tmp = tmp_path_factory.mktemp("reference")
    db_path, log_file, stderr_file = tmp / "reference.db", tmp / "site.log", tmp / "site.stderr"
    proc = spawn(["--port", "0", "--db", str(db_path), "--log-file", str(log_file)], stderr_file)
    lines: list[str] = []
    url = wait_for_url(proc, lines)
    site = RunningSite(proc, url, "sqlite", log_file, stderr_file, db_path, stdout=lines)
    yield site
    site.stop()
