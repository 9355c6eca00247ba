"""The specimen page round-trips byte for byte.

The repo keeps a byte-exact copy of ``shared/specimens/anp-post-000679.txt`` next to this file, so
that the tests run from a fresh clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth import CodeBlock, Figure, Post, parse_text, render_text

SPECIMEN = Path(__file__).resolve().parent / "specimens" / "anp-post-000679.txt"
SHARED_SPECIMEN = Path(__file__).resolve().parents[3] / "shared" / "specimens" / SPECIMEN.name


@pytest.fixture(scope="module")
def specimen_bytes() -> bytes:
    if not SPECIMEN.is_file():
        pytest.fail(f"specimen not found at {SPECIMEN}")
    return SPECIMEN.read_bytes()


@pytest.fixture(scope="module")
def specimen(specimen_bytes: bytes) -> Post:
    return parse_text(specimen_bytes.decode("utf-8"))


@pytest.mark.skipif(not SHARED_SPECIMEN.is_file(), reason="no shared/ checkout next to the repo")
def test_repo_copy_equals_the_shared_specimen(specimen_bytes: bytes) -> None:
    assert SHARED_SPECIMEN.read_bytes() == specimen_bytes


def test_specimen_renders_back_to_identical_bytes(specimen_bytes: bytes, specimen: Post) -> None:
    assert render_text(specimen).encode("utf-8") == specimen_bytes


def test_specimen_model_round_trips(specimen: Post) -> None:
    assert parse_text(render_text(specimen)) == specimen


def test_specimen_structure(specimen: Post) -> None:
    assert specimen.breadcrumb == "| |"
    assert specimen.title == "how to handle reducing build time in python services"
    assert [type(b) for b in specimen.lead] == [Figure, Figure]
    assert [s.heading for s in specimen.sections] == [
        "production checks",
        "the practical approach",
        "implementation checklist",
    ]
    kinds = [[b.kind for b in s.blocks] for s in specimen.sections]
    assert kinds == [
        ["paragraph"] * 4 + ["code"],
        ["paragraph"] * 2,
        ["list", "figure", "figure", "figure"],
    ]
    assert specimen.final_notes.startswith("the best result is not only")
    assert specimen.similar_posts == []


def test_specimen_code_block_keeps_its_blank_line_and_gets_the_meta_language(
    specimen: Post,
) -> None:
    code = specimen.sections[0].blocks[-1]
    assert isinstance(code, CodeBlock)
    assert code.language == "python" == specimen.meta.code_language
    assert code.code.startswith("from fastapi import FastAPI\napp = FastAPI()\n\n@app.get")
    assert code.code.endswith("    return {'ok': True}")


def test_specimen_figures_take_urls_from_image_sources_in_order(specimen: Post) -> None:
    figures = [b for b in specimen.lead if isinstance(b, Figure)] + [
        b for s in specimen.sections for b in s.blocks if isinstance(b, Figure)
    ]
    assert [f.url for f in figures] == [s.url for s in specimen.meta.image_sources]
    assert figures[-1].source == "loremflickr.com"
    assert figures[-1].url == "https://loremflickr.com/1200/630/code,developer?lock=683"


def test_specimen_meta_box(specimen: Post) -> None:
    meta = specimen.meta
    assert meta.topic == "reducing build time / python services"
    assert meta.reading_time == 10 and meta.view_count == 343486
    assert meta.score.clarity == 96
    assert meta.revision.last_reviewed == "2026-07-02"
    assert meta.flags.has_images and meta.flags.image_heavy and not meta.flags.needs_human_review
    assert [e.type for e in meta.entities] == ["stack", "area", "problem"]
    assert meta.payload.seed == 679 and meta.payload.source_id == "alphanode-000679"
    assert meta.payload.generator_version is None
    assert len(meta.notes) == 3
