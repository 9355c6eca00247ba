"""results: run records, storage, comparison across releases, history, reports."""

from results.record import (
    ERROR_KINDS_DOC,
    SCHEMA_VERSION,
    CheckResult,
    EndpointStats,
    Environment,
    HdrHistogram,
    LoadSettings,
    Percentiles,
    RunRecord,
    SeedSummary,
    TargetInfo,
    Timing,
    Totals,
    Verification,
)

__all__ = [
    "ERROR_KINDS_DOC",
    "SCHEMA_VERSION",
    "CheckResult",
    "EndpointStats",
    "Environment",
    "HdrHistogram",
    "LoadSettings",
    "Percentiles",
    "RunRecord",
    "SeedSummary",
    "TargetInfo",
    "Timing",
    "Totals",
    "Verification",
]
