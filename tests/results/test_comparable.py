"""Refusing to compare runs whose load settings differ."""

from __future__ import annotations

import pytest
from results_factory import make_record

from results import COMPARED_SETTINGS, NotComparableError, check_comparable


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("users", 50, "50"),
        ("arrival_rate", 200.0, "200.0"),
        ("scenarios", {"import": 3, "invalid": 1}, "{'import': 3, 'invalid': 1}"),
        ("size", "xl", "'xl'"),
        ("load_model", "open", "'open'"),
        ("shape", "spike", "'spike'"),
        ("batch_size", 50, "50"),
    ],
)
def test_differing_load_settings_are_refused(field: str, value: object, shown: str) -> None:
    base = [make_record(f"a{i}", seed=i) for i in range(2)]
    odd = make_record("odd", seed=9)
    odd = odd.model_copy(update={"load": odd.load.model_copy(update={field: value})})
    with pytest.raises(NotComparableError) as info:
        check_comparable(base, [make_record("b0", seed=5), odd])
    message = str(info.value)
    assert f"'{field}' is" in message
    assert "baseline run 'a0'" in message and "candidate run 'odd'" in message
    assert shown in message
    assert info.value.exit_code == 3


def test_differences_within_a_side_are_refused_too() -> None:
    a = make_record("a0", seed=1)
    b = make_record("a1", seed=2, users=99)
    with pytest.raises(
        NotComparableError, match="'users' is 10 in baseline run 'a0' but 99 in baseline run 'a1'"
    ):
        check_comparable([a, b])


def test_settings_outside_the_list_do_not_block() -> None:
    a = make_record("a0", seed=1)
    b = make_record("b0", seed=2)
    b = b.model_copy(
        update={"load": b.load.model_copy(update={"run_time_s": 99.0, "timeout_s": 3.0})}
    )
    check_comparable([a], [b])
    assert {"users", "arrival_rate", "scenarios", "size", "load_model", "batch_size"} <= set(
        COMPARED_SETTINGS
    )
