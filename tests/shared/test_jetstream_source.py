"""Consumers reading JetStream through `JetStreamSource`, against real PostgreSQL and NATS:
in order, nothing skipped, nothing applied twice, progress only in our own tables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from shared.contracts import IntegrationMessage
from shared.messaging.consumer import Consumer
from shared.messaging.jetstream import connect, ensure_stream, stream_name
from shared.messaging.jetstream_source import JetStreamSource, sequence_after
from shared.registry_view import REGISTRY_COPY
from shared.settings import CommonSettings
from shared.views import PostgresViewStore
from tests.conftest import NATS_URL
from tests.shared.messages import chain, unit_message
from tests.shared.nats_process import NatsServer
from tests.shared.relay_support import until

pytestmark = pytest.mark.infra
NAME = "survey-registry_copy-v1"
Scenario = Callable[[Any, str, PostgresViewStore], Awaitable[None]]


def _run(settings: CommonSettings, scenario: Scenario, nats_url: str = NATS_URL) -> None:
    views = PostgresViewStore(settings.database_url, "survey")
    views.setup()

    async def main() -> None:
        nc, js = await connect(nats_url, "test")
        try:
            await ensure_stream(js, settings.namespace, "registry")
            await scenario(js, settings.namespace, views)
        finally:
            await nc.close()

    try:
        asyncio.run(main())
    finally:
        views.close()


async def _publish(js: Any, ns: str, message: IntegrationMessage | bytes, msg_id: str) -> None:
    """As any publisher could, without the relay's ordering: to build odd streams."""
    data = message if isinstance(message, bytes) else message.encode()
    await js.publish(
        f"{ns}.registry.unit.registered",
        data,
        stream=stream_name(ns, "registry"),
        headers={"Nats-Msg-Id": msg_id},
    )


def _consumer(
    js: Any, ns: str, views: PostgresViewStore, request_timeout: float = 5.0, **options: Any
) -> Consumer:
    source = JetStreamSource(js, ns, NAME, "registry", request_timeout=request_timeout)
    return Consumer(NAME, "registry", source, REGISTRY_COPY.inbox(views, "registry"), **options)


def _position(views: PostgresViewStore) -> int | None:
    return views.last_position("registry_copy", "registry")


async def _consumer_count(js: Any, ns: str) -> int:
    info = await js.stream_info(stream_name(ns, "registry"))
    return int(info.state.consumer_count or 0)


def test_same_message_delivered_twice_has_one_effect(production_settings: CommonSettings) -> None:
    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        first, second = chain(1, 2)
        for message, msg_id in ((first, "a"), (second, "b"), (first, "c"), (second, "d")):
            await _publish(js, ns, message, msg_id)  # distinct ids defeat de-duplication
        consumer = _consumer(js, ns, views, batch_size=1)
        await consumer.start()
        await until(lambda: consumer.status.duplicates == 2)
        await consumer.stop()
        assert consumer.status.applied == 2
        assert _position(views) == 2
        assert len(views.scan("units")) == 2

    _run(production_settings, scenario)


def test_a_gap_waits_for_the_missing_message_and_never_skips_it(
    production_settings: CommonSettings,
) -> None:
    one, two, three = chain(1, 2, 3)

    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        await _publish(js, ns, one, "1")
        await _publish(js, ns, three, "3")  # 2 is not in the stream yet
        consumer = _consumer(js, ns, views)
        await consumer.start()
        await until(lambda: consumer.status.stalled)
        assert _position(views) == 1
        assert "gap after position 1" in (consumer.status.stalled_reason or "")

        await _publish(js, ns, two, "2")
        await until(lambda: _position(views) == 3)
        await consumer.stop()
        assert not consumer.status.stalled
        assert {doc["name"] for _, doc in views.scan("units")} == {
            m.payload["name"] for m in (one, two, three)
        }

    _run(production_settings, scenario)


def test_the_start_is_found_by_binary_search(production_settings: CommonSettings) -> None:
    """Positions skip numbers (internal events are not published); a search reads the
    stream O(log n) times and lands right after the given position."""
    messages = chain(*range(2, 602, 2))  # 300 messages, positions 2, 4, …, 600

    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        for message in messages:
            await _publish(js, ns, message, str(message.position))
        reads = 0
        get_msg = js.get_msg

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return await get_msg(*args, **kwargs)

        js.get_msg = counted
        stream = stream_name(ns, "registry")
        expected = {None: 1, 1: 1, 2: 2, 3: 2, 300: 151, 599: 300, 600: 301, 10_000: 301}
        for position, sequence in expected.items():
            reads = 0
            assert await sequence_after(js, stream, position) == sequence, position
            assert reads <= 10, (position, reads)  # ceil(log2(301)) == 9

    _run(production_settings, scenario)


def test_replicas_without_a_lease_each_read_every_message(
    production_settings: CommonSettings,
) -> None:
    """Two replicas' security copies follow one upstream into one table, each through a
    consumer of its own: neither misses a message (a shared durable consumer would split
    them), each knows by itself that it has caught up, and nothing is applied twice."""

    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        replicas = [_consumer(js, ns, views, batch_size=7) for _ in range(2)]
        for replica in replicas:
            await replica.start()
        for message in chain(*range(1, 41)):
            await _publish(js, ns, message, str(message.position))
        for replica in replicas:
            await until(lambda r=replica: r.status.last_position == 40)  # type: ignore[misc]
            await until(lambda r=replica: r.status.caught_up_at is not None)  # type: ignore[misc]
        assert await _consumer_count(js, ns) == 2
        await asyncio.gather(*(replica.stop() for replica in replicas))
        assert _position(views) == 40
        assert len(views.scan("units")) == 40
        assert not any(replica.status.stalled for replica in replicas)
        assert await _consumer_count(js, ns) == 0  # closing deletes each one's consumer

    _run(production_settings, scenario)


def test_a_reset_view_reads_again_from_its_own_position(
    production_settings: CommonSettings,
) -> None:
    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        for message in chain(1, 2, 3):
            await _publish(js, ns, message, str(message.position))
        first = _consumer(js, ns, views)
        await first.start()
        await until(lambda: _position(views) == 3)
        await first.stop()
        # Rebuilt (as `pingyi rebuild` does): a reset never lowers the version, and an
        # applier runs only at the version stored, so it is this view's own.
        views.reset("registry_copy", REGISTRY_COPY.collection_names, REGISTRY_COPY.version)
        assert _position(views) is None and views.scan("units") == []
        again = _consumer(js, ns, views)
        await again.start()
        await until(lambda: _position(views) == 3)
        await again.stop()
        assert again.status.applied == 3
        assert len(views.scan("units")) == 3

    _run(production_settings, scenario)


def test_a_message_position_is_not_reapplied_after_restart(
    production_settings: CommonSettings,
) -> None:
    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        for message in chain(1, 2, 3):
            await _publish(js, ns, message, str(message.position))
        first = _consumer(js, ns, views)
        await first.start()
        await until(lambda: _position(views) == 3)
        await first.stop()
        await _publish(js, ns, unit_message(4, 3), "4")
        second = _consumer(js, ns, views)
        await second.start()
        await until(lambda: _position(views) == 4)
        await second.stop()
        assert second.status.applied == 1 and second.status.duplicates == 0

    _run(production_settings, scenario)


def test_an_undecodable_message_stalls_and_nothing_after_it_is_applied(
    production_settings: CommonSettings,
) -> None:
    one, two = chain(1, 2)

    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        await _publish(js, ns, one, "1")
        await _publish(js, ns, "不是JSON".encode(), "poison")
        await _publish(js, ns, two, "2")
        consumer = _consumer(js, ns, views)
        source = consumer._source
        assert isinstance(source, JetStreamSource)
        await consumer.start()
        await until(lambda: consumer.status.stalled)
        # Read again from the last applied position, and stalled again on the same message.
        await until(lambda: source.consumers_created >= 3)
        assert consumer.status.stalled
        assert "undecodable message at stream sequence 2" in (consumer.status.stalled_reason or "")
        await consumer.stop()
        assert _position(views) == 1
        assert consumer.status.caught_up_at is None

    _run(production_settings, scenario)


def test_a_consumer_removed_by_the_server_is_created_again(
    production_settings: CommonSettings,
) -> None:
    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        for message in chain(1, 2):
            await _publish(js, ns, message, str(message.position))
        consumer = _consumer(js, ns, views)
        source = consumer._source
        assert isinstance(source, JetStreamSource)
        await consumer.start()
        await until(lambda: _position(views) == 2 and consumer.status.caught_up_at is not None)
        removed = source.consumer_name
        assert removed is not None
        await js.delete_consumer(stream_name(ns, "registry"), removed)
        await _publish(js, ns, unit_message(3, 2), "3")
        await until(lambda: _position(views) == 3)
        await consumer.stop()
        assert source.consumers_created == 2 and not consumer.status.stalled
        assert consumer.status.applied == 3

    _run(production_settings, scenario)


def test_without_the_server_a_consumer_is_not_caught_up_and_resumes_after(
    production_settings: CommonSettings, tmp_path: Path
) -> None:
    """An empty fetch counts as caught up only when the server said so: while NATS is away
    the security copy's freshness runs out instead of being renewed by timeouts."""
    server = NatsServer(tmp_path)
    server.start()

    async def scenario(js: Any, ns: str, views: PostgresViewStore) -> None:
        await _publish(js, ns, unit_message(1, None), "1")
        consumer = _consumer(js, ns, views, request_timeout=1.0, fetch_timeout=0.2)
        await consumer.start()
        await until(lambda: consumer.status.caught_up_at is not None)
        server.kill()
        await until(lambda: consumer.status.consecutive_failures > 0)
        away_since = consumer.status.caught_up_at
        await until(lambda: consumer.status.consecutive_failures > 1)
        assert consumer.status.caught_up_at == away_since
        server.start()
        await _publish(js, ns, unit_message(2, 1), "2")
        await until(lambda: _position(views) == 2, timeout=60)
        await until(lambda: consumer.status.caught_up_at != away_since)
        await consumer.stop()

    try:
        _run(production_settings, scenario, nats_url=server.url)
    finally:
        server.kill()
