"""targets package."""

__all__: list[str] = []
