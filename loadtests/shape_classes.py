"""The shapes of ``loadtests.shapes`` as Locust ``LoadTestShape`` classes (``--shape NAME``)."""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.shapes import SHAPES, ShapeLogic


def shape_class(name: str) -> type[LoadTestShape]:
    """A concrete ``LoadTestShape`` for ``name`` (one of ``loadtests.shapes.SHAPES``)."""
    logic: type[ShapeLogic] = SHAPES[name]

    class AnpShape(logic, LoadTestShape):  # type: ignore[valid-type,misc]
        abstract = False
        use_common_options = True

    AnpShape.__doc__ = logic.__doc__
    AnpShape.__qualname__ = AnpShape.__name__ = f"Anp{logic.__name__}"
    return AnpShape
