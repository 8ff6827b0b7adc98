"""Campaign events against real PostgreSQL and NATS: they reach the registry stream as the
campaign contracts, on subjects named after their event types, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts import registry_campaigns as contract
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.harness import Cluster, wait_caught_up
from tests.registry.campaign_helpers import (
    LUOHE_CATEGORIES,
    LUOHE_PHASES,
    enrol,
    enrolments,
    luohe_spec,
    open_campaign,
)
from tests.registry.helpers import city_with_counties, post, unit

pytestmark = pytest.mark.infra
GOV, PUBLIC = LUOHE_CATEGORIES


async def read_stream(namespace: str) -> list[tuple[str, IntegrationMessage]]:
    nc, js = await connect(NATS_URL, "test-reader")
    try:
        name = stream_name(namespace, "registry")
        last = (await js.stream_info(name)).state.last_seq
        found = []
        for seq in range(1, last + 1):
            raw = await js.get_msg(name, seq)
            found.append((raw.subject or "", IntegrationMessage.decode(raw.data or b"")))
        return found
    finally:
        await nc.close()


def published_to(cluster: Cluster) -> Any:
    return cluster["registry"].get("/readyz").json()["checks"]["relay"]["published_to"]


def test_campaign_events_are_published_on_the_registry_stream(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        key = world["keys"]["city"]
        power = unit(cluster, world["city"]["jurisdiction_id"], "国网漯河供电公司", PUBLIC)
        education = world["units"]["市教育局"]["unit_id"]
        cluster.wait_caught_up("registry", "registry")
        campaign = open_campaign(cluster, luohe_spec(world["city"]["jurisdiction_id"]), key=key)
        cid = campaign["campaign_id"]
        enrol(cluster, cid, [(education, GOV), (power["unit_id"], PUBLIC)], key=key)
        later = [*LUOHE_PHASES[:2], LUOHE_PHASES[2] | {"ends_on": "2017-11-15"}]
        post(cluster, f"/campaigns/{cid}/phases", {"phases": later, "reason": "提前"}, key, 200)
        target = {"unit_id": education, "reason_code": "other", "reason": "群众来信集中"}
        post(cluster, f"/campaigns/{cid}/key-targets", target, key)
        post(
            cluster,
            f"/campaigns/{cid}/key-targets/{education}/revocation",
            {"reason": "整改到位"},
            key,
            200,
        )
        post(
            cluster,
            f"/campaigns/{cid}/enrolments/{power['unit_id']}/withdrawal",
            {"reason": "改由省公司评议"},
            key,
            200,
        )
        # The read model follows the published log in production too.
        listed = enrolments(cluster, cid, key=key)
        assert [(e["unit_name"], e["status"]) for e in listed] == [
            ("漯河市教育局", "enrolled"),
            ("国网漯河供电公司", "withdrawn"),
        ]
        wait_caught_up(lambda: cluster.head("registry"), lambda: published_to(cluster), "relay")

    published = asyncio.run(read_stream(production_settings.namespace))
    ours = [
        (subject, parse_payload(m))
        for subject, m in published
        if m.event_type.startswith(("registry.campaign.", "registry.enrolment.", "registry.key_"))
    ]
    namespace = production_settings.namespace
    assert [subject for subject, _ in ours] == [
        f"{namespace}.registry.campaign.opened",
        f"{namespace}.registry.enrolment.enrolled",
        f"{namespace}.registry.enrolment.enrolled",
        f"{namespace}.registry.campaign.phases_amended",
        f"{namespace}.registry.key_target.designated",
        f"{namespace}.registry.key_target.revoked",
        f"{namespace}.registry.enrolment.withdrawn",
    ]
    payloads = [p for _, p in ours]
    opened, first, second, amended, designated, revoked, withdrawn = payloads
    assert isinstance(opened, contract.CampaignOpened) and str(opened.campaign_id) == cid
    assert opened.categories == tuple(LUOHE_CATEGORIES)
    assert isinstance(first, contract.UnitEnrolled) and isinstance(second, contract.UnitEnrolled)
    assert {(str(first.unit_id), first.category), (str(second.unit_id), second.category)} == {
        (education, GOV),
        (power["unit_id"], PUBLIC),
    }
    assert isinstance(amended, contract.CampaignPhasesAmended) and amended.reason == "提前"
    assert isinstance(designated, contract.KeyTargetDesignated)
    assert (designated.reason_code, designated.reason_label) == ("other", "其他")
    assert isinstance(revoked, contract.KeyTargetRevoked) and revoked.reason == "整改到位"
    assert isinstance(withdrawn, contract.UnitWithdrawn)
    assert (str(withdrawn.unit_id), withdrawn.reason) == (power["unit_id"], "改由省公司评议")
    assert all(p.actor.startswith("office:") for p in payloads)  # type: ignore[attr-defined]
