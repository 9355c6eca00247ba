"""synth.parallel.ordered_map: order, thread/process split, argument checks; and which corpus
work runs on threads (synth.corpus.threads_for)."""

from __future__ import annotations

import os
import threading

import pytest

from synth import native
from synth.corpus import GIL_LIGHT_THREADS, threads_for
from synth.parallel import ordered_map


def _square_where(n: int) -> tuple[int, int, int]:
    return n * n, os.getpid(), threading.get_ident()


@pytest.mark.parametrize(("workers", "threads"), [(1, 1), (2, 1), (2, 2), (3, 2), (3, 3)])
def test_results_come_back_in_task_order(workers: int, threads: int) -> None:
    results = list(ordered_map(_square_where, range(200), workers, threads=threads))
    assert [square for square, _, _ in results] == [n * n for n in range(200)]


def test_thread_workers_run_in_the_calling_process() -> None:
    results = list(ordered_map(_square_where, range(200), 2, threads=2))
    assert {pid for _, pid, _ in results} == {os.getpid()}


@pytest.mark.parametrize("threads", [0, 3])
def test_threads_must_fit_in_workers(threads: int) -> None:
    with pytest.raises(ValueError, match=f"threads must be in 1..workers=2, got {threads}"):
        list(ordered_map(_square_where, range(3), 2, threads=threads))


@pytest.mark.parametrize(
    ("fmt", "compress", "workers", "expected"),
    [
        ("jsonl", True, 1, 1),
        ("jsonl", True, 2, 2),
        ("jsonl", True, 8, GIL_LIGHT_THREADS),
        ("jsonl", False, 2, 1),  # no zlib: the work holds the GIL
        ("text", True, 2, 1),  # the model and the text renderer hold the GIL
    ],
)
def test_threads_only_for_work_mostly_outside_the_gil(
    monkeypatch: pytest.MonkeyPatch, fmt: str, compress: bool, workers: int, expected: int
) -> None:
    monkeypatch.setattr(native, "ACTIVE", "native")
    assert threads_for(fmt, compress, workers) == expected


def test_the_pure_python_builder_uses_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "ACTIVE", "python")
    assert threads_for("jsonl", True, 2) == 1
