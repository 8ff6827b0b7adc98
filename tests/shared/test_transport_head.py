"""`Transport.head`, read directly in each mode: the position of the last message an upstream
has published as the transport carries it (embedded: its log file; memory: its running
application; JetStream: the last message of its stream). Reporting waits on it before a
publication (services/reporting/rounds/catch_up.py), so a head that is stale, counts an
internal event, or hangs would let a publication through unchecked or stall it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.messaging.jetstream import JetStreamPublisher, connect, ensure_stream, stream_name
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.settings import CommonSettings, eventsourcing_env
from shared.transport import JetStreamTransport, LocalTransport, MemoryTransport, Transport
from tests.conftest import NATS_URL
from tests.ports import quiet_port
from tests.shared.nats_process import NatsServer
from tests.shared.ordering_app import SERVICE, OrderingApplication, to_payload
from tests.shared.relay_support import until

NOTE, MEMO = True, False
"""`OrderingApplication.write`: a note is published, a memo stays internal."""
BOUND = 5.0


class ClosedCounting(OrderingApplication):
    """The ordering service's application, counting who closes it."""

    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


class Upstream:
    """The ordering service writing its log, and a reader's transport over it."""

    def __init__(self, app: OrderingApplication, reader: Transport) -> None:
        self.app = app
        self.reader = reader
        self._written = 0

    def write(self, *kinds: bool) -> None:
        self.app.write(kinds, self._written)
        self._written += len(kinds)

    def head(self) -> int | None:
        return asyncio.run(self.reader.head(SERVICE, BOUND))


def _writer(settings: CommonSettings) -> OrderingApplication:
    app = OrderingApplication(eventsourcing_env(settings, SERVICE, None))
    app.publish_as(SERVICE, to_payload)
    return app


@pytest.fixture(params=["embedded", "memory"])
def upstream(request: pytest.FixtureRequest) -> Iterator[Upstream]:
    settings: CommonSettings = request.getfixturevalue(f"{request.param}_settings")
    app = _writer(settings)
    if request.param == "embedded":
        # As `default_transport` builds it: the transport opens the log file with a reader
        # of its own, not the writer's application.
        reader: Transport = LocalTransport(
            lambda name: Outbox(
                name, OrderingApplication(eventsourcing_env(settings, name, None)), to_payload
            )
        )
        offering = None
    else:
        offering = MemoryTransport(settings.namespace)
        offering.offer_log(SERVICE, Outbox(SERVICE, app, to_payload), app)
        reader = MemoryTransport(settings.namespace)
    yield Upstream(app, reader)
    asyncio.run(reader.close())
    if offering is not None:
        asyncio.run(offering.close())
    app.close()


def test_an_upstream_that_published_nothing_reads_none(upstream: Upstream) -> None:
    assert upstream.head() is None
    upstream.write(MEMO, MEMO)  # internal events only: still nothing published
    assert upstream.app.recorder.max_notification_id() == 2
    assert upstream.head() is None


def test_a_memory_upstream_not_running_reads_none(memory_settings: CommonSettings) -> None:
    reader = MemoryTransport(memory_settings.namespace)
    assert asyncio.run(reader.head(SERVICE, BOUND)) is None


def test_head_is_the_last_published_message_and_follows_commits(upstream: Upstream) -> None:
    assert upstream.head() is None
    upstream.write(MEMO, NOTE, NOTE)
    assert upstream.head() == 3
    # Read again after more commits: not the answer of the first read kept.
    upstream.write(NOTE, MEMO, NOTE)
    assert upstream.head() == 6


def test_internal_events_after_the_last_published_one_do_not_move_head(
    upstream: Upstream,
) -> None:
    upstream.write(NOTE, NOTE, MEMO, MEMO)
    assert upstream.head() == 2
    upstream.write(MEMO)  # a stretch of internal events only, after a head already read
    assert upstream.head() == 2
    upstream.write(NOTE, MEMO)
    assert upstream.head() == 6
    assert upstream.app.recorder.max_notification_id() == 7


def test_local_close_closes_the_logs_head_opened_and_a_later_head_reopens(
    embedded_settings: CommonSettings,
) -> None:
    """The logs `head` opens are kept between reads and closed by `close`; after a close,
    `head` opens the log again (the transport forgot it) rather than reading a closed one."""
    writer = _writer(embedded_settings)
    opened: list[ClosedCounting] = []

    def open_outbox(name: str) -> Outbox:
        opened.append(ClosedCounting(eventsourcing_env(embedded_settings, name, None)))
        return Outbox(name, opened[-1], to_payload)

    transport = LocalTransport(open_outbox)

    async def scenario() -> None:
        writer.write([NOTE], 0)
        assert await transport.head(SERVICE, BOUND) == 1
        writer.write([NOTE], 1)
        assert await transport.head(SERVICE, BOUND) == 2
        assert len(opened) == 1 and opened[0].closed == 0  # kept between reads
        await transport.close()
        assert opened[0].closed == 1
        writer.write([NOTE], 2)
        assert await transport.head(SERVICE, BOUND) == 3
        assert len(opened) == 2 and opened[0].closed == 1
        await transport.close()
        assert opened[1].closed == 1

    try:
        asyncio.run(scenario())
    finally:
        writer.close()


async def _stream_holds(js: Any, stream: str, messages: int) -> None:
    """Waits on the stream's position (its last sequence), not on a pause."""
    deadline = time.monotonic() + 20
    while int((await js.stream_info(stream)).state.last_seq or 0) < messages:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{stream} never held {messages} messages")
        await asyncio.sleep(0.02)


@pytest.mark.infra
def test_jetstream_head_is_the_position_of_the_streams_last_message(
    nats_namespace: str, tmp_path: Path
) -> None:
    """Positions differ from stream sequences here (memos take positions, never sequences):
    head is the origin position of the last message, not how many the stream holds."""
    settings = CommonSettings(mode="embedded", data_dir=tmp_path)
    app = _writer(settings)
    outbox = Outbox(SERVICE, app, to_payload)
    reader = JetStreamTransport(NATS_URL, nats_namespace, start_wait=10)
    stream = stream_name(nats_namespace, SERVICE)

    async def scenario() -> None:
        await reader.connect("reporting")
        nc, js = await connect(NATS_URL, "test-head")
        relay = Relay(outbox, JetStreamPublisher(js, nats_namespace, SERVICE), poll=0.02)
        try:
            assert await reader.head(SERVICE, BOUND) is None  # no stream yet
            await ensure_stream(js, nats_namespace, SERVICE)
            assert await reader.head(SERVICE, BOUND) is None  # a stream holding nothing
            app.on_commit(relay.wake)
            await relay.start()

            app.write([MEMO, NOTE, MEMO, NOTE], 0)
            await _stream_holds(js, stream, 2)
            assert await reader.head(SERVICE, BOUND) == 4

            app.write([MEMO, MEMO], 4)  # internal: the relay passes them, the stream not
            await until(lambda: relay.scanned_to == 6, what="relay scanned the memos")
            assert await reader.head(SERVICE, BOUND) == 4

            app.write([NOTE], 6)
            await _stream_holds(js, stream, 3)
            assert await reader.head(SERVICE, BOUND) == 7
        finally:
            await relay.stop()
            await nc.close()
            await reader.close()

    try:
        asyncio.run(scenario())
    finally:
        app.close()


@pytest.mark.infra
def test_jetstream_head_never_connected_raises_at_once() -> None:
    transport = JetStreamTransport(f"nats://127.0.0.1:{quiet_port()}", "headnowhere")

    async def scenario() -> None:
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(transport.head(SERVICE, 1.0), 5)

    asyncio.run(scenario())


@pytest.mark.infra
def test_jetstream_head_with_nats_gone_raises_within_its_timeout(tmp_path: Path) -> None:
    """Connected, then the server stops: the client goes on reconnecting for ever, and a
    read must give up after its timeout instead of waiting with it."""
    server = NatsServer(tmp_path)
    server.start()
    transport = JetStreamTransport(server.url, "headgone", start_wait=10)
    timeout = 1.0

    async def scenario() -> None:
        await transport.connect(SERVICE)
        try:
            assert await transport.head(SERVICE, timeout) is None
            await asyncio.to_thread(server.kill)
            began = time.monotonic()
            with pytest.raises((TimeoutError, ConnectionError)):
                # The outer bound only stops a hang; the read itself must give up first.
                await asyncio.wait_for(transport.head(SERVICE, timeout), 20 * timeout)
            # Its own timeout, not the outer bound (it may ask the server twice, under load).
            assert time.monotonic() - began < 10 * timeout
        finally:
            # Left open, the client reconnects for ever and the loop cannot end; the close
            # gives up draining a server that is gone (bounded).
            await asyncio.wait_for(transport.close(), 30)

    try:
        asyncio.run(scenario())
    finally:
        server.kill()
