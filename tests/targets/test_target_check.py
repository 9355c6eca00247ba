"""``anp target check FILE``: the resolved target without secrets, then health and release.

Exit codes: 0 the site answers, 2 a wrong definition, 3 unreachable or credentials refused.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from anp.cli import main

StartSite = Callable[..., Any]
"""The ``start_reference`` fixture of tests/targets/conftest.py (not imported: ``conftest`` is
ambiguous when several test folders run in one session)."""

ANP = str(Path(sys.executable).with_name("anp"))
REPO = Path(__file__).resolve().parents[2]
VAR = "ANP_CHECK_TEST_TOKEN"


def check(file: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return target_check(str(file), env=env)


def target_check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANP, "target", "check", "--timeout", "5", *args],
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def definition(tmp_path: Path, url: str, extra: str = "") -> Path:
    file = tmp_path / "site.toml"
    file.write_text(
        f'name = "checked"\nkind = "reference"\nbase_url = "{url}"\n{extra}\n'
        "[checks]\nmax_missing = 0\n",
        encoding="utf-8",
    )
    return file


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_running_site_with_a_token_checks_out_without_showing_it(
    start_reference: StartSite, tmp_path: Path
) -> None:
    token = "tok-" + secrets.token_hex(16)
    site = start_reference("--token-env", VAR, "--release", "2.3.4", env={VAR: token})
    file = definition(tmp_path, site.url, f'token_env = "{VAR}"')
    done = check(file, {VAR: token})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked (reference)" in done.stdout
    assert site.url in done.stdout
    assert f"bearer token from ${VAR} (set)" in done.stdout
    assert "max_missing = 0" in done.stdout
    assert "-> 200" in done.stdout
    assert "2.3.4" in done.stdout
    assert token not in done.stdout + done.stderr


def test_a_wrong_token_is_refused_with_exit_3(start_reference: StartSite, tmp_path: Path) -> None:
    token = "tok-" + secrets.token_hex(16)
    site = start_reference("--token-env", VAR, env={VAR: token})
    file = definition(tmp_path, site.url, f'token_env = "{VAR}"')
    wrong = "wrong-" + secrets.token_hex(8)
    done = check(file, {VAR: wrong})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "refuses the credentials" in done.stderr
    assert wrong not in done.stdout + done.stderr and token not in done.stdout + done.stderr


def test_an_unreachable_site_exits_3(tmp_path: Path) -> None:
    file = definition(tmp_path, f"http://127.0.0.1:{free_port()}")
    done = check(file)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "connection_refused" in done.stderr and "/health" in done.stderr
    assert "Traceback" not in done.stderr
    assert "checked (reference)" in done.stdout  # the definition itself was shown first


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "no such target definition file"),
        ("kind = [", "not valid TOML"),
        ('kind = "reference"\nname = "x"\nbase_url = "http://127.0.0.1:9"\nbogus = 1\n', "bogus"),
        (
            'kind = "reference"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n'
            'token_env = "ANP_CHECK_TEST_UNSET_VARIABLE"\n',
            "ANP_CHECK_TEST_UNSET_VARIABLE is not set",
        ),
        ('kind = "reference"\nname = "x"\nbase_url = "http://10.1.2.3:9"\n', "loopback"),
        ("DIRECTORY", "is a directory; expected a TOML or YAML target definition such as"),
        (b"kind = \xff\n", "not UTF-8 text (byte 0xff at offset 7)"),
        (
            'kind = "reference"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n'
            'token_env = "T"\nenv_file = "binary.env"\n',
            "key 'env_file': cannot read",  # was an internal error with a traceback
        ),
        (
            'kind = "http"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n[http]\npath = "/i"\n'
            '[http.headers]\nAuthorization = "Bearer ${ANP_CHECK_TEST_UNSET_VARIABLE}"\n',
            "key 'http.headers.Authorization': environment variable ANP_CHECK_TEST_UNSET_VARIABLE",
        ),
        (
            'kind = "http"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n[http]\npath = "/i"\n'
            'mode = "mapping"\nbody = {t = "titel"}\n',
            "key 'http.body.t': expected a dotted path that exists in an anp post",
        ),
        ('kind = "ghost"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n', "key 'kind'"),
        ('kind = "reference"\nbase_url = "http://127.0.0.1:9"\n', "key 'name'"),
        ('kind = "reference"\nname = 5\nbase_url = "http://127.0.0.1:9"\n', "got 5"),
    ],
)
def test_a_wrong_definition_exits_2(
    tmp_path: Path, content: str | bytes | None, needle: str
) -> None:
    file = tmp_path / "bad.toml"
    (tmp_path / "binary.env").write_bytes(b"\x9a\xff\x00")
    if content == "DIRECTORY":
        file.mkdir()
    elif isinstance(content, bytes):
        file.write_bytes(content)
    elif content is not None:
        file.write_text(content, encoding="utf-8")
    done = check(file)
    assert done.returncode == 2, done.stdout + done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert str(file) in done.stderr


def test_base_url_env_override_is_shown(start_reference: StartSite, tmp_path: Path) -> None:
    site = start_reference()
    file = definition(tmp_path, "http://127.0.0.1:9", 'base_url_env = "ANP_CHECK_TEST_URL"')
    done = check(file, {"ANP_CHECK_TEST_URL": site.url})
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{site.url} (from $ANP_CHECK_TEST_URL" in done.stdout


def test_http_definition_with_a_secret_header_against_a_protected_site(
    start_reference: StartSite, tmp_path: Path
) -> None:
    token = "tok-" + secrets.token_hex(16)
    site = start_reference("--token-env", VAR, env={VAR: token})
    file = tmp_path / "http.toml"
    file.write_text(
        f'kind = "http"\nname = "checked-http"\nbase_url = "{site.url}"\n'
        '[http]\npath = "/import/posts"\nhealth_path = "/health"\nrelease_path = "/version"\n'
        f'[http.headers]\nAuthorization = "Bearer ${{{VAR}}}"\n',
        encoding="utf-8",
    )
    done = check(file, {VAR: token})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "http headers Authorization (values hidden)" in done.stdout
    assert "1.4.0" in done.stdout
    assert token not in done.stdout + done.stderr


def test_the_definition_is_read_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = definition(tmp_path, f"http://127.0.0.1:{free_port()}")
    opened: list[Path] = []
    parsed: list[str] = []
    real_open, real_loads = Path.open, tomllib.loads

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == file:
            opened.append(self)
        return real_open(self, *args, **kwargs)

    def counting_loads(text: str, **kwargs: Any) -> dict[str, Any]:
        parsed.append(text)
        return real_loads(text, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    monkeypatch.setattr(tomllib, "loads", counting_loads)
    assert main(["target", "check", str(file), "--timeout", "1"]) == 3  # nothing listens there
    assert "checked (reference)" in capsys.readouterr().out
    assert (len(opened), len(parsed)) == (1, 1)


def test_offline_validates_and_shows_without_sending(tmp_path: Path) -> None:
    token = "tok-" + secrets.token_hex(16)
    file = tmp_path / "site.yaml"
    file.write_text(
        f"kind: http\nname: offline\nbase_url: http://127.0.0.1:{free_port()}\nhttp:\n"
        "  path: /in/{reference}\n  mode: mapping\n  body: {ref: meta.reference, doc: $canonical}\n"
        "  headers:\n    Authorization: Bearer ${%s}\n    X-Client: me\n" % VAR,
        encoding="utf-8",
    )
    done = subprocess.run(
        [ANP, "target", "check", "--offline", str(file)],
        env=dict(os.environ, **{VAR: token}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "auth     http headers Authorization (values hidden)" in done.stdout
    assert "headers  X-Client: me" in done.stdout
    assert "import   POST /in/{reference}, body mapped by [http.body]" in done.stdout
    assert "read     no [http.read]" in done.stdout
    assert "the site was not contacted" in done.stdout
    assert "health" not in done.stdout  # nothing was sent (the port has no listener either)
    assert token not in done.stdout + done.stderr


def test_offline_refuses_an_unclosed_placeholder(tmp_path: Path) -> None:
    file = tmp_path / "h.toml"
    file.write_text(
        f'kind = "http"\nname = "h"\nbase_url = "http://127.0.0.1:{free_port()}"\n'
        '[http]\npath = "/i/{reference"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [ANP, "target", "check", "--offline", str(file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        f"{file}: key 'http.path': expected only the placeholders {{reference}}, {{seed}} in this "
        "path, found a stray '{' or '}'"
    ) in done.stderr
    assert "got '/i/{reference'" in done.stderr
    assert "POST /i/{reference" not in done.stdout  # was shown as the import to send
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("make", [False, True])
def test_offline_names_yaml_for_a_missing_file_or_a_folder(tmp_path: Path, make: bool) -> None:
    path = tmp_path / "site.yaml"
    if make:
        path.mkdir()
    done = subprocess.run(
        [ANP, "target", "check", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    why = "is a directory" if make else "no such target definition file"
    assert (
        f"{path}: {why}; expected a TOML or YAML target definition such as "
        "targets/local-reference.toml"
    ) in done.stderr
    assert "Traceback" not in done.stderr


class _Stub(BaseHTTPRequestHandler):
    """Answers every GET with the status and JSON body named in the server's ``answer``."""

    def do_GET(self) -> None:
        status, body = self.server.answer  # type: ignore[attr-defined]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (
            401,
            {"code": "incorrect_password"},
            "answered HTTP 401 incorrect_password: the site refuses the credentials",
        ),
        (403, {"code": "rest_forbidden"}, "answered HTTP 403 rest_forbidden: the site refuses"),
        (404, {"code": "rest_no_route"}, "the anp-loadtest must-use plugin is missing"),
        (503, {}, "failed (HTTP 503); expected a 2xx answer. Start the WordPress site"),
    ],
)
def test_a_wordpress_health_failure_says_why(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: dict[str, str],
    words: str,
) -> None:
    # a 401 at the health check used to say "Start the WordPress site" (it was up)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.answer = (status, body)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        file = tmp_path / "wp.toml"
        file.write_text(
            f'kind = "wordpress"\nname = "wp"\nbase_url = "http://127.0.0.1:{server.server_port}"\n'
            'user_env = "ANP_CHECK_WP_USER"\npassword_env = "ANP_CHECK_WP_PASSWORD"\n',
            encoding="utf-8",
        )
        monkeypatch.setenv("ANP_CHECK_WP_USER", "u")
        monkeypatch.setenv("ANP_CHECK_WP_PASSWORD", "pass word")
        assert main(["target", "check", str(file), "--timeout", "5"]) == 3
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert words in err
    assert "pass word" not in err


def test_several_files_are_all_checked_and_the_worst_code_wins(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "ghost"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANP_WP_")}
    env["ANP_WP_ROOT"] = str(tmp_path / "no-wordpress-here")
    shipped = sorted((REPO / "targets").glob("*.toml"))
    assert len(shipped) == 3
    done = subprocess.run(
        [ANP, "target", "check", "--offline", str(shipped[0]), str(bad), *map(str, shipped[1:])],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.count("is a valid definition") == 3  # the bad file did not stop the rest
    assert f"anp: error: {bad}: key 'kind'" in done.stderr
    # WordPress's credentials are unset here (up.sh has not run): --offline lists them
    assert "user from $ANP_WP_USER (not set)" in done.stdout
    assert "set ANP_WP_APP_PASSWORD, ANP_WP_USER before a run" in done.stdout
    assert "Traceback" not in done.stderr


def check_json(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return target_check("--format", "json", *args, env=env)


def test_json_format_gives_each_files_result_and_the_worst_exit_code(
    start_reference: StartSite, tmp_path: Path
) -> None:
    """``--format json``: one object on standard output, nothing on standard error: the exit
    code (the worst), and per file its definition without secrets, the site's health and
    release, or the error with its exit code (2 a wrong definition, 3 the site does not
    answer)."""
    token = "tok-" + secrets.token_hex(16)
    site = start_reference("--token-env", VAR, "--release", "2.3.4", env={VAR: token})
    good = definition(tmp_path, site.url, f'token_env = "{VAR}"')
    down_dir = tmp_path / "down"
    down_dir.mkdir()
    down = definition(down_dir, f"http://127.0.0.1:{free_port()}")
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "ghost"\nname = "x"\nbase_url = "http://127.0.0.1:9"\n', "utf-8")

    done = check_json(str(good), env={VAR: token})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    out = json.loads(done.stdout)
    assert out["exit_code"] == 0
    (result,) = out["targets"]
    assert result["ok"] is True and result["error"] is None and result["exit_code"] == 0
    assert (result["name"], result["kind"], result["url"]) == ("checked", "reference", site.url)
    assert result["definition"]["auth"] == f"bearer token from ${VAR} (set)"
    assert result["health"]["status"] == 200 and result["health"]["elapsed_ms"] >= 0
    assert result["health"]["request"] == f"GET {site.url}/health"
    assert result["release"] == "2.3.4" and result["release_note"] is None
    assert token not in done.stdout

    done = check_json(str(good), str(down), str(bad), env={VAR: token})
    assert done.returncode == 3 and done.stderr == "", done.stderr
    out = json.loads(done.stdout)
    assert out["exit_code"] == 3
    assert [(r["file"], r["ok"], r["exit_code"]) for r in out["targets"]] == [
        (str(good), True, 0),
        (str(down), False, 3),
        (str(bad), False, 2),
    ]
    assert "connection_refused" in out["targets"][1]["error"]
    assert out["targets"][1]["name"] == "checked"  # it loaded; the site did not answer
    assert "health" not in out["targets"][1]
    assert "key 'kind'" in out["targets"][2]["error"] and "name" not in out["targets"][2]


def test_json_format_offline_lists_the_unset_variables(tmp_path: Path) -> None:
    file = definition(tmp_path, "http://127.0.0.1:9", 'token_env = "ANP_CHECK_TEST_UNSET_VARIABLE"')
    done = check_json("--offline", str(file))
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(done.stdout)["targets"]
    assert result["ok"] is True and result["offline"] is True
    assert result["unset_variables"] == ["ANP_CHECK_TEST_UNSET_VARIABLE"]
    assert "health" not in result
