"""The `anp` command line: a thin root that each package extends with its own subcommands."""

from anp.cli import main

__all__ = ["main"]
