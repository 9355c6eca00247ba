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
        ("processes", 2, "2"),
        ("run_time_s", 30.0, "30.0"),
        ("seeds", "0-999", "1000 ('0-999')"),
    ],
)
def test_differing_load_settings_are_refused(field: str, value: object, shown: str) -> None:
    base = [make_record(f"a{i}", seed=i) for i in range(2)]
    odd = make_record("odd", seed=9)
    odd = odd.model_copy(update={"load": odd.load.model_copy(update={field: value})})
    with pytest.raises(NotComparableError) as info:
        check_comparable(base, [make_record("b0", seed=5), odd])
    message = str(info.value)
    assert f"'{field}'" in message and " is " in message
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
        update={"load": b.load.model_copy(update={"spawn_rate": 2.0, "timeout_s": 3.0})}
    )
    check_comparable([a], [b])
    assert {
        "users",
        "arrival_rate",
        "scenarios",
        "size",
        "load_model",
        "batch_size",
        "processes",
        "run_time_s",
        "seeds",
    } <= set(COMPARED_SETTINGS)


def _with_seeds(run_id: str, seeds: str):
    record = make_record(run_id, seed=1)
    return record.model_copy(update={"load": record.load.model_copy(update={"seeds": seeds})})


def test_identical_runs_and_disjoint_seed_ranges_of_one_size_stay_comparable() -> None:
    same = [_with_seeds(f"a{i}", "0-999999") for i in range(5)]
    check_comparable(same, [_with_seeds(f"b{i}", "0-999999") for i in range(5)])
    disjoint = [_with_seeds(f"c{i}", f"{i * 1000}-{i * 1000 + 999}") for i in range(5)]
    check_comparable(disjoint[:3], [*disjoint[3:], _with_seeds("d", "1,3,10-1007")])
    with pytest.raises(NotComparableError, match=r"'seeds' \(the number of seeds offered\)"):
        check_comparable(disjoint, [_with_seeds("e", "0-1000")])


def test_unparsable_seeds_are_compared_as_text() -> None:
    check_comparable([_with_seeds("a", "weird")], [_with_seeds("b", "weird")])
    with pytest.raises(NotComparableError, match="'weird' in baseline run 'a' but 1000000"):
        check_comparable([_with_seeds("a", "weird")], [_with_seeds("b", "0-999999")])


def test_history_wording_has_no_baseline() -> None:
    a = make_record("r1", seed=1)
    b = make_record("r2", seed=2, users=50)
    with pytest.raises(NotComparableError) as info:
        check_comparable([a, b], purpose="history")
    message = str(info.value)
    assert "baseline" not in message and "candidate" not in message
    assert message == (
        "cannot put runs with different load settings in one history: 'users' is 10 in run "
        "'r1' but 50 in run 'r2'; give anp history only runs made with the same load settings"
    )
