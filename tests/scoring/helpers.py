"""A registered world and survey waves (outside any campaign) built through the public APIs,
for tests that need real registry and survey logs.

Every step goes registry -> survey -> scoring over the real feeds (local log files in
embedded mode, JetStream in production) and waits on positions, never on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient

from tests.harness import ADMIN, Cluster

CST = timezone(timedelta(hours=8))
GOV = "政府部门及其它机构"
PUBLIC_SERVICE = "公共服务行业"


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def headers(issued: dict[str, Any]) -> dict[str, str]:
    return {"X-API-Key": issued["api_key"]}


@dataclass
class World:
    city_id: str
    county_id: str
    other_county_id: str
    unit_ids: list[str]
    unit_names: dict[str, str]
    agency_id: str
    agency: dict[str, str]
    county_office: dict[str, str]
    city_office: dict[str, str]
    other_county_office: dict[str, str]
    auditor: dict[str, str]
    inspector: dict[str, str]


def _jurisdiction(registry: TestClient, name: str, level: str, parent: str | None) -> str:
    body = {"name": name, "level": level, "parent_id": parent}
    return str(ok(registry.post("/jurisdictions", json=body, headers=ADMIN))["jurisdiction_id"])


def _principal(
    registry: TestClient, name: str, role: str, jurisdiction_id: str | None = None
) -> dict[str, Any]:
    body = {"name": name, "role": role, "jurisdiction_id": jurisdiction_id}
    issued: dict[str, Any] = ok(registry.post("/principals", json=body, headers=ADMIN))
    return issued


def register_units(
    registry: TestClient, jurisdiction_id: str, units: list[tuple[str, str]]
) -> dict[str, str]:
    body = {
        "units": [
            {"jurisdiction_id": jurisdiction_id, "name": name, "kind": kind, "category": category}
            for name, category in units
            for kind in [
                "government_department" if category == GOV else "public_service_enterprise"
            ]
        ]
    }
    created = ok(registry.post("/units:batch", json=body, headers=ADMIN))["units"]
    return {u["unit_id"]: u["name"] for u in created}


def seed_world(cluster: Cluster) -> World:
    registry = cluster["registry"]
    city = _jurisdiction(registry, "漯河市", "city", None)
    county = _jurisdiction(registry, "舞阳县", "county", city)
    other = _jurisdiction(registry, "临颍县", "county", city)
    names = register_units(
        registry,
        county,
        [("舞阳县公安局", GOV), ("舞阳县教育局", GOV), ("舞阳县供电公司", PUBLIC_SERVICE)],
    )
    agency = _principal(registry, "某某社会调查公司", "agency")
    world = World(
        city_id=city,
        county_id=county,
        other_county_id=other,
        unit_ids=sorted(names),
        unit_names=names,
        agency_id=agency["principal_id"],
        agency=headers(agency),
        county_office=headers(_principal(registry, "舞阳县纠风办", "office", county)),
        city_office=headers(_principal(registry, "漯河市纠风办", "office", city)),
        other_county_office=headers(_principal(registry, "临颍县纠风办", "office", other)),
        auditor=headers(_principal(registry, "审计", "auditor")),
        inspector=headers(_principal(registry, "督查员", "inspector", county)),
    )
    cluster.wait_caught_up("survey", "registry")
    return world


def open_wave(cluster: Cluster, world: World, name: str = "2024年度民主评议问卷测评") -> str:
    body = {
        "name": name,
        "jurisdiction_id": world.county_id,
        "agency_id": world.agency_id,
        "unit_ids": world.unit_ids,
    }
    return str(
        ok(cluster["survey"].post("/waves", json=body, headers=world.county_office))["wave_id"]
    )


def push(
    cluster: Cluster, world: World, wave_id: str, ratings: list[dict[str, str]], prefix: str
) -> None:
    """One batch; questionnaire i rates the units as `ratings[i]` says."""
    start = datetime(2024, 11, 5, 9, 0, tzinfo=CST)
    questionnaires = [
        {
            "questionnaire_id": f"{prefix}-{i:04d}",
            "survey_point": "舞阳县政务服务中心",
            "collected_at": (start + timedelta(minutes=i)).isoformat(),
            "ratings": rated,
        }
        for i, rated in enumerate(ratings)
    ]
    ok(
        cluster["survey"].post(
            f"/waves/{wave_id}/questionnaires:batch",
            json={"questionnaires": questionnaires},
            headers=world.agency,
        )
    )


def close_wave(cluster: Cluster, world: World, wave_id: str) -> None:
    ok(
        cluster["survey"].post(
            f"/waves/{wave_id}/close", json={"reason": "问卷回收完毕"}, headers=world.county_office
        )
    )


def caught_up(cluster: Cluster) -> None:
    cluster.wait_caught_up("scoring", "registry")
    cluster.wait_caught_up("scoring", "survey")


def pattern(world: World, *rows: tuple[str, str, str]) -> list[dict[str, str]]:
    """Rows of ratings for the world's units in their sorted order; '' leaves a unit out."""
    return [
        {unit_id: rating for unit_id, rating in zip(world.unit_ids, row, strict=True) if rating}
        for row in rows
    ]
