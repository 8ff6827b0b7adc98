"""A stream that ends before where its consumer stands (NATS lost it, and the upstream's
relay is publishing the log into it again) is not "caught up": an empty fetch there would
let a service call its copy of keys current while a revocation is still to come."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import nats
import pytest

from shared.messaging.jetstream import ensure_stream, stream_name
from shared.messaging.jetstream_source import JetStreamSource, StreamBehind
from tests.conftest import NATS_URL
from tests.shared.messages import chain

pytestmark = pytest.mark.infra


async def _publish_all(js: Any, ns: str, positions: range) -> None:
    for message in chain(*positions, start_previous=positions.start - 1 or None):
        await js.publish(
            f"{ns}.registry.unit.registered",
            message.encode(),
            stream=stream_name(ns, "registry"),
            headers={"Nats-Msg-Id": f"registry:{message.position}"},
        )


async def _read_all(source: JetStreamSource) -> list[int]:
    read: list[int] = []
    while batch := await source.fetch(100, timeout=1):
        read += [d.message.position for d in batch if d.message is not None]
    return read


@asynccontextmanager
async def _reading(ns: str) -> AsyncIterator[tuple[Any, JetStreamSource]]:
    """The namespace's registry stream (made empty if new) and a source reading it."""
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream(timeout=5)
    source = JetStreamSource(js, ns, "survey-copy", "registry")
    try:
        await ensure_stream(js, ns, "registry")
        yield js, source
    finally:
        await source.close()
        await nc.close()


def test_a_stream_behind_its_consumer_is_not_caught_up(nats_namespace: str) -> None:
    async def scenario() -> None:
        ns = nats_namespace
        async with _reading(ns) as (js, source):
            await _publish_all(js, ns, range(1, 11))
            await source.start(None)
            assert await _read_all(source) == list(range(1, 11))

            # NATS loses the stream; the relay has published 5 of the 10 positions again.
            await js.delete_stream(stream_name(ns, "registry"))
            await ensure_stream(js, ns, "registry")
            await _publish_all(js, ns, range(1, 6))
            # Its server-side consumer went with the stream: re-created, found behind.
            with pytest.raises(StreamBehind, match="ends before position 10"):
                await _read_all(source)
            await source.rewind(10)  # as the consumer does after a failed fetch
            with pytest.raises(StreamBehind, match="ends before position 10"):
                await _read_all(source)

            await _publish_all(js, ns, range(6, 13))
            await source.rewind(10)
            read = await _read_all(source)
            assert read[-2:] == [11, 12] and all(p <= 10 for p in read[:-2])
            assert await source.fetch(100, timeout=1) == []  # caught up again

    asyncio.run(scenario())


def test_a_restarted_consumer_is_behind_a_stream_that_lost_what_it_applied(
    nats_namespace: str,
) -> None:
    async def scenario() -> None:
        ns = nats_namespace
        async with _reading(ns) as (js, source):  # an empty stream: the store was lost
            await source.start(7)  # the consumer's own tables say it applied 7
            with pytest.raises(StreamBehind):
                await source.fetch(100, timeout=1)
            await _publish_all(js, ns, range(1, 8))
            await source.rewind(7)
            assert await source.fetch(100, timeout=1) == []

    asyncio.run(scenario())
