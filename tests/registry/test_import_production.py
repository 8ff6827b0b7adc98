"""Importing the seed 004 sample against real PostgreSQL and NATS: 37 UnitRegistered facts on
the registry stream, in order, with their categories and vertical superiors."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import UnitRegistered
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster, wait_caught_up
from tests.registry.import_helpers import sample, two_cities, upload

pytestmark = pytest.mark.infra


async def stream_messages(namespace: str) -> list[IntegrationMessage]:
    nc, js = await connect(NATS_URL, "import-test-reader")
    try:
        name = stream_name(namespace, "registry")
        last = (await js.stream_info(name)).state.last_seq
        return [
            IntegrationMessage.decode((await js.get_msg(name, seq)).data or b"")
            for seq in range(1, last + 1)
        ]
    finally:
        await nc.close()


def test_the_wuhan_sample_lands_on_the_registry_stream(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = two_cities(cluster)
        head = cluster.head("registry")
        dry = upload(
            cluster,
            "/imports/units",
            sample("wuhan_004_units.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=world["keys"]["zone"],
            jurisdiction_id=world["zone"],
            dry_run=True,
        )
        assert dry.status_code == 200 and dry.json()["errors"] == []
        assert cluster.head("registry") == head
        response = upload(
            cluster,
            "/imports/units",
            sample("wuhan_004_units.csv"),
            key=world["keys"]["zone"],
            jurisdiction_id=world["zone"],
            idempotency="wuhan-2017",
        )
        assert response.status_code == 201, response.text
        created = {c["id"] for c in response.json()["created"]}
        target = cluster.head("registry")
        wait_caught_up(
            lambda: target,
            lambda: cluster["registry"].get("/readyz").json()["checks"]["relay"]["published_to"],
            "relay -> JetStream",
        )

    messages = asyncio.run(stream_messages(production_settings.namespace))
    units = [
        payload
        for payload in (
            parse_payload(m) for m in messages if m.event_type == UnitRegistered.event_type
        )
        if isinstance(payload, UnitRegistered) and str(payload.jurisdiction_id) == world["zone"]
    ]
    assert {str(u.unit_id) for u in units} == created
    assert Counter(u.category for u in units) == {
        "经济和社会事业发展类": 18,
        "城市管理和执法监督类": 11,
        "公共服务企业类": 8,
    }
    names = [u.name for u in units]
    assert names[0] == "区发改局(区统计局)" and names[-1] == "中国联通开发区分公司"
    assert "区环保局(区水务局、区园林和林业局)" in names
    superiors = {u.name: u.vertical_superior for u in units if u.vertical_superior}
    assert superiors == {
        "区国税局": "武汉市国家税务局",
        "区地税局": "武汉市地方税务局",
        "区气象局": "武汉市气象局",
        "区烟草专卖局": "武汉市烟草专卖局",
    }
    positions = [m.position for m in messages]
    assert positions == sorted(positions)
