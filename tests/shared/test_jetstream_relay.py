"""The relay against real PostgreSQL and NATS JetStream (consumers: test_jetstream_source)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nats.js.api import StorageType
from nats.js.errors import BadRequestError

from services.registry.application import RegistryApplication
from services.registry.integration import to_payload
from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import (
    JetStreamPublisher,
    connect,
    ensure_stream,
    stream_name,
)
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.principals import BOOTSTRAP_PRINCIPAL_ID, Principal
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import PostgresViewStore
from tests.conftest import NATS_URL
from tests.shared.messages import chain, unit_message
from tests.shared.relay_support import assert_exactly_the_log, stream_messages, until

pytestmark = pytest.mark.infra
ADMIN = Principal(BOOTSTRAP_PRINCIPAL_ID, "admin", "admin", None)
NEVER = 3600.0
"""A poll interval no test outlives: the relay moves only when woken or notified."""


def _registry(settings: CommonSettings) -> RegistryApplication:
    if settings.mode == "production":
        PostgresViewStore(settings.database_url, "registry").setup()  # creates the schema
    return RegistryApplication(eventsourcing_env(settings, "registry", None))


def _seed(app: RegistryApplication, units: int) -> None:
    city = app.register_jurisdiction(ADMIN, "漯河市", "city", None, None)
    _add_units(app, city["jurisdiction_id"], units, key="seed")


def _add_units(app: RegistryApplication, jurisdiction: Any, count: int, key: str | None) -> None:
    app.register_units(
        ADMIN,
        [
            {
                "jurisdiction_id": jurisdiction,
                "name": f"单位{key}-{i}",
                "short_name": None,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            }
            for i in range(count)
        ],
        key=key,
    )


def _jurisdiction(outbox: Outbox) -> str:
    return next(
        m.payload["jurisdiction_id"]
        for m in outbox.iterate()
        if m.event_type == "registry.jurisdiction.registered"
    )


async def _stream_count(js: Any, name: str) -> int:
    info = await js.stream_info(name)
    return int(info.state.messages)


async def _relayed_exactly(js: Any, ns: str, outbox: Outbox) -> None:
    stream = await stream_messages(js, stream_name(ns, "registry"))
    assert_exactly_the_log(stream, list(outbox.iterate()))


def test_stream_is_created_for_audit_and_idempotently(production_settings: CommonSettings) -> None:
    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, production_settings.namespace, "registry")
            await ensure_stream(js, production_settings.namespace, "registry")
            info = await js.stream_info(stream_name(production_settings.namespace, "registry"))
            assert info.config.storage == StorageType.FILE
            assert info.config.deny_delete and info.config.deny_purge
            assert not info.config.max_age
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_a_stream_asks_for_the_replicas_the_settings_name(nats_namespace: str) -> None:
    """A single server cannot keep three copies: it refuses, which shows the number is asked
    for (tests/cluster runs three servers, where the stream gets them)."""

    async def scenario() -> None:
        # The first server named is down: the client goes on to the next one.
        nc, js = await connect(f"nats://127.0.0.1:1, {NATS_URL}", "test")
        try:
            await ensure_stream(js, nats_namespace, "survey", replicas=1)
            info = await js.stream_info(stream_name(nats_namespace, "survey"))
            assert info.config.num_replicas == 1
            with pytest.raises(Exception, match=r"replicas|insufficient resources"):
                await ensure_stream(js, nats_namespace, "scoring", replicas=3)
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_relay_publishes_in_order_once_and_resumes(production_settings: CommonSettings) -> None:
    ns = production_settings.namespace
    app = _registry(production_settings)
    _seed(app, 30)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            outbox = Outbox("registry", app, to_payload)
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"), batch=7, window=5)
            await relay.start()
            head = outbox.head()
            # The log may end in rows nothing publishes (a unit's name claim): the relay has
            # caught up once it has scanned them too, not only published the last message.
            await until(lambda: relay.published_to == head and relay.status()["lag"] == 0)
            await relay.stop()
            assert await _stream_count(js, stream_name(ns, "registry")) == 31
            assert relay.status()["lag"] == 0 and relay.status()["in_flight"] == 0
            await _relayed_exactly(js, ns, outbox)

            # A restarted relay learns from the stream where to resume: nothing twice.
            again = Relay(outbox, JetStreamPublisher(js, ns, "registry"))
            app.on_commit(again.wake)
            await again.start()
            _add_units(app, _jurisdiction(outbox), 1, key=None)
            new_head = outbox.head()
            await until(lambda: again.published_to == new_head)
            await again.stop()
            assert again.published == 1
            assert await _stream_count(js, stream_name(ns, "registry")) == 32
            await _relayed_exactly(js, ns, outbox)

            # Publishing a message again (a relay that died before it saw the ack, within
            # the duplicate window) is de-duplicated by the server.
            last = list(outbox.iterate())[-1]
            await JetStreamPublisher(js, ns, "registry").publish(last)
            assert await _stream_count(js, stream_name(ns, "registry")) == 32
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_relay_resumes_after_what_a_crashed_relay_published(
    production_settings: CommonSettings,
) -> None:
    """A relay killed with acks outstanding recorded nothing anywhere; whatever of its work
    reached the stream is where the next one starts."""
    ns = production_settings.namespace
    app = _registry(production_settings)
    _seed(app, 12)
    outbox = Outbox("registry", app, to_payload)
    log = list(outbox.iterate())

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            crashed = JetStreamPublisher(js, ns, "registry")
            acks = [await crashed.send(m, after) for after, m in enumerate(log[:5])]
            await asyncio.wait_for(asyncio.gather(*acks), 10)
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"))
            await relay.start()
            await until(lambda: relay.published_to == log[-1].position)
            await relay.stop()
            assert relay.published == len(log) - 5
            await _relayed_exactly(js, ns, outbox)
        finally:
            await nc.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("ack_every", [1, 100])
def test_messages_stored_behind_the_relays_back_are_not_stored_twice(
    production_settings: CommonSettings, embedded_settings: CommonSettings, ack_every: int
) -> None:
    """Messages reach the stream behind the relay's back (a stale relay, past the duplicate
    window). Acked one by one, the relay's next publish is refused as out of sequence and
    the relay resumes after what the stream holds. Acked in groups, the refusals of the
    unacked publishes go unseen, and need not be seen: the messages after them take the
    very sequences they were meant for. Either way no position is stored twice."""
    ns = production_settings.namespace
    app = _registry(embedded_settings)  # SQLite: no NOTIFY, the relay moves only when woken
    _seed(app, 5)
    outbox = Outbox("registry", app, to_payload)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            publisher = JetStreamPublisher(js, ns, "registry")
            relay = Relay(outbox, publisher, poll=NEVER, ack_every=ack_every)
            await relay.start()
            await until(lambda: relay.published_to == outbox.head())
            done = relay.published_to
            _add_units(app, _jurisdiction(outbox), 4, key="more")
            for stale in outbox.read(done, done, 1000).messages[:2]:
                await _publish_raw(js, ns, stale, msg_id=None)
            relay.wake()
            # Healthy again once a publish after the resync is acked, which may come a
            # moment after the position is reached: wait for both, not the first alone.
            await until(
                lambda: relay.published_to == outbox.head() and relay.status()["last_error"] is None
            )
            await relay.stop()
            assert relay.resyncs == (1 if ack_every == 1 else 0)
            await _relayed_exactly(js, ns, outbox)
        finally:
            await nc.close()
            app.close()

    asyncio.run(scenario())


def test_a_refused_async_publish_fails_its_future(production_settings: CommonSettings) -> None:
    """nats-py 2.16 leaves such a future pending for ever (nats-io/nats.py#985); the relay
    relies on the repair in `PingyiJetStream`, and on the server checking a last sequence
    of 0 (an empty stream) like any other."""
    ns = production_settings.namespace

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            publisher = JetStreamPublisher(js, ns, "registry")
            first, second = chain(1, 2)
            assert (await asyncio.wait_for(await publisher.send(first, 0), 10)).seq == 1
            refused = await publisher.send(second, 0)
            with pytest.raises(BadRequestError, match="wrong last sequence"):
                await asyncio.wait_for(refused, 10)
            assert await _stream_count(js, stream_name(ns, "registry")) == 1
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_relay_refuses_a_stream_that_is_ahead_of_its_log(
    production_settings: CommonSettings, embedded_settings: CommonSettings
) -> None:
    ns = production_settings.namespace
    app = _registry(embedded_settings)
    _seed(app, 1)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            await _publish_raw(js, ns, unit_message(1000, None), msg_id="elsewhere")
            relay = Relay(
                Outbox("registry", app, to_payload), JetStreamPublisher(js, ns, "registry")
            )
            await relay.start()
            await until(lambda: relay.resyncs > 0)
            await relay.stop()
            assert "StreamAhead" in (relay.status()["last_error"] or "")
            assert await _stream_count(js, stream_name(ns, "registry")) == 1
        finally:
            await nc.close()
            app.close()

    asyncio.run(scenario())


def test_relay_hears_commits_of_other_processes_through_listen(
    production_settings: CommonSettings,
) -> None:
    """No wake() and no polling: only PostgreSQL's NOTIFY can tell this relay about new
    events, as in a relay process of its own or for another replica's commits."""
    ns = production_settings.namespace
    app = _registry(production_settings)
    _seed(app, 2)
    outbox = Outbox("registry", app, to_payload)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"), poll=NEVER)
            await relay.start()
            await until(lambda: relay.status()["listening"] and relay.published_to is not None)
            await asyncio.to_thread(_add_units, app, _jurisdiction(outbox), 3, "later")
            await until(lambda: relay.published_to == outbox.head())
            await relay.stop()
            await _relayed_exactly(js, ns, outbox)
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_relay_polls_a_log_that_cannot_notify(
    production_settings: CommonSettings, embedded_settings: CommonSettings
) -> None:
    ns = production_settings.namespace
    app = _registry(embedded_settings)
    _seed(app, 2)
    outbox = Outbox("registry", app, to_payload)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"), poll=0.05)
            await relay.start()
            await until(lambda: relay.published_to == outbox.head())
            await asyncio.to_thread(_add_units, app, _jurisdiction(outbox), 3, "later")
            await until(lambda: relay.published_to == outbox.head())
            await relay.stop()
            assert not relay.status()["listening"]
            await _relayed_exactly(js, ns, outbox)
        finally:
            await nc.close()
            app.close()

    asyncio.run(scenario())


async def _publish_raw(js: Any, ns: str, message: IntegrationMessage, msg_id: str | None) -> None:
    await js.publish(
        message.subject(ns),
        message.encode(),
        stream=stream_name(ns, "registry"),
        headers=None if msg_id is None else {"Nats-Msg-Id": msg_id},
    )


def test_trace_context_travels_in_headers_not_payloads(production_settings: CommonSettings) -> None:
    from opentelemetry import trace as otel_trace
    from opentelemetry.sdk.trace import TracerProvider

    if not isinstance(otel_trace.get_tracer_provider(), TracerProvider):
        otel_trace.set_tracer_provider(TracerProvider())
    ns = production_settings.namespace

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            publisher = JetStreamPublisher(js, ns, "registry")
            await publisher.publish(unit_message(1, None))
            await asyncio.wait_for(await publisher.send(unit_message(2, 1), 1), 10)  # as the relay
            for sequence in (1, 2):
                raw = await js.get_msg(stream_name(ns, "registry"), sequence)
                headers = dict(raw.headers or {})
                assert headers["traceparent"].startswith("00-")
                assert headers["Nats-Msg-Id"] == f"registry:{sequence}"
                assert "traceparent" not in (raw.data or b"").decode()
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_relayed_messages_carry_the_trace_context_of_their_page(
    production_settings: CommonSettings,
) -> None:
    """One producer span per page read from the log, not per message (which doubled the
    relay's time per message); every message names it."""
    from opentelemetry import trace as otel_trace
    from opentelemetry.sdk.trace import TracerProvider

    if not isinstance(otel_trace.get_tracer_provider(), TracerProvider):
        otel_trace.set_tracer_provider(TracerProvider())
    ns = production_settings.namespace
    app = _registry(production_settings)
    _seed(app, 3)
    outbox = Outbox("registry", app, to_payload)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"), batch=3)
            await relay.start()
            await until(lambda: relay.published_to == outbox.head())
            await relay.stop()
            parents = []
            for sequence in range(1, 5):
                raw = await js.get_msg(stream_name(ns, "registry"), sequence)
                parents.append(dict(raw.headers or {})["traceparent"].split("-")[2])
            # pages of 3 notifications: the jurisdiction, two units; a unit, the idempotency record
            assert parents[0] == parents[1] == parents[2] != parents[3]
        finally:
            await nc.close()

    asyncio.run(scenario())
