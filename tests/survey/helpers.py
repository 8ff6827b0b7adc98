"""Reusable setup for tests that need a registered world and survey waves.

Everything goes through the public APIs (registry, then survey) with the bootstrap admin key,
and waits on positions before relying on another service's view.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import nats
from fastapi.testclient import TestClient

from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import stream_name
from tests.conftest import NATS_URL
from tests.harness import ADMIN, Cluster

CST = timezone(timedelta(hours=8))
COLLECTED_AT = datetime(2024, 11, 5, 10, 30, tzinfo=CST)
GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"


def key_headers(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def register_jurisdiction(
    registry: TestClient, name: str, level: str, parent_id: str | None = None
) -> str:
    body = {"name": name, "level": level, "parent_id": parent_id}
    return str(
        created(registry.post("/jurisdictions", json=body, headers=ADMIN))["jurisdiction_id"]
    )


def register_units(
    registry: TestClient, jurisdiction_id: str, names: list[str], category: str = GOV
) -> list[str]:
    units = [
        {
            "jurisdiction_id": jurisdiction_id,
            "name": name,
            "kind": "government_department",
            "category": category,
        }
        for name in names
    ]
    body = created(registry.post("/units:batch", json={"units": units}, headers=ADMIN))
    return [str(unit["unit_id"]) for unit in body["units"]]


def issue_principal(
    registry: TestClient, name: str, role: str, jurisdiction_id: str | None = None
) -> dict[str, Any]:
    body = {"name": name, "role": role, "jurisdiction_id": jurisdiction_id}
    return created(registry.post("/principals", json=body, headers=ADMIN))


@dataclass
class Caller:
    principal_id: str
    headers: dict[str, str]


def caller(
    registry: TestClient, name: str, role: str, jurisdiction_id: str | None = None
) -> Caller:
    issued = issue_principal(registry, name, role, jurisdiction_id)
    return Caller(issued["principal_id"], key_headers(issued["api_key"]))


@dataclass
class World:
    """A city with two counties; units in the first county and one in the second."""

    city_id: str
    county_id: str
    other_county_id: str
    unit_ids: list[str]
    other_county_unit_id: str
    agency: Caller
    other_agency: Caller
    county_office: Caller
    city_office: Caller
    other_county_office: Caller
    auditor: Caller
    extra: dict[str, Any] = field(default_factory=dict)


def seed_world(cluster: Cluster) -> World:
    """Register the world through the registry and wait until survey has seen all of it."""
    registry = cluster["registry"]
    city = register_jurisdiction(registry, "漯河市", "city")
    county = register_jurisdiction(registry, "舞阳县", "county", city)
    other = register_jurisdiction(registry, "临颍县", "county", city)
    units = register_units(registry, county, ["舞阳县公安局", "舞阳县教育局", "舞阳县供电公司"])
    (other_unit,) = register_units(registry, other, ["临颍县人社局"])
    world = World(
        city_id=city,
        county_id=county,
        other_county_id=other,
        unit_ids=units,
        other_county_unit_id=other_unit,
        agency=caller(registry, "某某社会调查公司", "agency"),
        other_agency=caller(registry, "另一调查公司", "agency"),
        county_office=caller(registry, "舞阳县纠风办", "office", county),
        city_office=caller(registry, "漯河市纠风办", "office", city),
        other_county_office=caller(registry, "临颍县纠风办", "office", other),
        auditor=caller(registry, "审计", "auditor"),
    )
    cluster.wait_caught_up("survey", "registry")
    return world


def wave_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "2024年度民主评议政风行风问卷测评",
        "jurisdiction_id": world.county_id,
        "agency_id": world.agency.principal_id,
        "unit_ids": list(world.unit_ids),
    }
    return body | overrides


def open_wave(
    cluster: Cluster, world: World, headers: dict[str, str] | None = None, **overrides: Any
) -> dict[str, Any]:
    response = cluster["survey"].post(
        "/waves", json=wave_body(world, **overrides), headers=headers or world.county_office.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def questionnaire(
    questionnaire_id: str,
    unit_ids: list[str],
    rating: str = "满意",
    survey_point: str | None = "舞阳县政务服务中心",
    collected_at: datetime = COLLECTED_AT,
) -> dict[str, Any]:
    return {
        "questionnaire_id": questionnaire_id,
        "survey_point": survey_point,
        "collected_at": collected_at.isoformat(),
        "ratings": {unit_id: rating for unit_id in unit_ids},
    }


def push(
    cluster: Cluster,
    wave_id: str,
    questionnaires: list[dict[str, Any]],
    headers: dict[str, str],
    key: str | None = None,
) -> Any:
    all_headers = headers | ({"Idempotency-Key": key} if key else {})
    return cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": questionnaires},
        headers=all_headers,
    )


def response_count(cluster: Cluster, wave_id: str) -> int:
    """The wave's `response_count`, once survey's views have caught up."""
    cluster.wait_caught_up("survey", "survey")
    response = cluster["survey"].get(f"/waves/{wave_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    count: int = response.json()["response_count"]
    return count


def error_fields(response: Any) -> list[str]:
    return [str(d["field"]) for d in response.json()["detail"]]


async def _read_stream(namespace: str, service: str) -> list[IntegrationMessage]:
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        name = stream_name(namespace, service)
        info = await js.stream_info(name)
        messages: list[IntegrationMessage] = []
        if not info.state.messages:
            return messages
        for seq in range(int(info.state.first_seq), int(info.state.last_seq) + 1):
            raw = await js.get_msg(name, seq)
            messages.append(IntegrationMessage.decode(raw.data or b""))
        return messages
    finally:
        await nc.close()


def read_stream(namespace: str, service: str) -> list[IntegrationMessage]:
    """Every message in a service's JetStream stream, in stream order."""
    return asyncio.run(_read_stream(namespace, service))
