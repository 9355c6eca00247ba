"""A line cursor for the page-text parser, and its error helper."""

from __future__ import annotations

from typing import NoReturn

from synth.errors import ParseError

BULLET = "  • "
"""A list item at the first level: two spaces, a bullet, a space."""

RECORD_BULLET = "    • "
"""A field of a record in a list of records (entities, image sources): four spaces, a bullet."""


class Lines:
    """The text's lines (split on ``\\n``) and the index of the next one to read."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        """Every line of the text, without the newlines."""
        self.pos = 0
        """Index of the next line to read (0-based; messages use 1-based line numbers)."""

    def at_end(self) -> bool:
        return self.pos >= len(self.items)

    def peek(self) -> str | None:
        return None if self.at_end() else self.items[self.pos]

    def take(self, what: str) -> str:
        """Return the next line and advance; fail naming ``what`` when the text has ended."""
        if self.at_end():
            fail(self, self.pos, what)
        line = self.items[self.pos]
        self.pos += 1
        return line


def fail(lines: Lines, index: int, expected: str) -> NoReturn:
    """Raise ParseError for line ``index`` (0-based) naming the line and what was expected."""
    if 0 <= index < len(lines.items):
        got = f"got {lines.items[index]!r}"
    else:
        got = "got the end of the text"
    raise ParseError(f"line {index + 1}: expected {expected}, {got}")


def expect_blank(lines: Lines, where: str) -> None:
    """Consume one empty line."""
    if lines.peek() != "":
        fail(lines, lines.pos, f"a blank line {where}")
    lines.pos += 1


def expect_exact(lines: Lines, text: str) -> None:
    """Consume one line that must equal ``text``."""
    if lines.peek() != text:
        fail(lines, lines.pos, f"the line {text!r}")
    lines.pos += 1
