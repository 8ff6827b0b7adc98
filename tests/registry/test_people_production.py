"""Representatives and draws against real PostgreSQL and NATS: the contracts reach the
registry stream, contacts never do, and the draw verifies from the PostgreSQL log."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from services.registry.draw_verify import verify_draw
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry_people import (
    PanelDrawn,
    RepresentativeAppointed,
    RepresentativeDisqualified,
    RepresentativeRegistered,
)
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties, post
from tests.registry.people_helpers import COMMITMENT, SEED, appoint, office_body
from tests.registry.test_production import read_stream

pytestmark = pytest.mark.infra


def published_to_head(cluster: Cluster) -> None:
    cluster.wait_caught_up("registry", "registry")
    head = cluster.head("registry")
    polls = 0
    relay = cluster["registry"].get("/readyz").json()["checks"]["relay"]
    while relay["published_to"] != head and polls < 500:
        polls += 1
        relay = cluster["registry"].get("/readyz").json()["checks"]["relay"]
    assert relay["published_to"] == head


def test_a_panel_drawn_in_production_is_published_and_verifies(
    production_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PINGYI_REGISTRY_CONTACT_KEY", "test-contact-key-0123456789abcdef")
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        county = world["counties"]["源汇区"]["jurisdiction_id"]
        rows: list[dict[str, Any]] = [
            {
                "jurisdiction_id": county,
                "name": f"代表{i}",
                "sector": "人大代表" if i % 2 else "服务对象",
                "contact": f"1370000{i:04d}",
            }
            for i in range(12)
        ]
        people = [
            p["person_id"] for p in post(cluster, "/people:batch", {"people": rows})["people"]
        ]
        for person_id in people:
            appoint(cluster, person_id, office_body(county))
        masked = cluster["registry"].get(f"/people/{people[3]}", headers=ADMIN).json()
        assert masked["contact_masked"] == "137****0003"
        post(cluster, f"/people/{people[0]}/disqualification", {"reason": "违纪"}, status=200)
        body = {
            "jurisdiction_id": county,
            "cycle": "2026-2027",
            "size": 4,
            "quotas": {"人大代表": 2, "服务对象": 2},
            "commitment": COMMITMENT,
        }
        draw = post(cluster, "/draws", body, world["keys"]["源汇区"])
        post(cluster, f"/draws/{draw['draw_id']}/pool/freeze", {}, status=200)
        revealed = post(cluster, f"/draws/{draw['draw_id']}/reveal", {"seed": SEED}, status=200)
        published_to_head(cluster)

    messages = [m for m, _ in asyncio.run(read_stream(production_settings.namespace))]
    payloads = [parse_payload(m) for m in messages]
    registered = [p for p in payloads if isinstance(p, RepresentativeRegistered)]
    assert len(registered) == 12 and all(p.has_contact for p in registered)
    assert sum(isinstance(p, RepresentativeAppointed) for p in payloads) == 12
    assert [p.person_id for p in payloads if isinstance(p, RepresentativeDisqualified)] == [
        UUID(people[0])
    ]
    (panel,) = [p for p in payloads if isinstance(p, PanelDrawn)]
    assert panel.draw_id == UUID(draw["draw_id"]) and panel.seed == SEED
    assert panel.commitment == COMMITMENT and panel.pool_size == 11
    assert panel.quotas == {"npc_deputy": 2, "service_user": 2}
    assert [str(p) for p in panel.chosen] == [c["person_id"] for c in revealed["chosen"]]
    assert panel.pool_digest == revealed["pool_digest"]
    assert not any(_carries_a_contact(m) for m in messages)

    verification = verify_draw(production_settings, UUID(draw["draw_id"]))
    assert verification.passed, verification.rows()


def _carries_a_contact(message: IntegrationMessage) -> bool:
    text = message.encode().decode()
    return "13700000" in text or "contact_hash" in text or "contact_sealed" in text


def test_production_refuses_contacts_without_a_configured_key(
    production_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PINGYI_REGISTRY_CONTACT_KEY", raising=False)
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        city = world["city"]["jurisdiction_id"]
        refused = cluster["registry"].post(
            "/people",
            json={
                "jurisdiction_id": city,
                "name": "王芳",
                "sector": "其他",
                "contact": "13700001111",
            },
            headers=ADMIN,
        )
        assert refused.status_code == 503, refused.text
        assert refused.json()["detail"][0]["field"] == "contact"
        without = post(
            cluster, "/people", {"jurisdiction_id": city, "name": "王芳", "sector": "其他"}
        )
        assert without["has_contact"] is False and without["contact_masked"] is None
