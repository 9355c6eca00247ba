"""write_corpus / verify_corpus in-process: framing, gzip members, manifest, ordering across
worker counts, bounded in-flight chunks, atomic writes and interruption, and verify's reports.
(The CLI, PYTHONHASHSEED variations and SIGTERM are covered in test_cli.py.)"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import synth.corpus as corpus_module
from synth import (
    CorpusError,
    SeedError,
    SeedRangeError,
    canonical_json,
    parse_text,
    render_html,
    render_markdown,
    render_text,
    synthesize,
    verify_corpus,
    write_corpus,
)
from synth.corpus import chunk_size, iter_chunks
from synth.formats import iter_records
from synth.gzipmember import GzipMember, gzip_member
from synth.seeds import iter_seeds, merge_ranges, parse_seed_ranges

SEEDS = "1,3,10-20,500-830"  # several ranges, crosses a 256-seed chunk boundary
SEED_LIST = list(iter_seeds(parse_seed_ranges(SEEDS)))


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# --- chunking ----------------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 300)), min_size=1, max_size=6),
    st.integers(1, 50),
)
def test_chunks_cover_the_seeds_in_order_with_fixed_sizes(pairs: list, per_chunk: int) -> None:
    ranges = merge_ranges((a, a + n) for a, n in pairs)
    chunks = list(iter_chunks(ranges, per_chunk))
    flat = [s for chunk in chunks for a, b in chunk for s in range(a, b + 1)]
    assert flat == list(iter_seeds(ranges))
    sizes = [sum(b - a + 1 for a, b in chunk) for chunk in chunks]
    assert all(size == per_chunk for size in sizes[:-1])
    assert 1 <= sizes[-1] <= per_chunk


def test_chunk_size_depends_on_size_only() -> None:
    assert chunk_size(None) == chunk_size("m") == 256
    assert chunk_size("xl") < chunk_size("l") < chunk_size("s")


def test_gzip_member_is_deterministic_and_standard() -> None:
    data = b"hello\n" * 1000
    member = gzip_member(data)
    assert member == gzip_member(data)
    assert member[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0
    assert gzip.decompress(member) == data
    assert gzip.decompress(member + gzip_member(b"more")) == data + b"more"


_CHUNK_DATA = b"".join(canonical_json(synthesize(seed)) + b"\n" for seed in range(64))  # 420 KB


@given(st.lists(st.integers(0, len(_CHUNK_DATA)), max_size=40))
def test_a_member_fed_in_pieces_is_the_member_of_the_whole(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(_CHUNK_DATA)]
    member = GzipMember()
    for start, stop in pairwise(bounds):
        member.add(_CHUNK_DATA[start:stop])
    assert member.finish() == gzip_member(_CHUNK_DATA)


# --- writing -----------------------------------------------------------------------------------


def test_jsonl_gz_holds_canonical_json_lines_and_a_true_manifest(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl.gz"
    manifest = write_corpus(SEEDS, out, "jsonl", workers=1)
    lines = _read(out).split(b"\n")
    assert lines[-1] == b""
    assert lines[:-1] == [canonical_json(synthesize(s)) for s in SEED_LIST]
    raw = out.read_bytes()
    on_disk = json.loads((tmp_path / "c.jsonl.gz.manifest.json").read_bytes())
    assert on_disk == {
        "manifest_version": 1,
        "generator": "anp content synthesizer",
        "generator_version": synthesize(0).meta.payload.generator_version,
        "format": "jsonl",
        "compression": "gzip",
        "size": None,
        "seeds": "1,3,10-20,500-830",
        "seed_ranges": [[1, 1], [3, 3], [10, 20], [500, 830]],
        "count": len(SEED_LIST),
        "chunk_seeds": 256,
        "file": "c.jsonl.gz",
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    assert manifest.sha256 == on_disk["sha256"]
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("fmt", "render"),
    [("text", render_text), ("html", render_html), ("markdown", render_markdown)],
)
def test_document_corpora_are_separated_by_form_feed_lines(
    tmp_path: Path, fmt: str, render
) -> None:
    out = tmp_path / f"c.{fmt}"
    write_corpus("5-9,679", out, fmt)
    seeds = [5, 6, 7, 8, 9, 679]
    data = out.read_bytes()
    expected = b"".join(render(synthesize(s)).encode() + b"\n\f\n" for s in seeds)
    assert data == expected
    with out.open("rb") as stream:
        records = list(iter_records(stream, fmt))
    assert [r for _, r, _ in records] == [render(synthesize(s)).encode() for s in seeds]
    assert all(complete for _, _, complete in records)
    if fmt == "text":
        assert [parse_text(r.decode()) for _, r, _ in records] == [synthesize(s) for s in seeds]


@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_bytes_are_identical_for_any_worker_count(tmp_path: Path, fmt: str) -> None:
    digests = set()
    for workers in (1, 2, 3):
        directory = tmp_path / str(workers)
        directory.mkdir()
        out = directory / f"c.{fmt}.gz"
        write_corpus(SEEDS, out, fmt, workers=workers)
        digests.add((out.read_bytes(), (directory / f"c.{fmt}.gz.manifest.json").read_bytes()))
    assert len(digests) == 1


def test_size_option_reaches_every_post_and_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "xl.jsonl"
    manifest = write_corpus("0-20", out, workers=2, size="xl")
    assert manifest.size == "xl" and manifest.chunk_seeds == chunk_size("xl")
    assert out.read_bytes().split(b"\n")[:-1] == [
        canonical_json(synthesize(s, size="xl")) for s in range(21)
    ]


def test_in_flight_chunks_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    pulled = 0

    def counting_chunks():
        nonlocal pulled
        for chunk in iter_chunks(((0, 999),), 10):
            pulled += 1
            yield chunk

    produced = corpus_module._produce(counting_chunks(), "jsonl", None, False, 2)
    ahead = []
    for index, _ in enumerate(produced, start=1):
        ahead.append(pulled - index)
    assert len(ahead) == 100
    assert max(ahead) <= 2 * 2


def test_progress_reports_every_chunk(tmp_path: Path) -> None:
    calls = []
    write_corpus(
        "0-600", tmp_path / "c.jsonl", progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(256, 601), (512, 601), (601, 601)]


# --- atomicity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_interrupted_run_leaves_the_old_file_and_no_temp_files(
    tmp_path: Path, workers: int
) -> None:
    out = tmp_path / "c.jsonl.gz"
    out.write_bytes(b"earlier result")

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_corpus("0-2000", out, workers=workers, progress=interrupt)
    assert out.read_bytes() == b"earlier result"
    assert not (tmp_path / "c.jsonl.gz.manifest.json").exists()
    assert _leftovers(tmp_path) == []


def test_failed_run_leaves_nothing_under_the_final_name(tmp_path: Path) -> None:
    out = tmp_path / "c.txt"

    def boom(done: int, total: int) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_corpus("0-300", out, "text", progress=boom)
    assert list(tmp_path.iterdir()) == []


# --- bad arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fmt": "xml"}, "--format must be one of jsonl, text, html, markdown; got 'xml'"),
        ({"size": "huge"}, "--size must be one of s, m, l, xl; got 'huge'"),
        ({"workers": 0}, "--workers must be an integer in 1..64, got 0"),
        ({"workers": 65}, "--workers must be an integer in 1..64, got 65"),
        ({"ranges": "5-1"}, "the end (1) is below the start (5)"),
        ({"ranges": ()}, "seed ranges must not be empty"),
    ],
)
def test_bad_arguments_raise_errors_with_exit_code_2(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    args = {"ranges": "0-9", "out_path": tmp_path / "c.jsonl", "fmt": "jsonl", "workers": 1}
    args.update(kwargs)
    with pytest.raises((CorpusError, SeedRangeError)) as info:
        write_corpus(args.pop("ranges"), args.pop("out_path"), **args)
    assert message in str(info.value)
    assert info.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_missing_output_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist; create it first"):
        write_corpus("0-9", tmp_path / "nope" / "c.jsonl")


# --- verify ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("corpora")
    out = {}
    for name, fmt in [
        ("c.jsonl.gz", "jsonl"),
        ("c.txt", "text"),
        ("c.html", "html"),
        ("c.md", "markdown"),
    ]:
        write_corpus("0-40", directory / name, fmt, workers=1)
        out[fmt] = directory / name
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "text", "html", "markdown"])
def test_verify_accepts_a_clean_corpus(written: dict[str, Path], fmt: str) -> None:
    report = verify_corpus(written[fmt])
    assert report.ok and report.records == 41 and report.manifest is not None


def _copy_without_manifest(source: Path, target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


def test_verify_reports_a_changed_jsonl_record(written: dict[str, Path], tmp_path: Path) -> None:
    lines = _read(written["jsonl"]).split(b"\n")
    lines[7] = lines[7].replace(b'"view_count":', b'"view_count":1', 1)
    bad = _copy_without_manifest(written["jsonl"], tmp_path / "bad.jsonl", b"\n".join(lines))
    report = verify_corpus(bad)
    assert [(m.record, m.line, m.seed) for m in report.mismatches] == [(8, 8, 7)]
    assert "meta.view_count is 1" in report.mismatches[0].what


def test_verify_report_is_the_same_for_any_worker_count(
    written: dict[str, Path], tmp_path: Path
) -> None:
    data = written["text"].read_bytes()
    for seed in (2, 30):
        title = synthesize(seed).title.encode()
        data = data.replace(title, title + b"!", 1)
    bad = tmp_path / "c.txt"
    bad.write_bytes(data[:-5])
    manifest = json.loads((written["text"].parent / "c.txt.manifest.json").read_text())
    (tmp_path / "c.txt.manifest.json").write_text(json.dumps(manifest))
    reports = [verify_corpus(bad, workers=w) for w in (1, 2)]
    assert reports[0].mismatches == reports[1].mismatches
    assert reports[0].records == reports[1].records == 41
    assert [m.record for m in reports[0].mismatches] == [None, None, 3, 31, 41]


def test_verify_reports_a_changed_text_document(written: dict[str, Path], tmp_path: Path) -> None:
    data = written["text"].read_bytes()
    title = synthesize(3).title.encode()
    bad = _copy_without_manifest(
        written["text"], tmp_path / "bad.txt", data.replace(title, title + b"!", 1)
    )
    report = verify_corpus(bad)
    assert [(m.record, m.seed) for m in report.mismatches] == [(4, 3)]
    assert "document line 3 is" in report.mismatches[0].what


def test_verify_reports_unparseable_text_and_truncation(
    written: dict[str, Path], tmp_path: Path
) -> None:
    data = written["text"].read_bytes()
    data = data.replace(b"\nalphanode post meta\n", b"\nalphanode post data\n", 1)
    bad = _copy_without_manifest(written["text"], tmp_path / "bad.txt", data[:-10])
    report = verify_corpus(bad)
    whats = [m.what for m in report.mismatches]
    assert whats[0].startswith("page text does not parse: line ")
    assert "expected the line 'alphanode post meta'" in whats[0]
    assert whats[-1] == "truncated: the last record has no end marker"


def test_verify_checks_the_manifest(written: dict[str, Path], tmp_path: Path) -> None:
    data = written["html"].read_bytes()
    bad = tmp_path / "c.html"
    bad.write_bytes(data + b"x")
    manifest = json.loads((written["html"].parent / "c.html.manifest.json").read_text())
    manifest["count"] = 40
    (tmp_path / "c.html.manifest.json").write_text(json.dumps(manifest))
    whats = [m.what for m in verify_corpus(bad).mismatches]
    assert any(
        w.startswith(f"file has {len(data) + 1} bytes, the manifest says {len(data)}")
        for w in whats
    )
    assert any(w.startswith("sha256 ") for w in whats)
    assert "truncated: the last record has no end marker" in whats
    assert any(w.startswith("42 records, the manifest says 40") for w in whats)


def test_verify_names_a_different_generator_version(
    written: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "c.txt"
    bad.write_bytes(written["text"].read_bytes())
    manifest = json.loads((written["text"].parent / "c.txt.manifest.json").read_text())
    manifest["generator_version"] = "0.0.1"
    (tmp_path / "c.txt.manifest.json").write_text(json.dumps(manifest))
    whats = [m.what for m in verify_corpus(bad).mismatches]
    assert len(whats) == 1
    assert whats[0].startswith("the corpus was made by generator version 0.0.1, this is ")


def test_verify_reports_records_out_of_manifest_order(
    written: dict[str, Path], tmp_path: Path
) -> None:
    lines = _read(written["jsonl"]).split(b"\n")
    lines[0], lines[1] = lines[1], lines[0]
    bad = tmp_path / "c.jsonl"
    bad.write_bytes(b"\n".join(lines))
    manifest = json.loads((written["jsonl"].parent / "c.jsonl.gz.manifest.json").read_text())
    manifest.update(
        compression="none",
        bytes=len(bad.read_bytes()),
        sha256=hashlib.sha256(bad.read_bytes()).hexdigest(),
    )
    (tmp_path / "c.jsonl.manifest.json").write_text(json.dumps(manifest))
    whats = [(m.record, m.what) for m in verify_corpus(bad).mismatches]
    assert whats == [
        (1, "the manifest's seed ranges put seed 0 here"),
        (2, "the manifest's seed ranges put seed 1 here"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "does not exist or is not a file"),
        ("c.jsonl.gz", b"not gzip at all", "is not a readable gzip file"),
        ("c.bin", b"{}", "cannot tell the format"),
    ],
)
def test_verify_refuses_files_that_are_not_corpora(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CorpusError, match=message) as info:
        verify_corpus(path)
    assert info.value.exit_code == 2


def test_verify_refuses_a_broken_manifest(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    write_corpus("0-3", out)
    (tmp_path / "c.jsonl.manifest.json").write_text('{"format": "jsonl"}')
    with pytest.raises(CorpusError, match="cannot read the corpus manifest"):
        verify_corpus(out)


# --- the manifest's writer --------------------------------------------------------------------


def test_the_manifest_goes_next_to_a_regular_corpus_and_nowhere_for_a_special_file(
    tmp_path: Path,
) -> None:
    from synth.atomic import AtomicWriter
    from synth.manifest import manifest_writer

    manifest = write_corpus("0-3", tmp_path / "c.jsonl", workers=1)
    regular = AtomicWriter(tmp_path / "d.jsonl")
    special = AtomicWriter(os.devnull)
    try:
        beside = manifest_writer(manifest, regular)
        discarded = manifest_writer(manifest, special)
        assert beside.path == tmp_path / "d.jsonl.manifest.json" and not beside.direct
        assert discarded.direct and discarded.path == Path(os.devnull)
        beside.commit()
        discarded.commit()
    finally:
        regular.abort()
        special.abort()
    assert (tmp_path / "d.jsonl.manifest.json").read_bytes() == manifest.to_json()


@pytest.mark.parametrize(
    ("pairs", "error"),
    [
        ([(-3, 1)], SeedError),
        ([(0, 2**63)], SeedError),
        ([(0, 1.5)], SeedError),
        ([(5, 1)], SeedRangeError),
    ],
)
def test_parsed_pairs_are_checked_like_text(tmp_path: Path, pairs: list, error: type) -> None:
    # before, only text was checked: the pure-Python builder wrote posts for seed -3, the C one
    # raised a bare ValueError, and (5, 1) wrote an empty corpus
    with pytest.raises(error) as caught:
        write_corpus(pairs, tmp_path / "c.jsonl")
    assert caught.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(error):  # render_chunk is public too
        corpus_module.render_chunk(tuple(pairs), "jsonl", None, False)
