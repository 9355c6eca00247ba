"""Bearer auth, the structured access log, secrets kept out of it, and clean start/stop."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import orjson
import pytest

import synth

pytestmark = pytest.mark.integration

TOKEN = "tok-3f9a1c7e5d-very-secret"


def log_records(site) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in site.log_file.read_bytes().splitlines()]


def test_token_is_required_except_for_health(start_reference) -> None:
    site = start_reference("--token-env", "ANP_TEST_REF_TOKEN", env={"ANP_TEST_REF_TOKEN": TOKEN})
    data = synth.canonical_json(synth.synthesize(61))
    good = {"Authorization": f"Bearer {TOKEN}"}
    with site.client() as c:
        assert c.get("/health").status_code == 200
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            r = c.post("/import/posts", content=data, headers=headers)
            assert r.status_code == 401
            assert r.json()["error"]["code"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
            assert c.get("/stats", headers=headers).status_code == 401
            assert c.get("/version", headers=headers).status_code == 401
        assert c.get("/posts/count", headers=good).json() == {
            "count": 0
        }  # refused imports stored nothing
        assert c.post("/import/posts", content=data, headers=good).status_code == 201
        assert (
            c.get(f"/posts/{synth.synthesize(61).meta.reference}", headers=good).status_code == 200
        )
    assert site.stop() == 0
    text = site.log_file.read_text() + site.stderr_file.read_text() + "".join(site.stdout)
    assert TOKEN not in text
    assert "Bearer" not in text
    assert "authorization" not in text.lower()


def test_one_json_line_per_request_with_the_documented_fields(start_reference) -> None:
    site = start_reference()
    post = synth.synthesize(62)
    with site.client() as c:
        c.post("/import/posts", content=synth.canonical_json(post))
        c.get(f"/posts/{post.meta.reference}")
        c.get("/health")
    site.stop()
    records = log_records(site)
    requests = [r for r in records if "route" in r]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("POST", "/import/posts", 201),
        ("GET", "/posts/{reference}", 200),
        ("GET", "/health", 200),
    ]
    first = requests[0]
    assert set(first) == {
        "ts",
        "method",
        "route",
        "status",
        "duration_ms",
        "bytes",
        "bytes_in",
        "reference",
    }
    assert first["reference"] == post.meta.reference
    assert first["bytes_in"] == len(synth.canonical_json(post))
    assert first["bytes"] > 0 and first["duration_ms"] >= 0
    assert requests[2]["reference"] is None
    assert records[-1]["event"] == "shutdown"
    assert records[-1]["stats"]["requests"]["POST /import/posts"] == {
        "total": 1,
        "by_status": {"201": 1},
    }


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full = dict(os.environ)
    full.pop("ANP_TEST_MISSING_TOKEN", None)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "anp", "target", "serve", "reference", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=full,
    )


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["--token-env", "ANP_TEST_MISSING_TOKEN"], None, "ANP_TEST_MISSING_TOKEN is not set"),
        (["--token-env", "ANP_TEST_MISSING_TOKEN"], {"ANP_TEST_MISSING_TOKEN": ""}, "is empty"),
        (
            ["--fail-rate", "1.5"],
            None,
            "invalid fail_rate=1.5 (option --fail-rate): expected a fraction in 0..1",
        ),
        (["--slowdown", "0.95"], None, "invalid slowdown=0.95 (option --slowdown)"),
        (["--latency-ms", "-1"], None, "invalid latency_ms=-1.0 (option --latency-ms)"),
        (["--fail-rate", "2"], None, "retrying with the same value will fail again"),
        (["--host", "999.1.1.1"], None, "cannot resolve --host '999.1.1.1'"),
        (["--host", "127.0.0.1.5"], None, "expected a loopback address"),
        (["--database-url", "mysql://x"], None, "expected a URL starting with postgresql://"),
        (["--port", "70000"], None, "--port 70000: expected 0..65535"),
    ],
)
def test_user_mistakes_exit_2_with_a_clear_message(args, env, needle) -> None:
    result = run_cli("--port", "0", *args, env=env)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_a_busy_port_exits_3_and_says_how_to_pick_a_free_one() -> None:
    import socket

    with socket.socket() as s:  # a loopback port someone else holds
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        result = run_cli("--port", str(port))
    assert result.returncode == 3, result.stderr
    assert f"another process holds port {port}" in result.stderr
    assert "--port 0 picks a free port" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_postgres_exits_3_without_traceback(tmp_path) -> None:
    import socket

    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli(
        "--port", "0", "--database-url", f"postgresql://nobody@127.0.0.1:{port}/x?connect_timeout=5"
    )
    assert result.returncode == 3
    assert "cannot open storage" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigint_and_sigterm_stop_cleanly(start_reference) -> None:
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        site = start_reference()
        site.proc.send_signal(sig)
        assert site.proc.wait(timeout=15) == 0
        assert site.proc.stdout is not None
        assert "anp-reference: stopped" in site.proc.stdout.read() + "".join(site.stdout)


def test_non_loopback_host_warns_before_binding() -> None:
    # 192.0.2.1 is TEST-NET-1: not assigned here, so binding fails and no socket is ever opened
    result = run_cli("--port", "0", "--host", "192.0.2.1")
    assert "warning: listening on non-loopback host 192.0.2.1" in result.stderr
    assert "no --token-env auth" in result.stderr
    # an address this machine does not have is a usage mistake (exit 2), named as the option
    assert result.returncode == 2
    assert "cannot listen on --host 192.0.2.1" in result.stderr
    assert "expected an address of this machine" in result.stderr
    assert "Traceback" not in result.stderr
