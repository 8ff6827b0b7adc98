"""The bound on draining the NATS connection at a stop (`JetStreamTransport.close`'s
`drain_wait`): a server that stopped answering leaves the connection open and silent, and
nats-py's own drain then waits on it for 20 s (a 10 s flush for the subscriptions, then
another for what was published) and skips the close. The close must instead give up after
`drain_wait`, say so in one warning and close the connection, so that the stop goes on.

The server is a nats-server of the test's own; the silence is a proxy between it and the
transport that stops passing bytes while holding both sockets open (`black_hole_proxy`),
so the client sees neither an answer nor a close, at a moment the test chooses."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.transport import JetStreamTransport
from tests.shared.black_hole_proxy import BlackHoleProxy, black_hole_proxy
from tests.shared.nats_process import NatsServer, running_nats

pytestmark = pytest.mark.infra

DRAIN_WAIT = 0.5
HANG_GUARD = 15.0
"""Only stops a hang, never a measure of speed (a bounded close takes about 2 ×
`DRAIN_WAIT`). Kept under nats-py's own 20 s, so that a drain left unbounded is caught
here rather than outwaited."""
SUBJECT = "drain.bound"


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    with running_nats(tmp_path) as server:
        yield server


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "shared.transport" and r.levelno == logging.WARNING
    ]


async def _connected_with_work(proxy: BlackHoleProxy) -> tuple[JetStreamTransport, Any]:
    """The transport connected through the proxy, with a subscription that has carried a
    message: the drain has a subscription to end and a round trip to make."""
    transport = JetStreamTransport(
        proxy.url, f"t{uuid.uuid4().hex[:10]}", start_wait=10, drain_wait=DRAIN_WAIT
    )
    await transport.connect("registry")
    nc = transport._nc  # the client itself: whether it is closed is what the test asks
    assert nc is not None and nc.is_connected and proxy.connections == 1
    received: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def take(msg: Any) -> None:
        if not received.done():
            received.set_result(msg.data)

    await nc.subscribe(SUBJECT, cb=take)
    await nc.publish(SUBJECT, b"in flight")
    assert await asyncio.wait_for(received, HANG_GUARD) == b"in flight"
    return transport, nc


async def _close(transport: JetStreamTransport, nc: Any) -> None:
    try:
        await asyncio.wait_for(transport.close(), HANG_GUARD)
    finally:
        if not nc.is_closed:  # a failed close: end the client's tasks before the loop ends
            await asyncio.wait_for(nc.close(), HANG_GUARD)


def test_close_drains_a_connection_whose_server_answers(
    nats: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with black_hole_proxy(nats.port) as proxy:
            transport, nc = await _connected_with_work(proxy)
            await _close(transport, nc)
            assert nc.is_closed

    asyncio.run(scenario())
    assert _warnings(caplog) == []


def test_close_of_a_connection_gone_silent_ends_after_the_drain_bound(
    nats: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with black_hole_proxy(nats.port) as proxy:
            transport, nc = await _connected_with_work(proxy)
            proxy.freeze()
            await _close(transport, nc)
            assert nc.is_closed
            assert proxy.connections == 1  # the client never saw a close, so never reconnected

    asyncio.run(scenario())
    warned = _warnings(caplog)
    assert len(warned) == 1 and f"not drained within {DRAIN_WAIT:g} s" in warned[0], warned
