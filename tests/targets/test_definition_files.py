"""Reading definition files: YAML as well as TOML, and every way a file or its env_file can be
unusable refused with exit code 2 and a message naming the file (never an internal error); values
that may be secrets are never echoed; ``[http.body]`` paths are checked against the Post schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from synth import SIZES, canonical_json, synthesize
from targets import DefinitionError, load_target
from targets.definitions import load_definition
from targets.post_paths import post_path_exists

TOML = """\
kind = "wordpress"
name = "w"
base_url = "http://127.0.0.1:8080"
user_env = "ANP_WP_USER"
password_env = "ANP_WP_APP_PASSWORD"
[limits]
batch_size = 10
[checks]
max_missing = 0
"""
YAML = """\
kind: wordpress
name: w
base_url: "http://127.0.0.1:8080"
user_env: ANP_WP_USER
password_env: ANP_WP_APP_PASSWORD
limits:
  batch_size: 10
checks:
  max_missing: 0
"""


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_and_toml_give_the_same_definition(tmp_path: Path, suffix: str) -> None:
    toml = load_definition(_write(tmp_path, "t.toml", TOML))
    yaml = load_definition(_write(tmp_path, "t" + suffix, YAML))
    assert yaml == toml
    assert toml.limits.batch_size == 10


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("bad.yaml", "kind: [reference\n", "not valid YAML (at line"),
        ("list.yaml", "- kind\n- name\n", "expected a table of keys (kind, name, base_url, ...)"),
        ("plain.yml", "just words\n", "at the top level, got str"),
        ("latin1.toml", b'name = "caf\xe9"\n', "not UTF-8 text (byte 0xe9 at offset 11)"),
        ("yes.yaml", YAML.replace("batch_size: 10", "batch_size: yes"), "got true"),
        # PyYAML keeps the last of two equal keys silently; TOML refuses them, and so do we
        ("twice.yaml", YAML + "name: other\n", "(at line 10, column 1): key 'name' is given twice"),
        (
            "nested.yaml",
            YAML.replace("  max_missing: 0\n", "  max_missing: 0\n  max_missing: 5\n"),
            "key 'max_missing' is given twice",
        ),
    ],
)
def test_unusable_files_are_refused(
    tmp_path: Path, name: str, content: str | bytes, words: str
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{path}: ")
    assert words in str(caught.value)


HINT = "expected a TOML or YAML target definition such as targets/local-reference.toml"
"""The end of every message about a path that is not a readable definition file (YAML is
accepted too, so a message saying TOML only would mislead)."""


@pytest.mark.parametrize("name", ["site.toml", "site.yaml"])
def test_a_directory_is_refused(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    with pytest.raises(DefinitionError) as caught:
        load_definition(folder)
    assert str(caught.value) == f"{folder}: is a directory; {HINT}"
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("name", ["nonexist.yaml", "nonexist.toml"])
def test_a_missing_file_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(tmp_path / name)
    assert str(caught.value) == f"{tmp_path / name}: no such target definition file; {HINT}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.toml", TOML)
    path.chmod(0)
    with pytest.raises(DefinitionError, match=r"cannot read the definition \(Permission denied\)"):
        load_definition(path)


ENV_FILE_CASES = [
    (None, "env_file {file} does not exist (targets/wordpress/up.sh writes it)"),
    ("dir", "env_file {file} is not a file"),
    ("OTHER=1\n", "env_file {file} has no ANP_WP_USER= line"),
    ("ANP_WP_USER=\n", "and {file} sets it empty"),
]


@pytest.mark.parametrize(("content", "words"), ENV_FILE_CASES)
def test_env_file_states_are_named(tmp_path: Path, content: str | None, words: str) -> None:
    env_file = tmp_path / "creds.env"
    if content == "dir":
        env_file.mkdir()
    elif content is not None:
        env_file.write_text(content, encoding="utf-8")
    path = _write(tmp_path, "t.toml", f'env_file = "{env_file}"\n' + TOML)
    with pytest.raises(DefinitionError) as caught:
        load_target(path, environ={})
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert "key 'user_env': environment variable ANP_WP_USER is not set" in message
    assert words.format(file=env_file) in message


def test_an_env_file_that_is_not_text_is_a_definition_error(tmp_path: Path) -> None:
    # this was an internal error with a traceback (UnicodeDecodeError, exit 3)
    env_file = _write(tmp_path, "creds.env", b"\x9a\xff\x00binary")
    path = _write(tmp_path, "t.toml", f'env_file = "{env_file}"\n' + TOML)
    with pytest.raises(DefinitionError) as caught:
        load_target(path, environ={})
    assert caught.value.exit_code == 2
    assert f"key 'env_file': cannot read {env_file} (not UTF-8 text)" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        TOML.replace('"ANP_WP_USER"', '"sk_live-7f3a9c"'),
        TOML.replace('user_env = "ANP_WP_USER"', "user_env = 7137"),
        TOML.replace('kind = "wordpress"', 'kind = "http"')
        .replace('user_env = "ANP_WP_USER"\npassword_env = "ANP_WP_APP_PASSWORD"\n', "")
        .replace(
            "[limits]\nbatch_size = 10\n",
            '[http]\npath = "/i"\n[http.headers]\nX-Api-Key = "sk_live-7f3a9c ${BROKEN"\n',
        ),
    ],
)
def test_a_value_that_may_be_a_secret_is_never_echoed(tmp_path: Path, text: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(_write(tmp_path, "t.toml", text))
    message = str(caught.value)
    assert "7f3a9c" not in message and "7137" not in message, message
    assert "not shown: it may be a secret" in message


def _paths(document: object, prefix: str = "") -> list[str]:
    out = []
    if isinstance(document, dict):
        items = list(document.items())
    elif isinstance(document, list):
        items = [(str(i), v) for i, v in enumerate(document)]
    else:
        return out
    for key, value in items:
        out.append(prefix + key)
        out.extend(_paths(value, f"{prefix}{key}."))
    return out


def test_every_path_of_real_posts_exists_and_typos_do_not() -> None:
    seen = set()
    for seed in range(40):
        for size in (None, *SIZES):
            seen.update(_paths(json.loads(canonical_json(synthesize(seed, size=size)))))
    assert len(seen) > 500
    assert [p for p in sorted(seen) if not post_path_exists(p)] == []
    for typo in ("titel", "meta.referense", "sections.first", "title.x", "sections.0.nope", ""):
        assert not post_path_exists(typo), typo
    assert post_path_exists("sections.99.blocks.7.code")  # any index; a code block's field


@pytest.mark.parametrize("value", ["tok\n", "tok\r\nX-Evil: 1", "a\x00b", "\x7f"])
def test_a_credential_with_a_control_character_is_refused(tmp_path: Path, value: str) -> None:
    # it goes into a header: every request then failed as a bare transport_error (h11 refuses it)
    path = _write(tmp_path, "t.toml", TOML)
    with pytest.raises(DefinitionError) as caught:
        load_target(path, environ={"ANP_WP_USER": "u", "ANP_WP_APP_PASSWORD": value})
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert "key 'password_env': environment variable ANP_WP_APP_PASSWORD holds a control" in message
    assert value not in message
    tabbed = load_target(path, environ={"ANP_WP_USER": "u", "ANP_WP_APP_PASSWORD": "a\tb"})
    assert tabbed.name == "w"
