"""loadtests: Locust scenarios, seed allocation, load shapes, recording, verification, checks.

Only the contracts are imported eagerly. The other names load on first use, so that ``anp post``
(whose CLI registers ``anp run``) does not pay for hdrh, gevent or httpx at start-up, and nothing
here imports Locust (which monkey-patches the process).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from loadtests.measurements import CheckSpec, Measurements

if TYPE_CHECKING:
    from loadtests.finalize import finalize
    from loadtests.open_loop import Pacer
    from loadtests.options import SHAPES, OptionError, RunOptions, read_options
    from loadtests.recorder import Merged, Recorder
    from loadtests.reverify import reverify
    from loadtests.seeding import SeedAllocator, SeedQueue
    from loadtests.verify import verify_posts

_LAZY = {
    "Merged": "loadtests.recorder",
    "OptionError": "loadtests.options",
    "Pacer": "loadtests.open_loop",
    "Recorder": "loadtests.recorder",
    "RunOptions": "loadtests.options",
    "SHAPES": "loadtests.options",
    "SeedAllocator": "loadtests.seeding",
    "SeedQueue": "loadtests.seeding",
    "finalize": "loadtests.finalize",
    "read_options": "loadtests.options",
    "reverify": "loadtests.reverify",
    "verify_posts": "loadtests.verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'loadtests' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "SHAPES",
    "CheckSpec",
    "Measurements",
    "Merged",
    "OptionError",
    "Pacer",
    "Recorder",
    "RunOptions",
    "SeedAllocator",
    "SeedQueue",
    "finalize",
    "read_options",
    "reverify",
    "verify_posts",
]
