"""targets.transport against real loopback servers: statuses, bodies, headers, and each kind of
transport failure turned into Response(status=0, error=KIND)."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from targets import AsyncSender, Request, Sender, Timeouts, send, send_many
from targets.base import (
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    PROTOCOL_ERROR,
    TIMEOUT,
    TRANSPORT_ERROR,
)
from targets.transport import classify, url_for


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo-Path", self.path)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
            self._reply(200, b"late")
        elif self.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif self.path == "/garbage":
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            self.close_connection = True
        elif self.path.startswith("/status/"):
            self._reply(int(self.path.rsplit("/", 1)[1]), b"{}")
        else:
            self._reply(200, b"hello " + self.path.encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self._reply(201, self.headers.get("Authorization", "").encode() + b"|" + body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_send_returns_status_body_and_lowercase_headers(server: str) -> None:
    answer = send(server, Request("GET", "/status/418", "GET /status"))
    assert answer.status == 418
    assert answer.body == b"{}"
    assert answer.headers["x-echo-path"] == "/status/418"
    assert answer.error is None


def test_post_carries_headers_and_body(server: str) -> None:
    request = Request("POST", "/import", "POST /import", {"Authorization": "Bearer s3"}, b"{}")
    answer = send(server, request)
    assert (answer.status, answer.body) == (201, b"Bearer s3|{}")


def test_base_url_with_path_prefix(server: str) -> None:
    answer = send(server + "/prefix/", Request("GET", "/a?b=1", "GET /a"))
    assert answer.body == b"hello /prefix/a?b=1"


def test_timeout_becomes_status_zero(server: str) -> None:
    answer = send(server, Request("GET", "/slow", "GET /slow"), Timeouts(connect_s=1, read_s=0.2))
    assert (answer.status, answer.error) == (0, TIMEOUT)


def test_connection_refused_becomes_status_zero() -> None:
    answer = send(f"http://127.0.0.1:{_free_port()}", Request("GET", "/", "GET /"))
    assert (answer.status, answer.error) == (0, CONNECTION_REFUSED)


def test_connection_reset_becomes_status_zero(server: str) -> None:
    answer = send(server, Request("GET", "/reset", "GET /reset"))
    assert answer.status == 0
    assert answer.error == CONNECTION_RESET


def test_non_http_answer_is_a_protocol_error(server: str) -> None:
    answer = send(server, Request("GET", "/garbage", "GET /garbage"))
    assert (answer.status, answer.error) == (0, PROTOCOL_ERROR)


def test_send_many_keeps_order(server: str) -> None:
    requests = [Request("GET", f"/n{i}", "GET /n") for i in range(20)]
    answers = send_many(server, requests, concurrency=5)
    assert [a.body for a in answers] == [f"hello /n{i}".encode() for i in range(20)]


def test_sender_reuses_one_pool(server: str) -> None:
    with Sender(server) as sender:
        answers = sender.send_many([Request("GET", "/status/202", "x")] * 3, concurrency=2)
        assert [a.status for a in answers] == [202, 202, 202]
        with pytest.raises(ValueError, match="concurrency must be at least 1, got 0"):
            sender.send_many([], concurrency=0)


def test_async_sender_keeps_order_and_classifies(server: str) -> None:
    async def run() -> list[int]:
        async with AsyncSender(server, Timeouts(connect_s=1, read_s=0.2)) as sender:
            answers = await sender.send_many(
                [Request("GET", "/status/200", "a"), Request("GET", "/slow", "b")], concurrency=2
            )
            assert answers[1].error == TIMEOUT
            return [a.status for a in answers]

    assert asyncio.run(run()) == [200, 0]


def test_path_must_start_with_slash() -> None:
    with pytest.raises(ValueError, match="must start with '/', got 'x'"):
        url_for("http://127.0.0.1:1", Request("GET", "x", "x"))


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ReadTimeout("slow"), TIMEOUT),
        (httpx.ConnectTimeout("slow"), TIMEOUT),
        (httpx.ConnectError("[Errno 111] Connection refused"), CONNECTION_REFUSED),
        (httpx.RemoteProtocolError("Server disconnected"), PROTOCOL_ERROR),
        (httpx.ConnectError("name resolution failed"), TRANSPORT_ERROR),
        (httpx.WriteError("boom"), TRANSPORT_ERROR),
    ],
)
def test_classify_table(exc: Exception, kind: str) -> None:
    assert classify(exc) == kind


def test_classify_looks_at_the_cause() -> None:
    outer = httpx.ReadError("read failed")
    outer.__cause__ = ConnectionResetError(104, "Connection reset by peer")
    assert classify(outer) == CONNECTION_RESET
