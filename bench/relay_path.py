"""(b) Publishing: plain JetStream publishes versus Pingyi's relay.

Both publish one message at a time and wait for the stream's ack before the next, which is
what the relay does to keep the stream in log order. The baseline publishes the very bytes
the relay will publish, already encoded; the relay reads them from the PostgreSQL log,
maps each stored event to its contract, encodes it, adds the de-duplication and trace
headers, and records how far it got after every page.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.infra import Measurement, Stopwatch
from services.survey.integration import to_payload
from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import JetStreamPublisher, connect, ensure_stream
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.views import PostgresViewStore

RELAY_STATE_SCHEMA = "relay_state"
BASELINE_STREAM = "rawbaseline"
TIMEOUT_SECONDS = 300.0


def survey_outbox(app: Any) -> Outbox:
    return Outbox("survey", app, to_payload)


def published_messages(outbox: Outbox) -> list[IntegrationMessage]:
    return list(outbox.iterate())


async def raw_publish_seconds(nats_url: str, namespace: str, payloads: list[bytes]) -> float:
    nc, js = await connect(nats_url, "pingyi-bench-raw")
    try:
        # Same stream settings as a service's origin stream, under a name of its own.
        await ensure_stream(js, namespace, BASELINE_STREAM)
        subject = f"{namespace}.{BASELINE_STREAM}.message"
        with Stopwatch() as watch:
            for data in payloads:
                await js.publish(subject, data)
        info = await js.stream_info(f"{namespace}_{BASELINE_STREAM}".upper())
        assert info.state.messages == len(payloads), info.state
        return watch.seconds
    finally:
        await nc.close()


async def relay_seconds(
    nats_url: str, namespace: str, database_url: str, outbox: Outbox, batch: int
) -> tuple[float, int]:
    nc, js = await connect(nats_url, "pingyi-bench-relay")
    state = PostgresViewStore(database_url, RELAY_STATE_SCHEMA)
    await asyncio.to_thread(state.setup)
    try:
        await ensure_stream(js, namespace, "survey")
        head = await asyncio.to_thread(outbox.max_position)
        relay = Relay(outbox, JetStreamPublisher(js, namespace, "survey"), state, batch)
        with Stopwatch() as watch:
            await relay.start()
            await _caught_up(relay, head)
        await relay.stop()
        return watch.seconds, relay.published
    finally:
        await asyncio.to_thread(state.close)
        await nc.close()


async def _caught_up(relay: Relay, head: int | None) -> None:
    """Polls the relay's own progress; the poll interval is far below the run time."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while relay.scanned_to != head:
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay stuck at {relay.status()}")
        await asyncio.sleep(0.002)


async def _measure(
    nats_url: str, namespace: str, database_url: str, app: Any, batch: int
) -> Measurement:
    outbox = survey_outbox(app)
    messages = await asyncio.to_thread(published_messages, outbox)
    payloads = [m.encode() for m in messages]
    baseline = await raw_publish_seconds(nats_url, namespace, payloads)
    pingyi, published = await relay_seconds(nats_url, namespace, database_url, outbox, batch)
    assert published == len(messages), (published, len(messages))
    head = await asyncio.to_thread(outbox.max_position)
    size = sum(map(len, payloads)) // len(payloads)
    return Measurement(
        name="publish to JetStream",
        unit="msgs/s",
        count=len(messages),
        baseline="js.publish of the same bytes, one ack at a time",
        baseline_seconds=baseline,
        pingyi=f"Relay from the PostgreSQL log, pages of {batch}",
        pingyi_seconds=pingyi,
        pingyi_count=head,
        notes=[
            f"average message {size} bytes",
            f"the relay also scanned {(head or 0) - len(messages)} internal events it does"
            " not publish (idempotency records)",
        ],
    )


def measure(nats_url: str, namespace: str, database_url: str, app: Any, batch: int) -> Measurement:
    return asyncio.run(_measure(nats_url, namespace, database_url, app, batch))
