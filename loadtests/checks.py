"""Pass/fail checks: pure evaluation of a ``CheckSpec`` against what a run measured.

Checks come from two places: the target definition's ``[checks]`` table (validated by
``targets.definitions``) and command-line options. ``merge_checks`` combines them, options winning field by field. ``evaluate_checks``
turns the merged spec into one ``results.CheckResult`` per declared threshold; an undeclared
threshold (None) is not checked at all.

Which requests the checks judge (``loadtests.aggregate.checked_load``): the error-ratio and
latency checks count the requests of every scenario and endpoint, merged (like k6's
``http_req_duration``), that started from second ``ceil(--warmup)`` on; ``min_throughput``
counts the successes of the same seconds. A request that failed without an HTTP answer (a
timeout, a refused or reset connection: ``results.NO_ANSWER_KINDS``) is in the latency with the
time until it failed, as Locust and k6 count it, and the latency checks' detail says how many of
the requests counted had no answer. ``max_missing`` and ``max_corrupted`` judge every
acknowledged post, warm-up included (a post lost in the warm-up is lost all the same). A
correctly rejected invalid post is a success, and its (fast) answer is in the latency.

No check declared: the run is judged by Locust's own rule, ``no_failed_requests`` (every request
of the whole run must succeed; Locust exits with ``--exit-code-on-error`` when one failed), so
``anp run`` and plain ``locust`` agree; ``locust_exit_code`` maps its failure to Locust's
``--exit-code-on-error`` for plain Locust.

Every comparison is inclusive: a run passes ``max_p95_ms = 200`` with a p95 of exactly 200 ms.
A check that cannot be evaluated fails: a declared check never passes silently. That is a
latency check when no request of the period got an HTTP answer (none finished, or every one
failed without an answer: there is no response time to judge, only how long the requests waited
before failing; observed is then None), and the missing/corrupted checks when verification was
skipped or failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from loadtests.aggregate import CheckedLoad
from loadtests.measurements import CheckSpec
from results import CheckResult, Totals, Verification

CHECK_FIELDS: tuple[str, ...] = tuple(CheckSpec.model_fields)
"""The declarable checks, in the order they are reported."""

IMPLICIT_CHECK = "no_failed_requests"
"""The check applied when none was declared: Locust's rule, no request of the run failed."""

EXIT_CHECK_FAILED = 1


def merge_checks(
    definition: BaseModel | Mapping[str, object] | None, options: CheckSpec
) -> CheckSpec:
    """The definition's checks overridden, field by field, by every option that was given.

    ``definition`` is the target definition's validated ``[checks]`` table
    (``targets.definitions.ChecksDef``), a mapping with the same keys, or None.
    """
    if definition is None:
        merged: dict[str, object] = {}
    elif isinstance(definition, BaseModel):
        merged = definition.model_dump()
    else:
        merged = dict(definition)
    for key, value in options.model_dump().items():
        if value is not None:
            merged[key] = value
    return CheckSpec.model_validate(merged)


def _period(load: CheckedLoad) -> str:
    """The requests a check counted: ``after the warm-up (from second 5)`` or ``of the run``."""
    if load.from_second:
        return f"after the warm-up (from second {load.from_second})"
    return "of the run"


def _without_answer(load: CheckedLoad) -> str:
    """How many of the counted requests had no HTTP answer: ``all answered``, ``3 of them
    without an HTTP answer ...`` or, when the record only bounds it, ``2 to 5 of them ...``."""
    fewest, most = load.no_answer_bounds
    if most == 0:
        return "all answered"
    count = f"{fewest:,}" if fewest == most else f"{fewest:,} to {most:,}"
    return f"{count} of them without an HTTP answer (in with the time until they failed)"


def _latency(name: str, limit: float, load: CheckedLoad, attr: str) -> CheckResult:
    overall = load.latency
    label = attr[:-3]
    if overall is None or overall.count == 0:
        return CheckResult(
            name=name,
            threshold=limit,
            observed=None,
            passed=False,
            detail=f"no request {_period(load)} finished, so there is no latency to check",
        )
    waited = float(getattr(overall, attr))
    fewest, most = load.no_answer_bounds
    if most >= overall.count:
        counted = f"{overall.count:,} requests {_period(load)}"
        if fewest >= overall.count:
            why = f"no request was answered: all {counted} failed without an HTTP answer"
        else:  # only with a warm-up and failures of both sorts on one endpoint
            why = (
                f"no request is known to have been answered: all {counted} failed, {fewest:,} "
                f"to {most:,} of them without an HTTP answer (the record counts error kinds "
                "over the whole run, not per second)"
            )
        return CheckResult(
            name=name,
            threshold=limit,
            observed=None,
            passed=False,
            detail=f"{why} (timeouts, refused or reset connections; their {label} until "
            f"failing was {waited:g} ms), so there is no response time to check",
        )
    passed = waited <= limit
    return CheckResult(
        name=name,
        threshold=limit,
        observed=waited,
        passed=passed,
        detail=f"{label} {waited:g} ms {'<=' if passed else '>'} {limit:g} ms, over "
        f"{overall.count:,} requests {_period(load)}, {_without_answer(load)}, all scenarios "
        f"merged ({', '.join(load.scenarios)})",
    )


def _error_ratio(limit: float, load: CheckedLoad) -> CheckResult:
    if load.requests == 0:
        return CheckResult(
            name="max_error_ratio",
            threshold=limit,
            observed=None,
            passed=False,
            detail=f"no request was sent {_period(load)}",
        )
    ratio = load.failures / load.requests
    ok = ratio <= limit
    return CheckResult(
        name="max_error_ratio",
        threshold=limit,
        observed=ratio,
        passed=ok,
        detail=f"{load.failures:,} failed of {load.requests:,} requests {_period(load)} "
        f"({ratio:.4%}) {'<=' if ok else '>'} {limit:.4%}",
    )


def _no_failed_requests(totals: Totals) -> CheckResult:
    failed = totals.failures
    return CheckResult(
        name=IMPLICIT_CHECK,
        threshold=0.0,
        observed=float(failed),
        passed=failed == 0,
        detail=f"no check declared, so Locust's rule applies: {failed:,} of {totals.requests:,} "
        "requests of the run failed, 0 allowed; declare checks (--max-error-ratio, "
        "--max-p99-ms, --max-missing ... or the target definition's checks table) to judge the "
        "run instead",
    )


def _nothing_read(v: Verification) -> bool:
    return v.acknowledged + v.landed + v.missing + v.landed_unacknowledged == 0


def _verified(name: str, limit: int | float, verification: Verification, attr: str) -> CheckResult:
    if not verification.performed or verification.error is not None:
        if verification.error is None:
            why = "verification was not performed (--no-verify)"
        elif not verification.performed or _nothing_read(verification):
            why = verification.error
            if not why.startswith("verification was not performed"):
                why = f"verification was not performed: {why}"
        else:
            why = f"verification did not complete: {verification.error}"
        return CheckResult(
            name=name, threshold=float(limit), observed=None, passed=False, detail=why
        )
    observed = getattr(verification, attr)
    passed = observed <= limit
    return CheckResult(
        name=name,
        threshold=float(limit),
        observed=float(observed),
        passed=passed,
        detail=f"{observed:,} {attr} post(s), at most {limit:,g} allowed",
    )


def evaluate_checks(
    spec: CheckSpec,
    *,
    totals: Totals,
    load: CheckedLoad,
    verification: Verification,
) -> list[CheckResult]:
    """One CheckResult per declared threshold, in ``CHECK_FIELDS`` order; with none declared,
    the single ``no_failed_requests`` check (Locust's rule, over the whole run).

    ``load`` holds the requests the error-ratio and latency checks judge (after the warm-up,
    every endpoint merged: ``loadtests.aggregate.checked_load``); ``totals`` the whole run's
    counts and the post-warm-up throughput.
    """
    if all(value is None for value in spec.model_dump().values()):
        return [_no_failed_requests(totals)]
    results: list[CheckResult] = []
    if spec.max_error_ratio is not None:
        results.append(_error_ratio(spec.max_error_ratio, load))
    if spec.max_p50_ms is not None:
        results.append(_latency("max_p50_ms", spec.max_p50_ms, load, "p50_ms"))
    if spec.max_p95_ms is not None:
        results.append(_latency("max_p95_ms", spec.max_p95_ms, load, "p95_ms"))
    if spec.max_p99_ms is not None:
        results.append(_latency("max_p99_ms", spec.max_p99_ms, load, "p99_ms"))
    if spec.min_throughput is not None:
        limit = spec.min_throughput
        ok = totals.throughput_rps >= limit
        results.append(
            CheckResult(
                name="min_throughput",
                threshold=limit,
                observed=totals.throughput_rps,
                passed=ok,
                detail=f"{totals.throughput_rps:,.2f} successful requests/s {_period(load)} "
                f"{'>=' if ok else '<'} {limit:,g}",
            )
        )
    if spec.max_missing is not None:
        results.append(_verified("max_missing", spec.max_missing, verification, "missing"))
    if spec.max_corrupted is not None:
        results.append(_verified("max_corrupted", spec.max_corrupted, verification, "corrupted"))
    return results


def all_passed(results: Sequence[CheckResult]) -> bool | None:
    """True when every check passed, False when one failed, None when there is none (a record
    written before ``no_failed_requests`` stood in for undeclared checks)."""
    if not results:
        return None
    return all(r.passed for r in results)


def locust_exit_code(code: int, results: Sequence[CheckResult], parsed_options: Any) -> int:
    """Plain Locust's process exit code for the harness's ``code``: when the only check is
    ``no_failed_requests`` (none was declared) and it failed, Locust's own
    ``--exit-code-on-error`` (default 1) decides, as it would without the harness."""
    if code == EXIT_CHECK_FAILED and results and all(r.name == IMPLICIT_CHECK for r in results):
        return int(getattr(parsed_options, "exit_code_on_error", EXIT_CHECK_FAILED))
    return code
