"""Determinism: golden digests, the random streams, and identical bytes across processes,
PYTHONHASHSEED values and (when available) other Python versions."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from synth import GENERATOR_VERSION, canonical_json, synthesize
from synth.rng import GOLDEN, MASK64, Stream, mix64, name_key, seed_key

GOLDEN_DIR = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[2]


def _make_golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN_DIR / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRIFT = (
    "synthesized bytes changed for {n} recorded case(s), e.g. {example}. If this change is "
    "intended, bump GENERATOR_VERSION in synth/version.py and run "
    "tests/synth/golden/make_golden.py to record digests-<new version>.json; otherwise the "
    "generator (or a vocabulary table) changed by accident."
)


def test_golden_digests_match() -> None:
    golden = _make_golden()
    path = golden.golden_path()
    assert path.exists(), (
        f"no golden digests for GENERATOR_VERSION {GENERATOR_VERSION}: run "
        "tests/synth/golden/make_golden.py after bumping the version on purpose"
    )
    recorded = json.loads(path.read_text())
    assert recorded["generator_version"] == GENERATOR_VERSION
    assert len(recorded["posts"]) >= 250
    for key in ("0", "679", str(2**63 - 1)):
        assert key in recorded["posts"]
    current = golden.compute()
    for section in ("posts", "sized", "invalid"):
        drift = [k for k, v in recorded[section].items() if current[section].get(k) != v]
        assert not drift, DRIFT.format(n=len(drift), example=f"{section}[{drift[0]!r}]")
        assert set(current[section]) == set(recorded[section])


def test_splitmix64_matches_the_reference_vectors() -> None:
    # splitmix64 seeded with 0: the published first outputs.
    state = 0
    outputs = []
    for _ in range(3):
        state = (state + GOLDEN) & MASK64
        outputs.append(mix64(state))
    assert outputs == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_name_key_and_streams_are_stable() -> None:
    expected = int.from_bytes(hashlib.blake2b(b"title", digest_size=8).digest(), "big")
    assert name_key("title") == expected
    key = seed_key("1.0.0", 679)
    one = Stream(key, "title")
    two = Stream(key, "title")
    assert [one.next() for _ in range(5)] == [two.next() for _ in range(5)]
    other = Stream(key, "meta")
    assert Stream(key, "title").next() != other.next()
    assert all(0 <= Stream(key, "x").below(7) < 7 for _ in range(3))


def _digest_script(extra: str = "") -> str:
    return (
        "import hashlib, sys\n"
        f"{extra}"
        "from synth import canonical_json, synthesize, synthesize_json, synthesize_invalid\n"
        "h = hashlib.sha256()\n"
        "for seed in [*range(300), 679, 2**40 + 3, 2**63 - 1]:\n"
        "    h.update(canonical_json(synthesize(seed)))\n"
        "    h.update(synthesize_json(seed, size='l'))\n"
        "h.update(synthesize_invalid(5, 'changed_content').body)\n"
        "print(h.hexdigest())\n"
    )


def _in_process_digest() -> str:
    from synth import synthesize_invalid, synthesize_json

    h = hashlib.sha256()
    for seed in [*range(300), 679, 2**40 + 3, 2**63 - 1]:
        h.update(canonical_json(synthesize(seed)))
        h.update(synthesize_json(seed, size="l"))
    h.update(synthesize_invalid(5, "changed_content").body)
    return h.hexdigest()


def _run(python: str, hashseed: str, timeout: float = 120) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    result = subprocess.run(
        [python, "-c", _digest_script()],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_same_bytes_under_any_pythonhashseed() -> None:
    expected = _in_process_digest()
    digests = {seed: _run(sys.executable, seed) for seed in ("0", "1", "12345", "random")}
    assert set(digests.values()) == {expected}, digests


OTHER_VERSIONS = [("3.12", "ANP_PY312_SITE"), ("3.13", "ANP_PY313_SITE")]
"""Other interpreter versions, and the env var that may name a directory holding pydantic and
orjson built for that version (e.g. ``python3.12 -m pip install --target DIR pydantic==X
orjson==Y``) when the interpreter's own site-packages lacks them."""


def _candidates(version: str) -> list[str]:
    """Interpreters that may be Python ``version``: on PATH, then pyenv's and uv's folders."""
    found: list[str] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(on_path)
    roots = [Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"]
    roots.append(Path.home() / ".local" / "share" / "uv" / "python")
    for root in roots:
        if not root.is_dir():
            continue
        dirs = [d for d in root.iterdir() if d.name.split("-")[-1].startswith(f"{version}.")]
        dirs += [d for d in root.iterdir() if d.name.startswith(f"cpython-{version}.")]
        for folder in sorted(set(dirs), reverse=True):
            for name in (f"python{version}", "python3", "python"):
                exe = folder / "bin" / name
                if exe.is_file():
                    found.append(str(exe))
                    break
    return list(dict.fromkeys(found))


def find_python(version: str) -> str | None:
    """The first candidate that really runs Python ``version`` (a pyenv shim for a version that
    is not enabled fails, so each one is asked)."""
    for exe in _candidates(version):
        try:
            probe = subprocess.run(
                [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return exe
    return None


def _pins() -> str:
    from importlib.metadata import version

    return f"pydantic=={version('pydantic')} orjson=={version('orjson')}"


@pytest.mark.parametrize(("version", "site_var"), OTHER_VERSIONS)
def test_same_bytes_on_other_python_versions(version: str, site_var: str) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(
            f"no Python {version} found (python{version} on PATH, pyenv or uv folders); "
            "CI installs only 3.11, so cross-version determinism is checked only on machines "
            "that have other versions"
        )
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get(site_var, "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "random"}
    probe = subprocess.run(
        [python, "-c", "import pydantic, orjson"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(
            f"Python {version} at {python} cannot import pydantic and orjson (CI has only 3.11); "
            f"install them for it, e.g. {python} -m pip install --target DIR {_pins()}, and "
            f"set {site_var}=DIR"
        )
    result = subprocess.run(
        [python, "-c", _digest_script()],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == _in_process_digest()
