"""The anp load test, runnable with plain Locust:

    locust -f loadtests/locustfile.py --headless -u 50 -r 10 -t 2m \\
        --target targets/local-reference.toml --seeds 0-999999

Scenarios (``--scenario import:3,invalid:1``), load model, shape, seeds and checks are options
(``python loadtests/locustfile.py --help`` lists them); they also appear in the web
UI and reach workers. At the end the run folder (``--anp-out``, default
``results/runs/<run-id>``) holds ``measurements.json``, ``run.json`` and Locust's CSV/HTML, and
Locust's exit code is the checks' verdict (0 pass, 1 a check failed, 3 harness/target failure).

Importing this file is cheap: it defines classes and attaches event handlers, nothing more.
"""

from __future__ import annotations

import logging
import os
import sys

# Locust puts this file's folder first on sys.path; the project root must be importable too.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(1, _ROOT)

from locust import events  # noqa: E402

from loadtests import hooks, open_loop  # noqa: E402
from loadtests.shape_classes import shape_class  # noqa: E402
from loadtests.shapes import SHAPES  # noqa: E402
from loadtests.users import (  # noqa: E402
    BatchUser,
    ImportUser,
    InvalidUser,
    ReadUser,
    ReimportUser,
)

hooks.install(events)
open_loop.install(events)  # a shaped open model needs -t on every node

# httpx logs every request at INFO (the health probe, each verification lookup: 85 lines for
# 41k posts); the harness reports what matters itself, so only its warnings and errors show.
logging.getLogger("httpx").setLevel(logging.WARNING)


def _shape_from_argv(argv: list[str]) -> str:
    """``--shape NAME`` (or ``LOCUST_SHAPE``): Locust picks shape classes up at import time,
    before options are parsed, so the choice is read from the command line here."""
    name = os.environ.get("LOCUST_SHAPE", "steady")
    for i, arg in enumerate(argv):
        if arg == "--shape" and i + 1 < len(argv):
            name = argv[i + 1]
        elif arg.startswith("--shape="):
            name = arg.split("=", 1)[1]
    return name


_SHAPE = _shape_from_argv(sys.argv)
if _SHAPE != "steady" and _SHAPE in SHAPES:
    AnpShape = shape_class(_SHAPE)


__all__ = ["BatchUser", "ImportUser", "InvalidUser", "ReadUser", "ReimportUser"]


if __name__ == "__main__":
    # Locust prints --help before it imports a locustfile, so it cannot list these options;
    # `python loadtests/locustfile.py --help` does.
    import argparse

    from loadtests.options import register

    _parser = argparse.ArgumentParser(
        prog="locust -f loadtests/locustfile.py",
        description="The anp load test. Locust's own options (-u, -r, -t, --headless, "
        "--processes, ...) apply as usual; these are the harness's.",
    )
    register(_parser)
    _parser.parse_args()
    _parser.print_help()
