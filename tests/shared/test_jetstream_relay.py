"""Relay and consumers against real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from nats.js.api import StorageType

from services.registry.application import RegistryApplication
from services.registry.integration import to_payload
from shared.auth import BOOTSTRAP_PRINCIPAL_ID, Principal
from shared.contracts import IntegrationMessage
from shared.messaging.consumer import Consumer
from shared.messaging.jetstream import (
    JetStreamPublisher,
    JetStreamSource,
    connect,
    ensure_stream,
    stream_name,
)
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.registry_view import REGISTRY_COPY
from shared.settings import CommonSettings, eventsourcing_env
from shared.views import PostgresViewStore
from tests.conftest import NATS_URL
from tests.shared.messages import chain, unit_message

pytestmark = pytest.mark.infra
ADMIN = Principal(BOOTSTRAP_PRINCIPAL_ID, "admin", "admin", None)


async def until(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.02)


def _registry(settings: CommonSettings) -> RegistryApplication:
    PostgresViewStore(settings.database_url, "registry").setup()  # creates the schema
    return RegistryApplication(eventsourcing_env(settings, "registry", None))


def _seed(app: RegistryApplication, units: int) -> None:
    city = app.register_jurisdiction(ADMIN, "漯河市", "city", None, None)
    app.register_units(
        ADMIN,
        [
            {
                "jurisdiction_id": city["jurisdiction_id"],
                "name": f"单位{i}",
                "short_name": None,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            }
            for i in range(units)
        ],
        key="seed",
    )


async def _stream_count(js: Any, name: str) -> int:
    info = await js.stream_info(name)
    return int(info.state.messages)


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


def test_relay_publishes_in_order_once_and_resumes(production_settings: CommonSettings) -> None:
    ns = production_settings.namespace
    app = _registry(production_settings)
    _seed(app, 30)
    views = PostgresViewStore(production_settings.database_url, "registry")
    views.setup()

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            outbox = Outbox("registry", app, to_payload)
            relay = Relay(outbox, JetStreamPublisher(js, ns, "registry"), views, batch=7)
            await relay.start()
            head = outbox.head()
            await until(lambda: relay.published_to == head)
            await relay.stop()
            assert await _stream_count(js, stream_name(ns, "registry")) == 31

            # A restarted relay resumes where it recorded, publishing nothing twice.
            again = Relay(outbox, JetStreamPublisher(js, ns, "registry"), views)
            await again.start()
            app.register_units(
                ADMIN,
                [
                    {
                        "jurisdiction_id": next(iter(_jurisdictions(outbox))),
                        "name": "新单位",
                        "short_name": None,
                        "kind": "other_body",
                        "category": "政府部门及其它机构",
                    }
                ],
                key=None,
            )
            new_head = outbox.head()
            await until(lambda: again.published_to == new_head)
            await again.stop()
            assert await _stream_count(js, stream_name(ns, "registry")) == 32

            # Publishing a message again (a crash between publish and record) is de-duplicated.
            last = outbox.read(None, None, 1000).messages[-1]
            await JetStreamPublisher(js, ns, "registry").publish(last)
            assert await _stream_count(js, stream_name(ns, "registry")) == 32
        finally:
            await nc.close()

    asyncio.run(scenario())


def _jurisdictions(outbox: Outbox) -> list[str]:
    return [
        m.payload["jurisdiction_id"]
        for m in outbox.read(None, None, 1000).messages
        if m.event_type == "registry.jurisdiction.registered"
    ]


async def _publish_raw(js: Any, ns: str, message: IntegrationMessage, msg_id: str) -> None:
    await js.publish(
        message.subject(ns),
        message.encode(),
        stream=stream_name(ns, "registry"),
        headers={"Nats-Msg-Id": msg_id},
    )


def test_same_message_delivered_twice_has_one_effect(production_settings: CommonSettings) -> None:
    ns = production_settings.namespace
    views = PostgresViewStore(production_settings.database_url, "survey")
    views.setup()

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            first, second = chain(1, 2)
            for message, msg_id in ((first, "a"), (second, "b"), (first, "c"), (second, "d")):
                await _publish_raw(js, ns, message, msg_id)  # distinct ids defeat de-duplication
            consumer = Consumer(
                "survey",
                "registry",
                JetStreamSource(js, ns, "survey", "registry"),
                REGISTRY_COPY.inbox(views, "registry"),
                batch_size=1,
            )
            await consumer.start()
            await until(lambda: consumer.status.duplicates == 2)
            await consumer.stop()
            assert consumer.status.applied == 2
            assert views.last_position("registry_copy", "registry") == 2
            assert len(views.scan("units")) == 2
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_a_gap_waits_for_the_missing_message_and_never_skips_it(
    production_settings: CommonSettings,
) -> None:
    ns = production_settings.namespace
    views = PostgresViewStore(production_settings.database_url, "survey")
    views.setup()
    one, two, three = chain(1, 2, 3)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            await _publish_raw(js, ns, one, "1")
            await _publish_raw(js, ns, three, "3")  # 2 is not in the stream yet
            consumer = Consumer(
                "survey",
                "registry",
                JetStreamSource(js, ns, "survey", "registry"),
                REGISTRY_COPY.inbox(views, "registry"),
            )
            await consumer.start()
            await until(lambda: consumer.status.stalled)
            assert views.last_position("registry_copy", "registry") == 1
            assert "gap after position 1" in (consumer.status.stalled_reason or "")

            await _publish_raw(js, ns, two, "2")
            await until(lambda: views.last_position("registry_copy", "registry") == 3)
            await consumer.stop()
            assert not consumer.status.stalled
            assert {doc["name"] for _, doc in views.scan("units")} == {
                m.payload["name"] for m in (one, two, three)
            }
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_a_gap_is_reread_from_the_stream(production_settings: CommonSettings) -> None:
    """A consumer that somehow missed messages the stream holds fetches them back itself."""
    ns = production_settings.namespace
    views = PostgresViewStore(production_settings.database_url, "survey")
    views.setup()
    messages = chain(1, 2, 3, 4)

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            for message in messages:
                await _publish_raw(js, ns, message, str(message.position))
            source = JetStreamSource(js, ns, "survey", "registry")
            await source.start(None)
            fetched = await source.fetch(4, timeout=5)
            # Skip the first two deliveries as a lossy path would; the consumer must re-read them.
            inbox = REGISTRY_COPY.inbox(views, "registry")
            consumer = Consumer("survey", "registry", source, inbox)
            await consumer._handle(fetched[2:])
            assert views.last_position("registry_copy", "registry") == 4
            assert len(views.scan("units")) == 4
        finally:
            await nc.close()

    asyncio.run(scenario())


def test_a_message_position_is_not_reapplied_after_restart(
    production_settings: CommonSettings,
) -> None:
    ns = production_settings.namespace
    views = PostgresViewStore(production_settings.database_url, "survey")
    views.setup()

    async def scenario() -> None:
        nc, js = await connect(NATS_URL, "test")
        try:
            await ensure_stream(js, ns, "registry")
            for message in chain(1, 2, 3):
                await _publish_raw(js, ns, message, str(message.position))
            first = Consumer(
                "survey",
                "registry",
                JetStreamSource(js, ns, "survey", "registry"),
                REGISTRY_COPY.inbox(views, "registry"),
            )
            await first.start()
            await until(lambda: views.last_position("registry_copy", "registry") == 3)
            await first.stop()
            await _publish_raw(js, ns, unit_message(4, 3), "4")
            second = Consumer(
                "survey",
                "registry",
                JetStreamSource(js, ns, "survey", "registry"),
                REGISTRY_COPY.inbox(views, "registry"),
            )
            await second.start()
            await until(lambda: views.last_position("registry_copy", "registry") == 4)
            await second.stop()
            assert second.status.applied == 1
        finally:
            await nc.close()

    asyncio.run(scenario())


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
            await JetStreamPublisher(js, ns, "registry").publish(unit_message(1, None))
            raw = await js.get_msg(stream_name(ns, "registry"), 1)
            headers = dict(raw.headers or {})
            assert headers["traceparent"].startswith("00-")
            assert "traceparent" not in (raw.data or b"").decode()
        finally:
            await nc.close()

    asyncio.run(scenario())
