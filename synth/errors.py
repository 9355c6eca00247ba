"""Errors raised by synth for bad user input. ``exit_code`` 2 marks a user mistake for the CLI."""

from __future__ import annotations


class SynthError(ValueError):
    """Base class: bad input to the synthesizer (a seed, a range, a format, a size, a kind)."""

    exit_code = 2
    retry_advice = False
    """True when the message itself says whether retrying helps; ``anp`` then adds no note of its
    own (otherwise it adds that retrying with the same input fails again)."""


class SeedError(SynthError):
    """A seed is not an integer in 0..2**63-1."""


class SeedRangeError(SynthError):
    """A seed range expression such as ``0-99999`` or ``1,3,10-20`` is malformed."""


class ParseError(SynthError):
    """Page text that does not follow the anp format. The message names the line."""
