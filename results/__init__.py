"""results package."""

__all__: list[str] = []
