"""Errors raised by results. ``exit_code`` 3 marks input that cannot be used (bad JSON, wrong
schema version, a folder without records, runs that are not comparable); 2 a command-line
mistake (a path that does not exist, a report path that cannot be written). The CLI prints the
message alone."""

from __future__ import annotations


class ResultsError(Exception):
    """Unusable input for results: the message names what failed, the value and what was
    expected. Retrying is safe once the input is fixed; nothing is written before it is raised."""

    exit_code = 3


class RecordError(ResultsError):
    """A run record that is missing, is not JSON, or does not match a known schema version."""


class InputPathError(RecordError):
    """A path given on the command line that does not exist (or, for ``anp runs --dir``, is not a
    folder): a command-line mistake, exit code 2, as argparse gives for a bad argument."""

    exit_code = 2


class UnmeasuredRunError(RecordError):
    """A readable record with nothing to measure: no whole second after its warm-up (a run under
    a second), or no request in its latency histograms. ``anp history`` skips such a run with a
    note; ``anp compare`` refuses it (exit 3)."""


class NotComparableError(ResultsError):
    """Runs whose load settings differ, so their numbers cannot be compared."""


class OutputError(ResultsError):
    """A report path the user named cannot be written (a folder, a missing folder, no
    permission). A command-line mistake: exit code 2."""

    exit_code = 2
