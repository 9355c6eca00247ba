"""The node's per-test state: the adapter's bytes fast paths looked up when the target is set, and
``keep_recent`` decided once, in ``reset_for_test``, from the scenarios that run."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from loadtests.node import Node
from loadtests.options import RunOptions
from targets import ReferenceTarget


def options(scenarios: dict[str, int]) -> RunOptions:
    return RunOptions(target="t", seeds=((0, 99),), seeds_text="0-99", scenarios=scenarios)


def test_setting_the_target_looks_up_its_fast_paths() -> None:
    node = Node()
    assert (node.import_json, node.batch_json) == (None, None)
    reference = ReferenceTarget("r", "http://127.0.0.1:9")
    node.target = reference
    assert node.import_json is reference and node.batch_json is reference
    node.target = object()  # type: ignore[assignment]  # an adapter without the bytes path
    assert (node.import_json, node.batch_json) == (None, None)
    node.target = None
    assert (node.target, node.import_json, node.batch_json) == (None, None, None)


@pytest.mark.parametrize(
    ("scenarios", "keep"),
    [
        ({"import": 1}, False),
        ({"import": 1, "batch": 1}, False),
        ({"import": 3, "read": 1}, True),
        ({"import": 3, "reimport": 1}, True),
        ({"import": 4, "invalid": 1}, True),
        ({"invalid": 1}, True),
    ],
)
def test_keep_recent_follows_the_scenarios(scenarios: dict[str, int], keep: bool) -> None:
    node = Node()
    node.reset_for_test(options(scenarios), ReferenceTarget("r", "http://x"), t0=0.0)
    assert node.recorder.keep_recent is keep


def test_keep_recent_follows_user_classes_named_on_locusts_command_line() -> None:
    """``locust -f ... ReadUser ImportUser``: Locust's choice stands over ``--scenario``."""
    node = Node()
    reader = type("ReadUser", (), {"scenario": "read"})
    importer = type("ImportUser", (), {"scenario": "import"})
    node.env = SimpleNamespace(
        parsed_options=SimpleNamespace(user_classes=["ReadUser", "ImportUser"]),
        user_classes=[reader, importer],
    )
    node.reset_for_test(options({"import": 1}), ReferenceTarget("r", "http://x"), t0=0.0)
    assert node.recorder.keep_recent is True
    # not named on the command line: the classes Locust holds are not a choice (a worker holds
    # every class of the locustfile), so --scenario decides
    node.env = SimpleNamespace(
        parsed_options=SimpleNamespace(user_classes=[]), user_classes=[reader]
    )
    node.reset_for_test(options({"import": 1}), ReferenceTarget("r", "http://x"), t0=0.0)
    assert node.recorder.keep_recent is False
