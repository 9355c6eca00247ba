"""A trusted fast path for building frozen pydantic models without validation.

``synthesize`` builds every post from tables whose shape the tests prove valid (each synthesized
post is checked to equal ``Post.model_validate_json(canonical_json(post))`` over 10,000 seeds), so
it skips per-post validation, which would cost more than the whole synthesis. ``make`` does what
``BaseModel.model_construct`` does for a complete dict of fields in field order, minus the
per-field default handling, at about a third of the cost.

Only use it with a dict that has exactly the model's fields, in the model's field order, each of
the declared type. Anything else produces a model that breaks its own contract.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_slots = BaseModel.__dict__
_set_dict = object.__setattr__
_set_fields = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__


def make(cls: type[M], fields: dict[str, Any]) -> M:
    """An instance of ``cls`` whose ``__dict__`` is ``fields`` (taken, not copied)."""
    obj = _new(cls)
    _set_dict(obj, "__dict__", fields)
    _set_fields(obj, set(fields))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
