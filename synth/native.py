"""Loads the C post builder (``synth._native``) and hands it the tables, once, at import.

The C module implements ``synth.build.build_json_py`` step for step and holds no vocabulary:
every table it reads is prepared here from ``synth.tables`` and ``synth.fast_tables`` (the single
source of truth), as bytes and small ints. ``synth.build`` then picks the builder:

- ``ACTIVE == "native"``: ``build`` is ``synth._native.build`` (same bytes, about 20x faster);
- ``ACTIVE == "python"``: the extension is missing (no compiler when installing), failed to
  initialise (``REASON`` says why), or ``ANP_SYNTH_PURE=1`` is set in the environment.

The bytes are the same either way: tests compare the two builders over tens of thousands of
seeds and every size, and both must match the golden digests.

``build_block(seeds, size)`` (None when not available; ``BLOCK_REASON`` says why) builds many
posts with the GIL released, so a thread can build while the others run
(``loadtests.prebuild.ThreadBuilder``). hashlib needs the GIL, so for those posts the C module
calls ``SHA256`` of the OpenSSL libcrypto hashlib itself is built on (already loaded by
``import hashlib``; found here with ``ctypes`` and checked against ``hashlib.sha256`` first).
No libcrypto (a Python whose hashlib has its own sha256): ``build_block`` is None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable, Iterable
from hashlib import sha256
from importlib import import_module
from pathlib import Path
from typing import Any

from synth import fast_tables as ft
from synth import tables as t
from synth.data import images, topics
from synth.invariants import IMAGE_HEAVY_FIGURES, REVIEW_QUALITY_BELOW, WORDS_PER_MINUTE

__all__ = [
    "ACTIVE",
    "BLOCK_REASON",
    "PURE_ENV",
    "REASON",
    "BlockBuilder",
    "build",
    "build_block",
    "build_ref",
    "native_tables",
    "reference",
]

PURE_ENV = "ANP_SYNTH_PURE"
"""Set to ``1`` to force the pure-Python builder (the C module is then not even imported)."""


def _b(texts: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(text.encode() for text in texts)


def _same_for_every_stack(flags: Iterable[tuple[bool, ...]]) -> bytes:
    distinct = set(flags)
    if len(distinct) != 1:
        raise ValueError("template flags differ between stacks")
    return bytes(distinct.pop())


def native_tables() -> dict[str, Any]:
    """The tables ``synth._native.init`` takes: bytes, tuples of bytes and ints, flattened."""
    stacks = ft.STACK_TEXTS
    n_bank = len(t.BANK)
    sizes = tuple(t.PROFILES)
    return {
        "version_key": t.VERSION_KEY,
        "f_tails": t.F_TAILS,
        "f_topic": t.F_TOPIC,
        "f_reference": t.F_REFERENCE,
        "lanes": ft.BATCH,  # the C module reads the lanes in this order
        "stack_names": _b(t.STACK_NAMES),
        "stack_entities": _b(t.ENTITIES_JSON),
        "stack_meta": _b(ft.STACK_META),
        "code_languages": _b(stack.code_language for stack in t.STACKS),
        "problems": _b(t.PROBLEMS),
        "problem_entities": _b(t.PROBLEM_ENTITY_JSON),
        "problem_spaces": bytes(ft.PROBLEM_SPACES),
        "scenarios": _b(t.SCENARIOS),
        "people": _b(t.PEOPLE),
        "organizations": _b(t.ORGANIZATIONS),
        "n_bank": n_bank,
        "n_titles": len(t.TITLES),
        "n_intros": len(topics.INTRO_TEMPLATES),
        "n_finals": len(topics.FINAL_TEMPLATES),
        "n_summaries": len(topics.SUMMARY_TEMPLATES),
        "opens": _b(text for st in stacks for text in st.opens),
        "open_words": b"".join(st.open_words[:n_bank] for st in stacks),
        "closes": _b(text for st in stacks for text in st.closes),
        "close_words": b"".join(st.close_words[:64] for st in stacks),
        "titles": _b(part for st in stacks for title in st.titles for part in title[:3]),
        "title_scenario": _same_for_every_stack(
            tuple(title[3] for title in st.titles) for st in stacks
        ),
        "intros": _b(part for st in stacks for intro in st.intros for part in intro),
        "finals": _b(part for st in stacks for final in st.finals for part in final[:2]),
        "final_problem": _same_for_every_stack(
            tuple(final[2] for final in st.finals) for st in stacks
        ),
        "summaries": _b(part for st in stacks for summary in st.summaries for part in summary),
        "code_blocks": _b(block for blocks in t.CODE_BLOCKS for block in blocks),
        "code_counts": bytes(len(blocks) for blocks in t.CODE_BLOCKS),
        "open_problems": ft.OPEN_PROBLEMS,
        "close_problems": ft.CLOSE_PROBLEMS,
        "close_owners": ft.CLOSE_OWNERS,
        "close_companies": ft.CLOSE_COMPANIES,
        "close_marked": ft.CLOSE_MARKED,
        "caption_kinds": _b(images.CAPTION_KINDS),
        "unsplash_figure": _b(ft.UNSPLASH_FIGURE),
        "unsplash_source": _b(ft.UNSPLASH_SOURCE),
        "loremflickr_urls": _b(ft.LOREMFLICKR_URLS),
        "loremflickr_source": images.LOREMFLICKR_SOURCE.encode(),
        "heading_open": _b(ft.HEADING_OPEN),
        "headings": _b(t.HEADINGS),
        "items": _b(t.ITEMS),
        "checklist_open": ft.CHECKLIST_OPEN.encode(),
        "focus": _b(topics.SUMMARY_FOCUS),
        "n_briefs": len(topics.BRIEF_TEMPLATES),
        "n_actions": len(topics.ACTIONS),
        "brief_actions": _b(ft.BRIEF_ACTIONS),
        "ai_style": bytes(t.AI_STYLE),
        "common_pairs": _b(ft.COMMON_PAIRS),
        "difficulties": _b(topics.DIFFICULTIES),
        "revisions": _b(ft.REVISIONS),
        "review_dates": _b(t.REVIEW_DATES),
        "notes": _b(t.NOTES_JSON),
        "n_statuses": len(topics.STATUSES),
        "draft": ft.DRAFT,
        "image_heavy": IMAGE_HEAVY_FIGURES,
        "review_below": REVIEW_QUALITY_BELOW,
        "words_per_minute": WORDS_PER_MINUTE,
        "breadcrumb": ft.BREADCRUMB.encode(),
        "payload_generator": t.PAYLOAD_GENERATOR.encode(),
        "payload_version": t.PAYLOAD_VERSION.encode(),
        "profiles": tuple(t.PROFILES[size] for size in sizes),
        "size_index": {size: i for i, size in enumerate(sizes)},
        "natural": bytes(sizes.index(size) for size in t.NATURAL),
        "sha256": sha256,
    }


Builder = Callable[[int, "str | None"], bytes]


BlockBuilder = Callable[[list[int], "str | None"], list[tuple[bytes, str]]]
SHA256_CHECKS = (b"", b"abc", bytes(range(256)) * 40)
"""Inputs on which libcrypto's SHA256 must give hashlib's digest before ``build_block`` uses it."""


def _libcrypto_paths() -> list[str]:
    """Where the libcrypto hashlib uses may be: the one mapped into this process (Linux), then
    the one the loader finds by name."""
    paths: list[str] = []
    try:
        import _hashlib  # noqa: F401  (loads libcrypto when hashlib is built on OpenSSL)

        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").partition("/")[2]
                if os.path.basename(path).startswith("libcrypto.so") and "/" + path not in paths:
                    paths.append("/" + path)
    except (ImportError, OSError):
        pass
    found = ctypes.util.find_library("crypto")
    if found:
        paths.append(found)
    return paths


def _sha256_address() -> tuple[int | None, str]:
    """(address of libcrypto's SHA256 checked against hashlib, or None and why not)."""
    for path in _libcrypto_paths():
        try:
            fn = ctypes.CDLL(path).SHA256
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_void_p
        fn.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p)
        for data in SHA256_CHECKS:
            md = ctypes.create_string_buffer(32)
            fn(data, len(data), md)
            if md.raw != sha256(data).digest():
                return None, f"SHA256 of {path} differs from hashlib.sha256"
        address = ctypes.cast(fn, ctypes.c_void_p).value
        if address:
            return address, ""
    return None, "no libcrypto with SHA256 found (hashlib is not built on OpenSSL here)"


def _load_block(module: Any) -> tuple[BlockBuilder | None, str]:
    """(build_block, reason): the C block builder, or None and why not."""
    if module is None:
        return None, REASON
    if not hasattr(module, "build_block"):
        return None, "synth._native has no build_block"
    address, reason = _sha256_address()
    if address is None:
        return None, reason
    module.set_sha256(address)
    return module.build_block, ""


def _load() -> tuple[Any, str]:
    """(module, reason): the initialised C module, or None and why not."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return None, f"{PURE_ENV}={os.environ[PURE_ENV]} forces the pure-Python builder"
    try:
        module = import_module("synth._native")
    except ImportError as exc:
        return None, f"synth._native is not built ({exc}); reinstall with a C compiler"
    source = Path(__file__).with_name("_native.c")
    built_from = getattr(module, "SOURCE_SHA256", "")
    if built_from and source.is_file():
        current = sha256(source.read_bytes()).hexdigest()
        if current != built_from:
            return (
                None,
                (
                    f"synth._native was built from another {source.name} (sha256 {built_from[:12]}, "
                    f"now {current[:12]}): rebuild it with `pip install -e .`"
                ),
            )
    missing = [name for name in ("build", "build_ref", "reference") if not hasattr(module, name)]
    if missing:
        return None, f"synth._native lacks {', '.join(missing)}: rebuild it with `pip install -e .`"
    try:
        module.init(native_tables())
    except Exception as exc:  # a table the C module does not accept: fall back, say why
        return None, f"synth._native.init failed: {type(exc).__name__}: {exc}"
    return module, ""


_module, REASON = _load()
"""The reason the C module is not used ("" when it is)."""
build: Builder | None = None if _module is None else _module.build
"""``build(seed, size) -> bytes`` (None when not available)."""
build_ref: Callable[[int, str | None], tuple[bytes, str]] | None = (
    None if _module is None else _module.build_ref
)
"""``build_ref(seed, size) -> (bytes, reference)``: ``build`` and the post's ``meta.reference``
in one call (None when not available)."""
reference: Callable[[int], str] | None = None if _module is None else _module.reference
"""``reference(seed) -> str``: the post's ``meta.reference`` without building it (None when not
available)."""
ACTIVE = "python" if _module is None else "native"
"""The builder ``synth.build.build_json`` uses: ``"native"`` (C) or ``"python"``."""

build_block, BLOCK_REASON = _load_block(_module)
"""``build_block(seeds, size) -> [(bytes, reference)]`` built without the GIL (None when not
available), and the reason when it is not."""
