"""loadtests: Locust scenarios, seed allocation, load shapes, recording, verification, checks."""

from loadtests.measurements import CheckSpec, Measurements

__all__ = ["CheckSpec", "Measurements"]
