"""results: run records, storage, comparison across releases, history, reports.

The record model, storage and errors import eagerly (pydantic only). The statistics, history and
report names load on first use (PEP 562), so importing ``results`` (as loadtests and the ``anp``
CLI do) does not pull in scipy or ruptures.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from results.comparable import COMPARED_SETTINGS, check_comparable
from results.errors import NotComparableError, RecordError, ResultsError
from results.record import (
    ERROR_KINDS_DOC,
    NO_ANSWER_KINDS,
    SCHEMA_VERSION,
    CheckResult,
    EndpointStats,
    Environment,
    HdrHistogram,
    Incomplete,
    LoadSettings,
    OpenLoop,
    Percentiles,
    RunRecord,
    SeedSummary,
    TargetInfo,
    Timing,
    Totals,
    Verification,
)
from results.store import (
    RUN_FILE,
    StoredRun,
    dump_record,
    list_runs,
    load_record,
    load_records,
    parse_record,
    write_record,
)

if TYPE_CHECKING:
    from results.compare import (
        DEFAULT_MIN_EFFECT,
        RECOMMENDED_RUNS,
        CompareSettings,
        Comparison,
        MetricResult,
        compare_runs,
    )
    from results.error_rates import DEFAULT_ERROR_MIN_EFFECT, ErrorKindRow
    from results.history import ChangePoint, History, Trend, build_history
    from results.metrics import PRIMARY_METRICS, MetricSpec, RunMetrics, reduce_run
    from results.report_html import comparison_html, history_html
    from results.report_md import comparison_markdown, history_markdown

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "DEFAULT_MIN_EFFECT",
            "RECOMMENDED_RUNS",
            "CompareSettings",
            "Comparison",
            "MetricResult",
            "compare_runs",
        ),
        "results.compare",
    ),
    **dict.fromkeys(("DEFAULT_ERROR_MIN_EFFECT", "ErrorKindRow"), "results.error_rates"),
    **dict.fromkeys(("ChangePoint", "History", "Trend", "build_history"), "results.history"),
    **dict.fromkeys(
        ("PRIMARY_METRICS", "MetricSpec", "RunMetrics", "reduce_run"), "results.metrics"
    ),
    **dict.fromkeys(("comparison_html", "history_html"), "results.report_html"),
    **dict.fromkeys(("comparison_markdown", "history_markdown"), "results.report_md"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'results' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "COMPARED_SETTINGS",
    "DEFAULT_ERROR_MIN_EFFECT",
    "DEFAULT_MIN_EFFECT",
    "ERROR_KINDS_DOC",
    "NO_ANSWER_KINDS",
    "PRIMARY_METRICS",
    "RECOMMENDED_RUNS",
    "RUN_FILE",
    "SCHEMA_VERSION",
    "ChangePoint",
    "CheckResult",
    "CompareSettings",
    "Comparison",
    "EndpointStats",
    "Environment",
    "ErrorKindRow",
    "HdrHistogram",
    "History",
    "Incomplete",
    "LoadSettings",
    "MetricResult",
    "MetricSpec",
    "NotComparableError",
    "OpenLoop",
    "Percentiles",
    "RecordError",
    "ResultsError",
    "RunMetrics",
    "RunRecord",
    "SeedSummary",
    "StoredRun",
    "TargetInfo",
    "Timing",
    "Totals",
    "Trend",
    "Verification",
    "build_history",
    "check_comparable",
    "compare_runs",
    "comparison_html",
    "comparison_markdown",
    "dump_record",
    "history_html",
    "history_markdown",
    "list_runs",
    "load_record",
    "load_records",
    "parse_record",
    "reduce_run",
    "write_record",
]
