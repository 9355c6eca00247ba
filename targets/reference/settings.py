"""Settings of the reference import site, each documented where it is defined.

``ReferenceSettings.check()`` refuses impossible values with a message naming the setting, the
value given and what was expected (``SettingsError``, exit code 2 on the command line).
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RELEASE = "1.4.0"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_BATCH = 1000
_RELEASE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")


class SettingsError(ValueError):
    """A setting of the reference site has an impossible value (a user mistake)."""

    exit_code = 2


@dataclass(frozen=True)
class ReferenceSettings:
    """Everything that shapes one running reference site."""

    db_path: Path = Path("results/reference.db")
    """SQLite file (WAL mode); its parent directories are created. Ignored with ``database_url``."""
    database_url: str | None = None
    """``postgresql://...``: store posts in PostgreSQL instead of SQLite."""
    release: str = DEFAULT_RELEASE
    """Release string reported by ``GET /version`` (the harness compares runs across releases)."""
    latency_ms: float = 0.0
    """Extra latency, ``asyncio.sleep`` per import request (single or batch), in milliseconds."""
    slowdown: float = 0.0
    """Emulated throughput loss F in [0, 0.9]: before each response the site burns ``t*F/(1-F)``
    of CPU, ``t`` being the CPU time used since the previous response, so each request takes
    about ``1/(1-F)`` as long and a saturated site serves ``(1-F)`` times as many (see knobs)."""
    fail_rate: float = 0.0
    """Injected failure fraction F in [0, 1]: the n-th import request (1-based, per process) gets a
    503 iff ``floor(n*F) > floor((n-1)*F)``; it stores nothing."""
    token: str | None = None
    """Bearer token required on every endpoint except ``/health``; None disables auth. The CLI
    reads it from the environment variable named by ``--token-env``; it is never logged."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest request body for single-post imports and lookups; larger gets 413 before parsing."""
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES
    """Largest request body for ``POST /import/batch``."""
    max_batch: int = DEFAULT_MAX_BATCH
    """Most posts one ``POST /import/batch`` may carry (more is a 422)."""
    log_file: Path | None = None
    """Where the JSON access log goes (appended); None means stderr."""
    pg_pool_size: int = 8
    """Connections kept open to PostgreSQL (PostgreSQL mode only)."""

    def check(self) -> ReferenceSettings:
        """Return self when every value is possible, else raise ``SettingsError``."""
        _require(
            self.database_url is None
            or self.database_url.startswith(("postgresql://", "postgres://")),
            "database_url",
            self.database_url,
            "a URL starting with postgresql://",
        )
        _require(
            bool(_RELEASE_RE.match(self.release)),
            "release",
            self.release,
            "a version such as 1.4.0",
        )
        _require(
            math.isfinite(self.latency_ms) and 0 <= self.latency_ms <= 60_000,
            "latency_ms",
            self.latency_ms,
            "a number of milliseconds in 0..60000",
        )
        _require(
            math.isfinite(self.slowdown) and 0 <= self.slowdown <= 0.9,
            "slowdown",
            self.slowdown,
            "a fraction in 0..0.9 (0.10 means 10% less throughput)",
        )
        _require(
            math.isfinite(self.fail_rate) and 0 <= self.fail_rate <= 1,
            "fail_rate",
            self.fail_rate,
            "a fraction in 0..1",
        )
        _require(self.token is None or self.token != "", "token", "", "a non-empty token")
        _require(
            self.max_body_bytes >= 1024, "max_body_bytes", self.max_body_bytes, "at least 1024"
        )
        _require(
            self.max_batch_bytes >= 1024, "max_batch_bytes", self.max_batch_bytes, "at least 1024"
        )
        _require(
            1 <= self.max_batch <= 100_000, "max_batch", self.max_batch, "an integer in 1..100000"
        )
        _require(
            1 <= self.pg_pool_size <= 100, "pg_pool_size", self.pg_pool_size, "an integer in 1..100"
        )
        return self


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require(ok: bool, name: str, value: object, expected: str) -> None:
    if not ok:
        option = "--" + name.replace("_", "-")
        raise SettingsError(
            f"invalid {name}={value!r} (option {option}): expected {expected}; "
            "retrying with the same value will fail again"
        )
