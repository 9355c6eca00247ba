"""Pure logic of the reference site: knobs, settings, title rules, error fields, counters."""

from __future__ import annotations

import math
import time

import pytest
from pydantic import ValidationError

import synth
import targets.reference as reference
from targets.reference.errors import ApiError, from_validation_error
from targets.reference.knobs import FailureInjector, Slowdown, slowdown_extra, spin
from targets.reference.postgres_store import _redact
from targets.reference.settings import ReferenceSettings, SettingsError, is_loopback
from targets.reference.stats import Stats
from targets.reference.validation import check_title, parse_post


def test_public_names_import() -> None:
    assert reference.__all__ == sorted(reference.__all__)
    for name in reference.__all__:
        assert getattr(reference, name) is not None


@pytest.mark.parametrize(
    ("rate", "n", "expected"),
    [
        (0.25, 12, [4, 8, 12]),
        (0.2, 10, [5, 10]),
        (0.5, 6, [2, 4, 6]),
        (1.0, 3, [1, 2, 3]),
        (0.0, 50, []),
        (0.4, 10, [3, 5, 8, 10]),
    ],
)
def test_failure_injector_picks_the_documented_requests(
    rate: float, n: int, expected: list[int]
) -> None:
    injector = FailureInjector(rate)
    assert [i for i in range(1, n + 1) if injector.next_fails()] == expected
    assert injector.injected == len(expected)
    assert injector.seen == n


@pytest.mark.parametrize("rate", [0.01, 0.07, 0.1, 0.29, 0.333, 0.5, 0.99])
@pytest.mark.parametrize("n", [1, 99, 100, 1000, 12345])
def test_failure_injector_fails_exactly_floor_n_times_rate(rate: float, n: int) -> None:
    injector = FailureInjector(rate)
    fails = sum(injector.next_fails() for _ in range(n))
    # exact decimal arithmetic: 0.29 * 100 is 29, although 0.29 * 100 in floats is 28.999...
    from fractions import Fraction

    assert fails == math.floor(n * Fraction(str(rate)))


def test_slowdown_extra_makes_requests_take_one_over_one_minus_f() -> None:
    assert slowdown_extra(0.009, 0.1) == pytest.approx(0.001)
    assert slowdown_extra(0.01, 0.5) == pytest.approx(0.01)
    assert slowdown_extra(0.01, 0.0) == 0.0
    for t, f in [(0.002, 0.1), (0.05, 0.25), (1.0, 0.9)]:
        assert (t + slowdown_extra(t, f)) * (1 - f) == pytest.approx(t)


def test_spin_burns_at_least_the_cpu_time_asked() -> None:
    t0 = time.process_time()
    spin(0.02)
    assert time.process_time() - t0 >= 0.02


def test_slowdown_burns_f_over_one_minus_f_of_the_cpu_used_since_last_time() -> None:
    slowdown = Slowdown(0.5)
    spin(0.03)  # 30 ms of "work"
    slowdown.apply()
    assert slowdown.spun >= 0.03  # F/(1-F) = 1: at least as much again
    before = slowdown.spun
    slowdown.apply()  # no work since: (almost) nothing more
    assert slowdown.spun - before < 0.03


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"fail_rate": -0.1}, "fail_rate=-0.1"),
        ({"fail_rate": math.nan}, "fail_rate=nan"),
        ({"slowdown": 1.0}, "slowdown=1.0"),
        ({"latency_ms": math.inf}, "latency_ms=inf"),
        ({"release": "1.4 beta"}, "release='1.4 beta'"),
        ({"max_body_bytes": 10}, "max_body_bytes=10"),
        ({"max_batch": 0}, "max_batch=0"),
        ({"database_url": "sqlite:///x"}, "database_url='sqlite:///x'"),
        ({"token": ""}, "token"),
    ],
)
def test_settings_refuse_impossible_values(changes: dict[str, object], needle: str) -> None:
    with pytest.raises(SettingsError) as info:
        ReferenceSettings(**changes).check()  # type: ignore[arg-type]
    assert needle in str(info.value)
    assert "expected" in str(info.value)
    assert info.value.exit_code == 2


def test_default_settings_are_valid() -> None:
    assert ReferenceSettings().check().release == "1.4.0"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "title", ["plain title", "don't stop: it's fine", "100% & more", "naïve café", "a-b c_d (e)"]
)
def test_good_titles(title: str) -> None:
    check_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "",
        " ",
        "a\nb",
        "a\x00b",
        "zero\u200bwidth",
        "<i>x</i>",
        "a;b",
        "a -- b",
        "x' or 1=1",
        'x" AND y',
        "DROP TABLE posts",
        "1 or 1=1",
    ],
)
def test_bad_titles(title: str) -> None:
    with pytest.raises(ApiError) as info:
        check_title(title)
    assert info.value.status == 422
    assert info.value.field == "title"


def test_validation_error_names_the_dotted_field_without_union_tags() -> None:
    data = synth.canonical_json(synth.synthesize(9)).replace(
        b'"kind":"paragraph","text":"', b'"kind":"paragraph","text":7,"x":"', 1
    )
    with pytest.raises(ValidationError) as info:
        synth.Post.model_validate_json(data)
    error = from_validation_error(info.value)
    assert error.field is not None
    assert ".paragraph." not in error.field
    assert error.status == 422 and error.retry_safe is False


def test_parse_post_accepts_a_synthesized_post_and_returns_canonical_bytes() -> None:
    post = synth.synthesize(10)
    valid = parse_post(synth.canonical_json(post))
    assert (valid.reference, valid.hash, valid.seed, valid.title) == (
        post.meta.reference,
        post.meta.hash,
        10,
        post.title,
    )
    assert valid.body == synth.canonical_json(post)


def test_stats_snapshot_is_sorted_and_totals_match() -> None:
    stats = Stats()
    for route, status in [("POST /b", 201), ("GET /a", 200), ("POST /b", 503), ("POST /b", 201)]:
        stats.record(route, status)
    snap = stats.snapshot()
    assert list(snap["requests"]) == ["GET /a", "POST /b"]
    assert snap["requests"]["POST /b"] == {"total": 3, "by_status": {"201": 2, "503": 1}}


def test_database_password_is_redacted_in_the_startup_line() -> None:
    assert (
        _redact("postgresql://u:secret@127.0.0.1:5432/db") == "postgresql://u:***@127.0.0.1:5432/db"
    )
    assert _redact("postgresql://u@h/db") == "postgresql://u@h/db"
