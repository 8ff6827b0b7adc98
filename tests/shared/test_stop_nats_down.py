"""A stop while NATS is down: the transport's close ends the connection without raising, and
the service's stop goes on to close its leases, event store and view store.

nats-py refuses to drain a connection while it reconnects (for as long as the server is
away), and its drain hangs on a server that stopped answering; a close that passed either on
ended the stop there, leaving the leases held until they expired and the PostgreSQL
connections open. Each test runs a nats-server of its own (never the machine's), killed or
frozen (SIGSTOP) at will.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pingyi.catalog import definition
from shared.messaging.outbox import Outbox
from shared.registry_view import SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.runtime.stopping import Stopping
from shared.service.views_process import ViewsProcess
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.transport import JetStreamTransport
from tests.conftest import ADMIN_KEY
from tests.shared.nats_process import NatsServer, running_nats
from tests.shared.test_security_copy import FRAGILE, _probe

pytestmark = pytest.mark.infra

DRAIN_WAIT = 1.0
BOUND = 20 * DRAIN_WAIT  # a hang, not a speed: nats-py alone waits 30 s or more
"""A close ends within this; nats-py's own drain would wait 30 s, or for ever."""
WARNING = "without draining"


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    with running_nats(tmp_path) as server:
        yield server


def _namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "shared.transport" and r.levelno == logging.WARNING
    ]


async def _connected(nats: NatsServer) -> tuple[JetStreamTransport, Any]:
    transport = JetStreamTransport(nats.url, _namespace(), start_wait=10, drain_wait=DRAIN_WAIT)
    await transport.connect("registry")
    nc = transport._nc  # the client itself: whether it is closed is what the test asks
    assert nc is not None and nc.is_connected
    return transport, nc


async def _closes_within_bound(transport: JetStreamTransport) -> None:
    began = time.monotonic()
    # The outer bound only stops a hang; the close itself must end well before it.
    await asyncio.wait_for(transport.close(), 20)
    assert time.monotonic() - began < BOUND


def test_close_drains_a_connection_whose_server_answers(
    nats: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        transport, nc = await _connected(nats)
        await _closes_within_bound(transport)
        assert nc.is_closed
        await transport.close()  # a second close is nothing

    asyncio.run(scenario())
    assert _warnings(caplog) == []


def test_close_with_the_server_killed_closes_without_raising(
    nats: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        transport, nc = await _connected(nats)
        await asyncio.to_thread(nats.kill)
        deadline = time.monotonic() + 10
        while not nc.is_reconnecting:  # the client noticed, and reconnects for ever
            assert time.monotonic() < deadline, "the client never saw the server gone"
            await asyncio.sleep(0.02)
        await _closes_within_bound(transport)
        assert nc.is_closed  # no longer reconnecting in the background

    asyncio.run(scenario())
    warned = _warnings(caplog)
    assert len(warned) == 1 and "ConnectionReconnectingError" in warned[0], warned
    assert nats.url.removeprefix("nats://") in warned[0]


def _sessions(database_url: str) -> int:
    """Sessions on the test's own database other than this one: the service's."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def _sessions_end(database_url: str, within: float = 30.0) -> int:
    """The sessions left once PostgreSQL has ended those closed: it ends a closed session a
    moment after the client closes it, so a look straight after a stop can still count it.
    Waits on the count, not a fixed time, and returns what it last saw."""
    deadline = time.monotonic() + within
    pause = 0.01
    while (left := _sessions(database_url)) and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
    return left


def _production(database_url: str, nats: NatsServer) -> CommonSettings:
    return CommonSettings(
        mode="production",
        database_url=database_url,
        nats_url=nats.url,
        namespace=_namespace(),
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
    )


def test_a_service_stopped_while_nats_is_down_closes_its_leases_and_stores(
    database_url: str, nats: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    common = _production(database_url, nats)
    runtime = ServiceRuntime(
        definition("registry"),
        common,
        ServiceSettings(),
        JetStreamTransport(nats.url, common.namespace, start_wait=10, drain_wait=DRAIN_WAIT),
    )

    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        await runtime.start()
        assert _sessions(database_url) > 0  # leases, event store, view store
        await asyncio.to_thread(nats.kill)
        began = time.monotonic()
        await asyncio.wait_for(runtime.stop(), 60)  # raised before: ConnectionReconnecting
        assert time.monotonic() - began < 30

    asyncio.run(scenario())
    # Leases released (their session ended), event and view stores' pools closed.
    assert _sessions_end(database_url) == 0
    assert any("service stopped" in r.getMessage() for r in caplog.records)


def test_a_views_process_stopped_while_nats_is_down_closes_its_leases_and_stores(
    database_url: str, nats: NatsServer
) -> None:
    """Its `fragile` view follows registry, through JetStream (`jetstream_transport`)."""
    common = _production(database_url, nats)
    probe = _probe((SECURITY_VIEW, FRAGILE))

    def open_outbox() -> Outbox:
        application = probe.open_application(eventsourcing_env(common, probe.name, None))
        return Outbox(probe.name, application, probe.payload_mapper)

    process = ViewsProcess(probe, common, ServiceSettings(views_in_process=False), open_outbox)

    async def scenario() -> None:
        await process.start()
        assert [c.upstream for c in process.consumers] == ["registry"]  # over NATS
        assert _sessions(database_url) > 0
        await asyncio.to_thread(nats.kill)
        await asyncio.wait_for(process.stop(), 60)

    asyncio.run(scenario())
    assert _sessions_end(database_url) == 0


class Part:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails
        self.closed = False

    async def close(self) -> None:
        self.closed = True
        if self.fails:
            raise OSError(f"part {id(self)} could not close")


def test_stopping_closes_every_part_and_raises_the_first_failure_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = Part(fails=True), Part(fails=True)
    together = [Part(), Part(fails=True), Part()]
    last = Part()

    async def scenario() -> None:
        stopping = Stopping("probe")
        await stopping.together("consumers", [part.close() for part in together])
        await stopping.step("first", first.close())
        await stopping.step("second", second.close())
        await stopping.step("last", last.close())
        with pytest.raises(OSError) as raised:
            stopping.done()
        assert raised.value is stopping.first

    asyncio.run(scenario())
    assert all(part.closed for part in [*together, first, second, last])
    failed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failed) == 3, failed  # each failure said once, in one line
    assert "closing consumers failed" in failed[0]
