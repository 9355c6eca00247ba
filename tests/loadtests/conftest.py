"""Fixtures for the load-test tests: the reference site on a free loopback port with a fresh SQLite
file, stopped by PID in teardown (helpers in ``lt_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lt_support import SiteFactory


@pytest.fixture
def start_site(tmp_path: Path) -> Iterator[SiteFactory]:
    factory = SiteFactory(tmp_path)
    yield factory
    for site in factory.started:
        site.stop()
