"""(b) Publishing: raw pipelined JetStream publishes versus Pingyi's relay.

Both keep up to `window` messages waiting for confirmation, awaiting the oldest first. The
baseline hands `js.publish_async` the very bytes the relay will publish, already encoded,
without headers, to a stream of its own with the same settings, and waits for every ack.
The relay reads the message bodies stored with the events from the PostgreSQL log, splices
in the positions, publishes each message with the de-duplication, expected-stream,
expected-last-sequence and trace headers, asks for an ack on every 100th (and the last of
each page), and checks that every ack names the stream sequence it meant the message to
take. A second run of the relay asks for every ack, as the baseline does.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from bench.infra import Measurement, Stopwatch
from services.survey.integration import to_payload
from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import JetStreamPublisher, connect, ensure_stream, stream_name
from shared.messaging.outbox import Outbox
from shared.messaging.relay import ACK_EVERY, Relay

BASELINE_STREAM = "rawbaseline"
TIMEOUT_SECONDS = 300.0


def survey_outbox(app: Any) -> Outbox:
    return Outbox("survey", app, to_payload)


def published_messages(outbox: Outbox) -> list[IntegrationMessage]:
    return list(outbox.iterate())


async def raw_publish_seconds(
    nats_url: str, namespace: str, payloads: list[bytes], window: int
) -> float:
    nc, js = await connect(nats_url, "pingyi-bench-raw")
    try:
        await ensure_stream(js, namespace, BASELINE_STREAM)
        subject = f"{namespace}.{BASELINE_STREAM}.message"
        with Stopwatch() as watch:
            await asyncio.wait_for(_pipelined(js, subject, payloads, window), TIMEOUT_SECONDS)
        info = await js.stream_info(stream_name(namespace, BASELINE_STREAM))
        assert info.state.messages == len(payloads), info.state
        return watch.seconds
    finally:
        await nc.close()


async def _pipelined(js: Any, subject: str, payloads: list[bytes], window: int) -> None:
    pending: deque[asyncio.Future[Any]] = deque()
    for data in payloads:
        if len(pending) >= window:
            await pending.popleft()
        pending.append(await js.publish_async(subject, data))
    for future in pending:
        await future


async def relay_seconds(
    nats_url: str,
    namespace: str,
    outbox: Outbox,
    batch: int,
    window: int,
    ack_every: int = ACK_EVERY,
) -> tuple[float, int]:
    nc, js = await connect(nats_url, "pingyi-bench-relay")
    try:
        await ensure_stream(js, namespace, "survey")
        head = await asyncio.to_thread(outbox.max_position)
        publisher = JetStreamPublisher(js, namespace, "survey")
        relay = Relay(outbox, publisher, batch=batch, window=window, ack_every=ack_every)
        with Stopwatch() as watch:
            await relay.start()
            await _caught_up(relay, head)
        await relay.stop()
        return watch.seconds, relay.published
    finally:
        await nc.close()


async def _caught_up(relay: Relay, head: int | None) -> None:
    """Polls the relay's own progress; the poll interval is far below the run time."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while relay.scanned_to != head:
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay stuck at {relay.status()}")
        await asyncio.sleep(0.002)


async def _measure(nats_url: str, namespace: str, app: Any, batch: int, window: int) -> Measurement:
    outbox = survey_outbox(app)
    messages = await asyncio.to_thread(published_messages, outbox)
    payloads = [m.encode() for m in messages]
    baseline = await raw_publish_seconds(nats_url, namespace, payloads, window)
    pingyi, published = await relay_seconds(nats_url, namespace, outbox, batch, window)
    assert published == len(messages), (published, len(messages))
    every, published = await relay_seconds(nats_url, f"{namespace}_every", outbox, batch, window, 1)
    assert published == len(messages), (published, len(messages))
    head = await asyncio.to_thread(outbox.max_position)
    size = sum(map(len, payloads)) // len(payloads)
    return Measurement(
        name="publish to JetStream",
        unit="msgs/s",
        count=len(messages),
        baseline=f"js.publish_async of the same bytes, {window} acks outstanding",
        baseline_seconds=baseline,
        pingyi=f"Relay from the PostgreSQL log, pages of {batch}, {window} messages"
        f" outstanding, an ack every {ACK_EVERY}",
        pingyi_seconds=pingyi,
        pingyi_count=head,
        notes=[
            f"average message {size} bytes",
            f"the relay also scanned {(head or 0) - len(messages)} internal events it does"
            " not publish (a claim per questionnaire; per push an idempotency record, a Batch and"
            " the wave's BatchAccepted)",
            f"the relay asking for every ack, as the baseline does: {len(messages) / every:,.0f}"
            f" msgs/s ({baseline / every:.2f}x the baseline)",
        ],
    )


def measure(nats_url: str, namespace: str, app: Any, batch: int, window: int) -> Measurement:
    return asyncio.run(_measure(nats_url, namespace, app, batch, window))
