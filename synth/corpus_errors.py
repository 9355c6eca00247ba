"""Errors of corpus files and formats (user mistakes: exit code 2)."""

from __future__ import annotations

from synth.errors import SynthError


class CorpusError(SynthError):
    """A corpus file that cannot be read as a corpus (missing, unknown format, corrupt gzip, bad
    manifest), or a bad corpus option. Retrying with the same input fails the same way."""
