"""NATS comes back without its store (a new volume, a wiped disk): the origin stream is
gone. The relay must notice even while idle, create the stream again and publish the whole
log into it; a consumer that was reading the old stream must carry on from where it was
without applying anything twice; and while publishing fails the relay must not say it is
current.

The relay runs as `pingyi serve` runs it (`run_relay`), against a NATS server of the
test's own that is killed, emptied and started again on the same port."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import nats
import pytest

from shared.messaging.jetstream import stream_name
from shared.messaging.jetstream_source import JetStreamSource
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.messaging.relay_worker import run_relay
from tests.shared.nats_process import NatsServer
from tests.shared.ordering_app import SERVICE, open_application, to_payload
from tests.shared.relay_support import (
    assert_exactly_the_log,
    stream_reaches,
    until,
    whole_stream,
)

pytestmark = pytest.mark.infra

NAMESPACE = "lost"
STREAM = stream_name(NAMESPACE, SERVICE)
WAIT = 30.0


async def _stream_reaches(url: str, head: int | None) -> None:
    await stream_reaches(url, STREAM, head, WAIT)


class Reader:
    """A consumer's reading loop, as `shared.messaging.consumer` runs it: fetch; after any
    failure rewind to the last position applied. Applies each position once, in order."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.applied: list[int] = []
        self.failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        nc = await nats.connect(self._url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
        source = JetStreamSource(nc.jetstream(timeout=5), NAMESPACE, "reader", SERVICE)
        try:
            await source.start(None)
            while not stop.is_set():
                try:
                    for delivery in await source.fetch(100, timeout=0.5):
                        assert delivery.message is not None, delivery.error
                        self._apply(delivery.message.position)
                except Exception:
                    self.failures += 1
                    await asyncio.sleep(0.2)
                    await _quietly(source.rewind(self.applied[-1] if self.applied else None))
        finally:
            await _quietly(source.close())
            await nc.close()

    def _apply(self, position: int) -> None:
        if self.applied and position <= self.applied[-1]:
            return  # a redelivery: the inbox's position check makes it change nothing
        self.applied.append(position)


async def _quietly(step: object) -> None:
    try:
        await step  # type: ignore[misc]
    except Exception:
        return


def _write(app: object, first: int, count: int) -> None:
    # Every third event internal: stream sequences and log positions differ.
    app.write([i % 3 != 0 for i in range(count)], first)  # type: ignore[attr-defined]


def test_relay_recreates_a_lost_stream_and_republishes_the_log(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_lost_stream(database_url, tmp_path))


async def _lost_stream(database_url: str, tmp_path: Path) -> None:
    app = open_application(database_url)
    outbox = Outbox(SERVICE, app, to_payload)
    server = NatsServer(tmp_path)
    stop = asyncio.Event()
    relays: list[Relay] = []
    reader = Reader(server.url)
    try:
        server.start()
        await asyncio.to_thread(_write, app, 0, 60)
        relaying = asyncio.create_task(
            run_relay(
                lambda: Outbox(SERVICE, open_application(database_url), to_payload),
                server.url,
                NAMESPACE,
                SERVICE,
                stop,
                on_relay=relays.append,
            )
        )
        await _stream_reaches(server.url, outbox.head())
        reading = asyncio.create_task(reader.run(stop))
        head = outbox.head()
        await until(lambda: bool(reader.applied) and reader.applied[-1] == head, WAIT, "read")
        await until(lambda: relays[-1].status()["current"], WAIT, "relay current")

        # NATS loses its store while the relay is idle: nothing new is written.
        server.kill()
        await until(lambda: not relays[-1].status()["current"], WAIT, "relay says it fails")
        shutil.rmtree(server.store)
        server.start()

        await _stream_reaches(server.url, head)
        await until(lambda: relays[-1].status()["current"], WAIT, "relay current again")
        await asyncio.to_thread(_write, app, 60, 30)
        head = outbox.head()
        await _stream_reaches(server.url, head)
        await until(lambda: reader.applied[-1] == head, WAIT, "read after the loss")

        assert_exactly_the_log(await whole_stream(server.url, STREAM), list(outbox.iterate()))
        published = [m.position for m in outbox.iterate()]
        assert reader.applied == published, "the reader skipped or repeated a position"
        assert reader.failures > 0, "the reader never saw the stream go away"
        stop.set()
        await asyncio.wait_for(relaying, WAIT)
        await asyncio.wait_for(reading, WAIT)
    except BaseException as exc:
        exc.add_note(f"logs in {tmp_path}")
        raise
    finally:
        stop.set()
        server.kill()
        app.close()
