"""A request line with raw (not percent-encoded) non-ASCII bytes never reaches Pingyi: the
HTTP server refuses it with its own plain-text 400, as HTTP/1.1 lets it (a request target is
visible ASCII, RFC 9112 section 3.2 with RFC 3986). Neither of uvicorn's parsers takes it
(h11, which the services run on, and httptools: "Invalid char in url query"), and no setting
of either changes that; README, "API basics", tells clients to percent-encode. This pins
that behaviour, so the README is changed with it if a server upgrade ever lets such a
request through."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from shared.settings import CommonSettings
from tests.harness import create_app
from tests.shared.served import Served


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with Served(create_app("registry", CommonSettings(mode="memory"))) as running:
        yield running


def exchange(port: int, target: bytes) -> tuple[bytes, bytes]:
    """The status line and body the server answers `GET <target>` with, sent byte for byte
    (any HTTP client would percent-encode the target first)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: pingyi\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


def test_raw_chinese_in_the_query_is_the_servers_plain_400(served: Served) -> None:
    status, body = exchange(served.port, "/healthz?name=测试".encode())
    assert status == b"HTTP/1.1 400 Bad Request"
    assert body == b"Invalid HTTP request received."


def test_the_same_query_percent_encoded_reaches_the_service(served: Served) -> None:
    """Pingyi answers it, in its own error shape: /healthz takes no `name`."""
    status, body = exchange(served.port, b"/healthz?name=%E6%B5%8B%E8%AF%95")
    assert status == b"HTTP/1.1 422 Unprocessable Entity"
    error = json.loads(body)
    assert error["error"] == "unknown_query_parameter"
    assert error["detail"][0]["field"] == "query.name"
