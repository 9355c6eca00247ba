"""The invalid scenario's ``changed_content`` kind against a real reference site, counted by the
site itself (``posts_conflict``: its 409s; ``GET /posts/{reference}``: its reads).

With ``--processes 2 --users 4 --scenario import:1,invalid:1`` Locust puts both invalid users on
one worker and both import users on the other, so the invalid node never has an acknowledged
post of its own. It used to send no ``changed_content`` at all (0 HTTP 409 of ~5,300 invalid
requests in the audit; 0 of 4,475 here before the fix); it now finds a post of the run's seeds
stored on the site by reading it back, and changes that one."""

from __future__ import annotations

import re

import pytest
from lt_support import count, endpoint, processes, run_locust

from loadtests.invalid_bodies import FIND_SUFFIX

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COUNTS = re.compile(r"invalid: changed_content sent (\d+), replaced by the next kind (\d+)")
FIND_NAME = "GET /posts/{reference}" + FIND_SUFFIX
INVALID_NAME = "POST /import/posts [invalid]"


def node_counts(log: str) -> list[tuple[int, int]]:
    """(sent, replaced) of ``changed_content`` turns, one pair per node that sent invalid posts."""
    return [(int(a), int(b)) for a, b in COUNTS.findall(log)]


def test_changed_content_is_sent_by_a_worker_without_import_users(start_site, tmp_path):
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        *("-u", "4", "-r", "4", "-t", "6s"),
        *processes(2),
        *("--scenario", "import:1,invalid:1"),
    )
    assert run.returncode == 0, run.log
    stats = site.stats()
    m = run.measurements()
    assert "no acknowledged post on this node; changed_content, read and reimport use" in (
        run.log
    ), "Locust did not put the invalid users on a node of their own: the test misses its case"
    # the node's reads to find a stored post: the site's only GET /posts reads (verification
    # uses POST /posts/lookup), counted in the invalid scenario
    find = endpoint(m, "invalid", FIND_NAME)
    assert find["failures"] == 0
    assert 1 <= find["requests"] == stats["requests"]["GET /posts/{reference}"]["total"]
    invalid = endpoint(m, "invalid", INVALID_NAME)
    conflicts = stats["posts_conflict"]
    nodes = node_counts(run.log)
    assert len(nodes) == 1, run.log[-3000:]  # only the worker with the invalid users counts
    sent, replaced = nodes[0]
    # every changed_content the site answered was counted sent; at most one request per invalid
    # user was cut off in flight at the stop (Locust kills users at --run-time)
    assert 0 < sent - 2 <= conflicts <= sent
    turns = sent + replaced
    assert abs(turns - invalid["requests"] / 13) <= 2  # every 13th invalid request is its turn
    assert replaced < sent / 4  # replaced only until the first read found a post
    assert m["seeds"]["acknowledged"] and count(m["seeds"]["acknowledged"]) == stats["posts"]


def test_one_process_finds_nothing_and_every_turn_is_sent(start_site, tmp_path):
    """With import users on the node its own acks serve; no read is sent."""
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        *("-u", "2", "-r", "2", "-t", "4s"),
        *("--scenario", "import:1,invalid:1"),
    )
    assert run.returncode == 0, run.log
    stats = site.stats()
    assert "GET /posts/{reference}" not in stats["requests"]
    [(sent, replaced)] = node_counts(run.log)
    assert 0 < sent - 1 <= stats["posts_conflict"] <= sent
    assert replaced < sent / 4  # only the turns before the node's first acknowledgement


def test_an_invalid_only_run_sends_only_invalid_posts_and_counts_the_turns(start_site, tmp_path):
    """An invalid-only run: no import in the mix, so nothing of this run is stored and the node
    looks for nothing (no read: the run sends only invalid posts, which Locust's counts and
    the site's import counter then agree on); every changed_content turn is replaced by the
    next kind and counted."""
    site = start_site()
    run = run_locust(
        site.url,
        tmp_path / "run",
        *("-u", "1", "-r", "1", "-t", "4s"),
        *("--scenario", "invalid"),
    )
    assert run.returncode == 0, run.log
    stats = site.stats()
    assert stats["posts_conflict"] == 0 and stats["posts"] == 0
    [(sent, replaced)] = node_counts(run.log)
    assert sent == 0 and replaced > 0
    m = run.measurements()
    invalid = endpoint(m, "invalid", INVALID_NAME)
    assert abs(replaced - invalid["requests"] / 13) <= 1
    assert "GET /posts/{reference}" not in stats["requests"]
    assert [e["name"] for e in m["endpoints"]] == [INVALID_NAME]
