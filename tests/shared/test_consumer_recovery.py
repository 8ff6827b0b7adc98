"""A consumer of a quiet upstream recovers from an outage without waiting for a new message.

After NATS or PostgreSQL was away long enough for a consumer to stall, the first read that
succeeds and finds nothing new (the upstream is reachable and the consumer is at its head)
ends the stall and renews `caught_up_at`, as applying a message does; and with it the
security copy's freshness, so API keys are trusted again and /readyz says so. Real outages:
a NATS server and a PostgreSQL server of the test's own, killed and started again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pingyi.composition import default_transport, open_outbox
from shared.auth import CurrentPrincipal
from shared.contracts import IntegrationMessage
from shared.contracts.registry import PrincipalIssued
from shared.http import build_app
from shared.messaging.consumer import STALL_AFTER_FAILURES, Consumer
from shared.messaging.jetstream import connect, ensure_stream, stream_name
from shared.messaging.jetstream_source import JetStreamSource
from shared.messaging.sources import LocalLogSource
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow
from shared.principals import hash_api_key, new_api_key
from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import CommonSettings, ServiceSettings
from shared.views import PostgresViewStore
from tests.pg_instance import PgInstance
from tests.shared.messages import unit_message
from tests.shared.nats_process import NatsServer
from tests.shared.relay_support import until

pytestmark = pytest.mark.infra
NAME = "survey-registry_copy-v1"
OUTAGE = 60.0
"""Seconds allowed for a stall to show, and again for the recovery."""


def _stalled_by_outage(consumer: Consumer) -> bool:
    status = consumer.status
    return status.stalled and status.consecutive_failures >= STALL_AFTER_FAILURES


def _recovered(consumer: Consumer, away_since: float | None) -> Callable[[], bool]:
    def check() -> bool:
        status = consumer.status
        return (
            not status.stalled
            and status.caught_up_at is not None
            and (away_since is None or status.caught_up_at > away_since)
        )

    return check


def _assert_recovered(consumer: Consumer) -> None:
    status = consumer.status
    assert status.stalled_reason is None and status.stalled_at is None
    assert status.consecutive_failures == 0
    assert status.pending == 0
    assert status.as_dict()["stalled"] is False


def test_a_quiet_jetstream_upstream_is_caught_up_again_after_nats_returns(
    production_settings: CommonSettings, tmp_path: Path
) -> None:
    """Nothing is published after the restart: the consumer's empty, server-confirmed fetch
    alone ends the stall."""
    server = NatsServer(tmp_path)
    server.start()
    ns = production_settings.namespace
    views = PostgresViewStore(production_settings.database_url, "survey")
    views.setup()

    async def scenario() -> None:
        nc, js = await connect(server.url, "test")
        try:
            await ensure_stream(js, ns, "registry")
            await js.publish(
                f"{ns}.registry.unit.registered",
                unit_message(1, None).encode(),
                stream=stream_name(ns, "registry"),
                headers={"Nats-Msg-Id": "1"},
            )
            source = JetStreamSource(js, ns, NAME, "registry", request_timeout=1.0)
            inbox = REGISTRY_COPY.inbox(views, "registry")
            consumer = Consumer(NAME, "registry", source, inbox, fetch_timeout=0.2)
            await consumer.start()
            try:
                await until(lambda: consumer.status.caught_up_at is not None, what="caught up")
                assert consumer.status.last_position == 1
                server.kill()
                await until(lambda: _stalled_by_outage(consumer), OUTAGE, "stalled by the outage")
                away_since = consumer.status.caught_up_at
                assert away_since is not None

                server.start()
                await until(_recovered(consumer, away_since), OUTAGE, "caught up again")
                _assert_recovered(consumer)
                assert consumer.status.last_position == 1
                assert consumer.status.applied == 1  # nothing new was needed, nor applied
                info = await js.stream_info(stream_name(ns, "registry"))
                assert info.state.last_seq == 1
            finally:
                await consumer.stop()
        finally:
            await nc.close()

    try:
        asyncio.run(scenario())
    finally:
        views.close()
        server.kill()


@pytest.mark.parametrize("own_postgres", ["registry"], indirect=True)
def test_a_consumer_of_a_local_log_is_caught_up_again_after_postgres_returns(
    own_postgres: PgInstance,
) -> None:
    """As the registry's own security copy reads the registry's log: the log and the copy
    in one database, which goes away (PoolTimeout, broken connections) and comes back, with
    nothing written to the log since."""
    common = CommonSettings(
        mode="production", database_url=own_postgres.url("pingyi"), database_wait_timeout=2
    )
    views = PostgresViewStore(common.database_url, "survey", pool_timeout=1.0)
    views.setup()

    async def scenario() -> None:
        source = LocalLogSource(lambda: open_outbox("registry", common), 0.1, owns_outbox=True)
        inbox = REGISTRY_COPY.inbox(views, "registry")
        consumer = Consumer(NAME, "registry", source, inbox, fetch_timeout=0.2)
        await consumer.start()
        try:
            await until(lambda: consumer.status.caught_up_at is not None, what="caught up")
            await asyncio.to_thread(own_postgres.stop, "immediate")
            await until(lambda: _stalled_by_outage(consumer), OUTAGE, "stalled by the outage")
            away_since = consumer.status.caught_up_at
            assert away_since is not None

            await asyncio.to_thread(own_postgres.start)
            await asyncio.to_thread(own_postgres.wait_accepting)
            await until(_recovered(consumer, away_since), OUTAGE, "caught up again")
            _assert_recovered(consumer)
            assert consumer.status.last_position is None and consumer.status.applied == 0
        finally:
            await consumer.stop()

    try:
        asyncio.run(scenario())
    finally:
        views.close()


router = PolicyRouter()


@router.get("/whoami", **allow(Policy.read(*PARTICIPANTS)))
def whoami(caller: CurrentPrincipal) -> dict[str, str]:
    return {"actor": caller.actor}


class ProbeApplication(PublishingApplication):
    name = "probe"


PROBE = ServiceDefinition(
    name="probe",
    title="probe",
    description="a test service built from the kernel template, following the registry",
    application=ProbeApplication,
    settings=ServiceSettings,
    payload_mapper=lambda event: None,
    api=lambda: ServiceApi(routers=(router,)),
    views=(SECURITY_VIEW,),
)


@contextmanager
def _probe(common: CommonSettings) -> Iterator[TestClient]:
    runtime = ServiceRuntime(PROBE, common, ServiceSettings(), default_transport(common))
    with TestClient(build_app(runtime)) as client:
        yield client


def _principal_issued(key: str) -> IntegrationMessage:
    payload = PrincipalIssued(
        principal_id=uuid.uuid4(),
        name="舞阳县纠风办",
        role="office",
        jurisdiction_id=uuid.uuid4(),
        key_hash=hash_api_key(key),
    )
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("registry", 1),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="registry",
        position=1,
        previous_position=None,
        occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
        payload=payload.model_dump(mode="json"),
    )


async def _publish_principal(url: str, ns: str, key: str) -> None:
    nc, js = await connect(url, "test")
    try:
        await ensure_stream(js, ns, "registry")
        await js.publish(
            f"{ns}.registry.principal.issued",
            _principal_issued(key).encode(),
            stream=stream_name(ns, "registry"),
            headers={"Nats-Msg-Id": "principal-1"},
        )
    finally:
        await nc.close()


def _wait(condition: Callable[[], bool], what: str, timeout: float = OUTAGE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def _security(client: TestClient) -> dict[str, Any]:
    body = client.get("/readyz").json()
    consumers = body["checks"]["consumers"]
    found: dict[str, Any] = next(c for c in consumers if c["consumer"].startswith("probe-security"))
    return found | {"keys": body["checks"].get("keys")}


def test_keys_are_trusted_again_after_nats_returns_with_nothing_new_from_the_registry(
    production_settings: CommonSettings, tmp_path: Path
) -> None:
    """The QA run's outage: the security copy stalls while NATS is away and keys get 503;
    once NATS is back, with nothing new from the registry, keys work and /readyz and /syncz
    recover."""
    server = NatsServer(tmp_path)
    server.start()
    common = production_settings.model_copy(update={"nats_url": server.url})
    key = new_api_key()
    headers = {"X-API-Key": key}
    asyncio.run(_publish_principal(server.url, common.namespace, key))
    try:
        with _probe(common) as client:
            _wait(lambda: client.get("/whoami", headers=headers).status_code == 200, "key works")
            assert client.get("/readyz").json()["checks"]["keys"] == "current"

            server.kill()
            _wait(lambda: _security(client)["stalled"], "the security copy stalls")
            refused = client.get("/whoami", headers=headers)
            assert refused.status_code == 503 and refused.json()["error"] == "auth_unavailable"
            assert _security(client)["keys"].startswith("behind")

            server.start()
            _wait(
                lambda: client.get("/whoami", headers=headers).status_code == 200,
                "the key is trusted again, with nothing new from the registry",
            )
            security = _security(client)
            assert not security["stalled"] and security["stalled_reason"] is None
            assert security["keys"] == "current"
            assert security["last_position"] == 1 and security["applied"] == 1
            _wait(lambda: client.get("/readyz").status_code == 200, "ready again")
            _wait(lambda: client.get("/syncz").status_code == 200, "in sync again")
    finally:
        server.kill()
