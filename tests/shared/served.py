"""A service behind a real uvicorn on a loopback port, and a client that streams a body from a
generator while watching for the answer, so a test can count what was sent and what was read.

The in-process TestClient cannot show this: it reads a streamed request body whole before
the app sees the first byte.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metered:
    """Counts the request body bytes the app behind it pulled from the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.read = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


class Served:
    """`app` served by uvicorn in a thread of this process (lifespan included)."""

    def __init__(self, app: Any, **options: Any) -> None:
        self.metered = Metered(app)
        config = uvicorn.Config(self.metered, log_level="warning", **options)
        self._server = uvicorn.Server(config)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> Served:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    pulled: int
    """Body bytes taken from the generator before the answer arrived."""


def generated(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """`total` bytes of a JSON-ish filler, made as they are asked for."""
    block = b"x" * chunk
    for start in range(0, total, chunk):
        yield block[: min(chunk, total - start)]


def stream(
    port: int,
    path: str,
    headers: dict[str, str],
    body: Iterator[bytes],
    *,
    length: int | None = None,
    expect_continue: bool = False,
    timeout: float = 60.0,
) -> Answer:
    """POST `body` (Content-Length `length`, else chunked), reading whenever the server
    has something to say, and stop sending as soon as the answer is complete."""
    framing = {"content-length": str(length)} if length is not None else {}
    framing = framing or {"transfer-encoding": "chunked"}
    if expect_continue:
        framing["expect"] = "100-continue"
    conn = h11.Connection(h11.CLIENT)
    request = h11.Request(
        method="POST",
        target=path,
        headers=[("host", "127.0.0.1"), *headers.items(), *framing.items()],
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(conn.send(request) or b"")
        sock.setblocking(False)
        return _exchange(sock, conn, body, not expect_continue, time.monotonic() + timeout)


def _exchange(
    sock: socket.socket, conn: h11.Connection, body: Iterator[bytes], go: bool, deadline: float
) -> Answer:
    answer = Answer(status=0, headers={}, body=b"", pulled=0)
    pending, sending = b"", True
    while time.monotonic() < deadline:
        writers = [sock] if go and sending else []
        readable, writable, _ = select.select([sock], writers, [], 1.0)
        if readable:
            if _read(sock, conn, answer):
                return answer
            go = go or answer.status == 100  # 100 Continue: the server wants the body
            continue
        if writable:
            if not pending:
                pending, sending = _next_frame(conn, body, answer)
            try:
                pending = pending[sock.send(pending) :]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:  # the server closed its side: only the answer is left to read
                sending = False
    raise TimeoutError(f"no complete answer; sent {answer.pulled} body bytes")


def _next_frame(conn: h11.Connection, body: Iterator[bytes], answer: Answer) -> tuple[bytes, bool]:
    chunk = next(body, None)
    if chunk is None:
        return conn.send(h11.EndOfMessage()) or b"", False
    answer.pulled += len(chunk)
    return conn.send(h11.Data(data=chunk)) or b"", True


def _read(sock: socket.socket, conn: h11.Connection, answer: Answer) -> bool:
    """Feed what arrived to h11; True once the final answer is complete."""
    try:
        data = sock.recv(1 << 16)
    except (BlockingIOError, InterruptedError):
        return False
    except ConnectionResetError:
        data = b""
    conn.receive_data(data)
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA or event is h11.PAUSED:
            if not data:
                raise ConnectionError(f"closed before a complete answer: {answer}")
            return False
        if isinstance(event, h11.InformationalResponse):
            answer.status = event.status_code
        elif isinstance(event, h11.Response):
            answer.status = event.status_code
            answer.headers = {k.decode(): v.decode() for k, v in event.headers}
        elif isinstance(event, h11.Data):
            answer.body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return True
