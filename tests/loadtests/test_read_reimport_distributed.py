"""The ``read`` and ``reimport`` scenarios on a worker without import users, against a real
reference site that counts its own reads and stored posts.

With ``--processes 2 --users 4`` and a mix of import and read (or reimport), Locust puts both
import users on one worker and the others on the other, which never sees an acknowledgement of its
own: the audit measured 0 reads of 8,245 requests. Such a node now reads back posts of the run's
first seeds until it finds up to ``FIND_WINDOW`` stored, and reads (or re-imports) those."""

from __future__ import annotations

import pytest
from lt_support import count, endpoint, processes, run_locust

from loadtests.invalid_bodies import FIND_SUFFIX

pytestmark = [pytest.mark.integration, pytest.mark.slow]

READ_NAME = "GET /posts/{reference}"
SEPARATE_NODE = "no acknowledged post on this node; changed_content, read and reimport use"


def test_read_users_on_a_worker_without_import_users_read_stored_posts(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        *("-u", "4", "-r", "4", "-t", "6s"),
        *processes(2),
        *("--scenario", "import:1,read:1"),
    )
    assert run.returncode == 0, run.log
    assert SEPARATE_NODE in run.log, "Locust did not put the read users on a node of their own"
    stats = site.stats()
    m = run.measurements()
    read = endpoint(m, "read", READ_NAME)
    find = endpoint(m, "read", READ_NAME + FIND_SUFFIX)
    assert read["requests"] > 100 and read["failures"] == 0  # every post read is stored
    assert 1 <= find["requests"] <= 16  # at most one find read per 0.5 s of the 6 s run
    # the site's own count of GET /posts: both kinds of read, nothing else sends them
    assert stats["requests"][READ_NAME]["total"] == read["requests"] + find["requests"]
    assert count(m["seeds"]["acknowledged"]) == stats["posts"]


def test_reimport_users_on_a_worker_without_import_users_reimport_stored_posts(
    start_site, tmp_path
):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        *("-u", "4", "-r", "4", "-t", "6s"),
        *processes(2),
        *("--scenario", "import:1,reimport:1"),
    )
    assert run.returncode == 0, run.log
    assert SEPARATE_NODE in run.log, "Locust did not put the reimport users on a node of their own"
    stats = site.stats()
    m = run.measurements()
    reimport = endpoint(m, "reimport", "POST /import/posts")
    assert reimport["requests"] > 100 and reimport["failures"] == 0
    assert endpoint(m, "reimport", READ_NAME + FIND_SUFFIX)["requests"] >= 1
    # the site stored each acknowledged post once: the re-imports added none
    assert count(m["seeds"]["acknowledged"]) == stats["posts"]
    record = run.record()
    assert record["verification"]["duplicates"] == 0 and record["verification"]["missing"] == 0
