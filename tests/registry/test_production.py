"""Registry against real PostgreSQL and NATS: facts reach JetStream as explicit contracts."""

from __future__ import annotations

import asyncio

import pytest

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import UnitRegistered
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster
from tests.registry.helpers import city_with_counties

pytestmark = pytest.mark.infra


async def read_stream(namespace: str) -> list[tuple[IntegrationMessage, dict[str, str]]]:
    nc, js = await connect(NATS_URL, "test-reader")
    try:
        name = stream_name(namespace, "registry")
        last = (await js.stream_info(name)).state.last_seq
        found = []
        for seq in range(1, last + 1):
            raw = await js.get_msg(name, seq)
            found.append((IntegrationMessage.decode(raw.data or b""), dict(raw.headers or {})))
        return found
    finally:
        await nc.close()


def test_registered_units_are_published_in_order_with_dedup_ids(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        cluster.wait_caught_up("registry", "registry")
        head = cluster.head("registry")
        relay = cluster["registry"].get("/readyz").json()["checks"]["relay"]
        deadline_polls = 0
        while relay["published_to"] != head and deadline_polls < 500:
            deadline_polls += 1
            relay = cluster["registry"].get("/readyz").json()["checks"]["relay"]
        assert relay["published_to"] == head

    published = asyncio.run(read_stream(production_settings.namespace))
    positions = [m.position for m, _ in published]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert all(h["Nats-Msg-Id"] == f"registry:{m.position}" for m, h in published)
    assert [m.previous_position for m, _ in published[1:]] == positions[:-1]
    units = [parse_payload(m) for m, _ in published if m.event_type == UnitRegistered.event_type]
    assert {u.name for u in units if isinstance(u, UnitRegistered)} == {
        u["name"] for u in world["units"].values()
    }
    # Keys travel as hashes only.
    assert not any("pyk_" in m.encode().decode() for m, _ in published)
