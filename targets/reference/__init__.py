"""The reference import site: a FastAPI service that imports anp posts (issue 3).

Start it with ``anp target serve reference``; build it in-process with ``create_app``.
"""

from targets.reference.app import create_app
from targets.reference.errors import ApiError
from targets.reference.serve import ServeError, serve
from targets.reference.settings import ReferenceSettings, SettingsError

__all__ = ["ApiError", "ReferenceSettings", "ServeError", "SettingsError", "create_app", "serve"]
