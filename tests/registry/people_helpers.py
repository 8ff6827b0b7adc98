"""Set-up for representative and draw tests: through the API, or the application directly
for bulk (2,000 people need no HTTP)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.domain.people import AppointingBody
from shared.principals import BOOTSTRAP_PRINCIPAL_ID, Principal
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post

ADMIN_CALLER = Principal(BOOTSTRAP_PRINCIPAL_ID, "bootstrap admin", "admin", None)
SEED = "seed-004-wuhan-2026-评议人员库-抽取"
COMMITMENT = hashlib.sha256(SEED.encode("utf-8")).hexdigest()
SECTORS = (
    "service_user",
    "npc_deputy",
    "cppcc_member",
    "industry_representative",
    "civil_servant",
    "community_cadre",
)


def office_body(jurisdiction_id: str) -> dict[str, str]:
    return {"kind": "office", "jurisdiction_id": jurisdiction_id}


def department_body(unit_id: str) -> dict[str, str]:
    return {"kind": "department", "unit_id": unit_id}


def person(
    cluster: Cluster,
    jurisdiction_id: str,
    name: str,
    sector: str = "人大代表",
    contact: str | None = None,
    key: dict[str, str] = ADMIN,
) -> dict[str, Any]:
    body: dict[str, Any] = {"jurisdiction_id": jurisdiction_id, "name": name, "sector": sector}
    if contact is not None:
        body["contact"] = contact
    return post(cluster, "/people", body, key)


def appoint(
    cluster: Cluster,
    person_id: str,
    body: dict[str, str],
    cycle: str = "2026-2027",
    purpose: str = "general",
    key: dict[str, str] = ADMIN,
    status: int = 200,
) -> Any:
    response = cluster["registry"].post(
        f"/people/{person_id}/appointments",
        json={"body": body, "cycle": cycle, "purpose": purpose},
        headers=key,
    )
    assert response.status_code == status, response.text
    return response.json()


def embedded_app(data_dir: Path) -> RegistryApplication:
    return RegistryApplication(
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(data_dir / "registry.sqlite"),
        }
    )


def zone_with_pool(
    app: RegistryApplication, size: int, cycle: str = "2026-2027", contacts: bool = True
) -> tuple[UUID, list[UUID]]:
    """武汉市 > 武汉经济技术开发区 with `size` people appointed by the zone's office for `cycle`,
    sectors round-robin over SECTORS."""
    city = app.register_jurisdiction(ADMIN_CALLER, "武汉市", "city", None, None)
    zone = app.register_jurisdiction(
        ADMIN_CALLER, "武汉经济技术开发区", "zone", UUID(city["jurisdiction_id"]), None
    )
    zone_id = UUID(zone["jurisdiction_id"])
    specs = [
        {"name": f"评议员{i:04d}", "sector": SECTORS[i % len(SECTORS)], "jurisdiction_id": zone_id}
        | ({"contact": f"139{i:08d}"} if contacts else {})
        for i in range(size)
    ]
    registered = app.register_people(ADMIN_CALLER, specs, None)["people"]
    people = [app.person(UUID(p["person_id"])) for p in registered]
    for each in people:
        each.appoint(AppointingBody("office", zone_id), cycle, "general", ADMIN_CALLER.actor)
    app.save(*people)
    return zone_id, [p.id for p in people]
