"""loadtests package."""

__all__: list[str] = []
