"""The ``alphanode post meta`` box of the page text: render and parse, driven by one table.

Each field of :class:`synth.model.Meta` has a shape:

- ``scalar``: the label runs straight into the value (``topicreducing build time / python services``);
  ``int`` is the same with a canonical decimal integer;
- ``items``: the label on its own line, then one ``  • item`` line per item;
- ``keyed``: the label, then ``  • key: value`` lines, one per field of the sub-model (booleans as
  1/0; an optional field whose value is None is left out);
- ``records``: the label, then per record one ``    • key: value`` line per field.

Labels are the field names with underscores replaced by spaces.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from synth.model import AiOutline, Entity, Flags, ImageSource, Meta, Payload, Revision, Score
from synth.text_lines import BULLET, RECORD_BULLET, Lines, fail

Shape = Literal["scalar", "int", "items", "keyed", "records"]

META_FIELDS: tuple[tuple[str, Shape, type[BaseModel] | None], ...] = (
    ("topic", "scalar", None),
    ("summary", "scalar", None),
    ("ai_outline", "keyed", AiOutline),
    ("ai_brief", "scalar", None),
    ("stack", "items", None),
    ("tools", "items", None),
    ("code_language", "scalar", None),
    ("difficulty", "scalar", None),
    ("reading_time", "int", None),
    ("view_count", "int", None),
    ("score", "keyed", Score),
    ("revision", "keyed", Revision),
    ("reference", "scalar", None),
    ("hash", "scalar", None),
    ("flags", "keyed", Flags),
    ("checklist", "items", None),
    ("entities", "records", Entity),
    ("image_sources", "records", ImageSource),
    ("payload", "keyed", Payload),
    ("notes", "items", None),
)
"""Every Meta field in page order, with its shape and, for keyed/records, its sub-model."""

_INT = re.compile(r"-?(0|[1-9][0-9]*)")


def label(name: str) -> str:
    """The page label of a field name: ``code_language`` -> ``code language``."""
    return name.replace("_", " ")


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _render_fields(model: BaseModel, bullet: str) -> list[str]:
    out = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is not None:
            out.append(f"{bullet}{label(name)}: {_value_text(value)}")
    return out


def render_meta(meta: Meta) -> str:
    """The meta box's lines (between ``alphanode post meta`` and the blank line before
    ``Similar Posts``), joined with newlines."""
    out: list[str] = []
    for name, shape, _model in META_FIELDS:
        value = getattr(meta, name)
        if shape in ("scalar", "int"):
            out.append(f"{label(name)}{value}")
            continue
        out.append(label(name))
        if shape == "items":
            out.extend(BULLET + item for item in value)
        elif shape == "keyed":
            out.extend(_render_fields(value, BULLET))
        else:
            for record in value:
                out.extend(_render_fields(record, RECORD_BULLET))
    return "\n".join(out)


# --- parsing -----------------------------------------------------------------------------------


def _convert(lines: Lines, index: int, text: str, kind: Any, what: str) -> object:
    if kind is bool:
        if text not in ("0", "1"):
            fail(lines, index, f"{what} as 1 or 0")
        return text == "1"
    if kind is int:
        if not _INT.fullmatch(text):
            fail(lines, index, f"{what} as a decimal integer")
        return int(text)
    return text


def _parse_fields(lines: Lines, model: type[BaseModel], bullet: str, where: str) -> BaseModel:
    values: dict[str, object] = {}
    for name, info in model.model_fields.items():
        prefix = f"{bullet}{label(name)}: "
        line = lines.peek()
        optional = not info.is_required()
        if line is None or not line.startswith(prefix):
            if optional:
                continue
            fail(lines, lines.pos, f"{prefix.strip()!r} line of {where!r}")
        lines.pos += 1
        kind = info.annotation
        if optional:
            kind = str
        values[name] = _convert(
            lines, lines.pos - 1, line[len(prefix) :], kind, f"{where} {label(name)}"
        )
    return model(**values)


def parse_meta(lines: Lines) -> Meta:
    """Read the meta box lines starting at ``lines.pos``; stop before the blank line after it."""
    values: dict[str, object] = {}
    for name, shape, model in META_FIELDS:
        text = label(name)
        line = lines.peek()
        if shape in ("scalar", "int"):
            if line is None or not line.startswith(text):
                fail(lines, lines.pos, f"the meta line {text!r} followed by its value")
            lines.pos += 1
            kind = int if shape == "int" else str
            values[name] = _convert(lines, lines.pos - 1, line[len(text) :], kind, text)
            continue
        if line != text:
            fail(lines, lines.pos, f"the meta label line {text!r}")
        lines.pos += 1
        if shape == "items":
            items = []
            while (line := lines.peek()) is not None and line.startswith(BULLET):
                items.append(line[len(BULLET) :])
                lines.pos += 1
            values[name] = items
        elif shape == "keyed":
            assert model is not None
            values[name] = _parse_fields(lines, model, BULLET, text)
        else:
            assert model is not None
            first = f"{RECORD_BULLET}{label(next(iter(model.model_fields)))}: "
            records = []
            while (line := lines.peek()) is not None and line.startswith(first):
                records.append(_parse_fields(lines, model, RECORD_BULLET, text))
            values[name] = records
    return Meta(**values)  # type: ignore[arg-type]
