"""Pass/fail checks: pure evaluation of a ``CheckSpec`` against what a run measured.

Checks come from two places: the target definition's ``[checks]`` table (validated by
``targets.definitions``) and command-line options. ``merge_checks`` combines them, options winning field by field. ``evaluate_checks``
turns the merged spec into one ``results.CheckResult`` per declared threshold; an undeclared
threshold (None) is not checked at all.

Every comparison is inclusive: a run passes ``max_p95_ms = 200`` with a p95 of exactly 200 ms.
A check that cannot be evaluated (latency checks without any answered request, or the
missing/corrupted checks when verification was skipped or failed) fails: a declared check never
passes silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from loadtests.measurements import CheckSpec
from results import CheckResult, Percentiles, Totals, Verification

CHECK_FIELDS: tuple[str, ...] = tuple(CheckSpec.model_fields)
"""The declarable checks, in the order they are reported."""


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


def _latency(name: str, limit: float, overall: Percentiles | None, attr: str) -> CheckResult:
    if overall is None or overall.count == 0:
        return CheckResult(
            name=name,
            threshold=limit,
            observed=None,
            passed=False,
            detail="no request got an answer, so there is no latency to check",
        )
    observed = float(getattr(overall, attr))
    passed = observed <= limit
    return CheckResult(
        name=name,
        threshold=limit,
        observed=observed,
        passed=passed,
        detail=f"{attr[:-3]} {observed:g} ms {'<=' if passed else '>'} {limit:g} ms",
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
    overall: Percentiles | None,
    verification: Verification,
) -> list[CheckResult]:
    """One CheckResult per declared threshold, in ``CHECK_FIELDS`` order.

    ``overall`` holds the latency percentiles of every answered request of the run (all
    endpoints merged); ``totals`` the counts and the post-warm-up throughput.
    """
    results: list[CheckResult] = []
    if spec.max_error_ratio is not None:
        limit = spec.max_error_ratio
        if totals.requests == 0:
            results.append(
                CheckResult(
                    name="max_error_ratio",
                    threshold=limit,
                    observed=None,
                    passed=False,
                    detail="no request was sent",
                )
            )
        else:
            ratio = totals.error_ratio
            ok = ratio <= limit
            results.append(
                CheckResult(
                    name="max_error_ratio",
                    threshold=limit,
                    observed=ratio,
                    passed=ok,
                    detail=f"{totals.failures:,} failed of {totals.requests:,} requests "
                    f"({ratio:.4%}) {'<=' if ok else '>'} {limit:.4%}",
                )
            )
    if spec.max_p50_ms is not None:
        results.append(_latency("max_p50_ms", spec.max_p50_ms, overall, "p50_ms"))
    if spec.max_p95_ms is not None:
        results.append(_latency("max_p95_ms", spec.max_p95_ms, overall, "p95_ms"))
    if spec.max_p99_ms is not None:
        results.append(_latency("max_p99_ms", spec.max_p99_ms, overall, "p99_ms"))
    if spec.min_throughput is not None:
        limit = spec.min_throughput
        ok = totals.throughput_rps >= limit
        results.append(
            CheckResult(
                name="min_throughput",
                threshold=limit,
                observed=totals.throughput_rps,
                passed=ok,
                detail=f"{totals.throughput_rps:,.2f} successful requests/s "
                f"{'>=' if ok else '<'} {limit:,g}",
            )
        )
    if spec.max_missing is not None:
        results.append(_verified("max_missing", spec.max_missing, verification, "missing"))
    if spec.max_corrupted is not None:
        results.append(_verified("max_corrupted", spec.max_corrupted, verification, "corrupted"))
    return results


def all_passed(results: Sequence[CheckResult]) -> bool | None:
    """True when every check passed, False when one failed, None when none was declared."""
    if not results:
        return None
    return all(r.passed for r in results)
