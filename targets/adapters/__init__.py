"""Target adapters: ``reference``, ``wordpress`` and ``http``, and the registry that builds one
from a definition file."""
