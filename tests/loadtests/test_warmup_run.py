"""A real run whose warm-up is slow: the latency checks leave the warm-up out.

A small loopback proxy in front of the reference site holds every import request for
``SLOW_S`` during the first ``SLOW_FOR_S`` after the first one, then forwards at once. The open
model (20 posts/s) keeps the slow share large: about 30 of 100 requests, so the whole run's p95
is above 300 ms while every request after the warm-up takes a few ms.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from lt_support import run_locust

pytestmark = pytest.mark.integration

SLOW_S = 0.3
SLOW_FOR_S = 1.5
WARMUP = "2s"


class SlowStart(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.first_import: float | None = None
        self.slowed = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def delay(self, path: str) -> float:
        if path != "/import/posts":
            return 0.0
        with self.lock:
            now = time.monotonic()
            if self.first_import is None:
                self.first_import = now
            if now - self.first_import < SLOW_FOR_S:
                self.slowed += 1
                return SLOW_S
        return 0.0


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlowStart

    def log_message(self, format: str, *args: object) -> None:  # the base class names it so
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        pause = self.server.delay(self.path.split("?")[0])
        if pause:
            time.sleep(pause)
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in {"connection", "content-length", "transfer-encoding"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            upstream.close()

    do_GET = do_POST = _forward  # http.server calls do_<METHOD>


def slow_start(upstream: str) -> Iterator[SlowStart]:
    proxy = SlowStart(upstream)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


def run_through(proxy_url: str, out, seeds: str, warmup: str):
    return run_locust(
        proxy_url,
        out,
        "-u",
        "20",
        "-r",
        "20",
        "-t",
        "5s",
        "--load-model",
        "open",
        "--arrival-rate",
        "20",
        "--seeds",
        seeds,
        "--warmup",
        warmup,
        "--max-p95-ms",
        "150",
    )


def test_slow_warmup_fails_the_p95_check_only_without_warmup(start_site, tmp_path):
    site = start_site()
    checks = {}
    for name, seeds, warmup in (("with", "0-999", WARMUP), ("without", "1000-1999", "0")):
        for proxy in slow_start(site.url):
            run = run_through(proxy.url, tmp_path / name, seeds, warmup)
            assert proxy.slowed >= 20, proxy.slowed
        record = run.record()
        checks[name] = {c["name"]: c for c in record["checks"]}
        assert run.returncode == (0 if warmup != "0" else 1), run.log
    kept = checks["with"]["max_p95_ms"]
    assert kept["passed"] is True and kept["observed"] < 150
    assert "after the warm-up (from second 2)" in kept["detail"]
    whole = checks["without"]["max_p95_ms"]
    assert whole["passed"] is False and whole["observed"] >= SLOW_S * 1000
    assert "of the run" in whole["detail"]
