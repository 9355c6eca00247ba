"""Build hook: the optional C post builder ``synth._native`` (everything else is in pyproject.toml).

The extension is ``optional``: without a C compiler or Python headers, ``pip install`` still
succeeds and ``synth`` uses its pure-Python builder, which writes the same bytes. The sha256 of
``synth/_native.c`` is compiled in, so ``synth.native`` can refuse a module built from an older
source (a stale in-place build) and fall back to Python instead of running old code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "synth/_native.c"
DIGEST = hashlib.sha256((Path(__file__).resolve().parent / SOURCE).read_bytes()).hexdigest()

setup(
    ext_modules=[
        Extension(
            "synth._native",
            sources=[SOURCE],
            define_macros=[("ANP_SOURCE_SHA256", f'"{DIGEST}"')],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
