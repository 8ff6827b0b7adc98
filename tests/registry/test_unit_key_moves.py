"""A unit key follows its unit. When the unit moves, the key is bound where the unit is
now: the office of the new place lists and revokes it, the office of the old place no
longer can, and every service scopes the key by the new place. When the unit ends (merged,
split, dissolved) the key still reads but writes nothing: 403 `unit_ended`, on every
service, and the key list says the unit has ended."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.counties import County, county, created, finding, order_body, today
from tests.registry.helpers import key_for, post, unit
from tests.registry.units_helpers import change


@pytest.fixture
def places(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        ids: dict[str, Any] = {"city": city["jurisdiction_id"]}
        for name in ("源汇区", "郾城区"):
            body = {"name": name, "level": "district", "parent_id": ids["city"]}
            ids[name] = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
            office = {"name": f"{name}纠风办", "role": "office", "jurisdiction_id": ids[name]}
            ids[f"{name}办"] = key_for(post(cluster, "/principals", office))
        ids["民政局"] = unit(cluster, ids["源汇区"], "源汇区民政局")["unit_id"]
        body = {"name": "民政局密钥", "role": "unit", "unit_id": ids["民政局"]}
        ids["unit_key"] = post(cluster, "/principals", body, ids["源汇区办"])
        yield cluster, ids


def _listed(cluster: Cluster, office: dict[str, str]) -> dict[str, Any]:
    listed = cluster["registry"].get("/principals", params={"role": "unit"}, headers=office)
    assert listed.status_code == 200, listed.text
    return {doc["principal_id"]: doc for doc in listed.json()}


def _as_seen_by(cluster: Cluster, service: str, key: dict[str, str]) -> Any:
    """The principal `service` makes of the key: its own copy of the registry's log."""
    runtime = cluster[service].app.state.runtime
    return runtime.authenticator.authenticate(key["X-API-Key"])


def test_a_moved_units_key_belongs_to_its_new_place(
    places: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ids = places
    key_id = ids["unit_key"]["principal_id"]
    assert key_id in _listed(cluster, ids["源汇区办"])
    assert key_id not in _listed(cluster, ids["郾城区办"])

    change(cluster, ids["民政局"], "move", {"jurisdiction_id": ids["郾城区"]}, key=ADMIN)
    cluster.wait_caught_up("registry", "registry")
    cluster.wait_caught_up("inspection", "registry")

    assert key_id not in _listed(cluster, ids["源汇区办"])
    listed = _listed(cluster, ids["郾城区办"])[key_id]
    assert listed["jurisdiction_id"] == ids["郾城区"] and listed.get("unit_status") is None
    for service in ("registry", "inspection"):
        seen = _as_seen_by(cluster, service, key_for(ids["unit_key"]))
        assert seen.jurisdiction_id == UUID(ids["郾城区"]), service

    revoke = f"/principals/{key_id}/revoke"
    old = cluster["registry"].post(revoke, json={"reason": "换发"}, headers=ids["源汇区办"])
    assert old.status_code in (403, 404), old.text
    assert old.json()["detail"][0]["field"] == "principal_id"
    new = cluster["registry"].post(revoke, json={"reason": "换发"}, headers=ids["郾城区办"])
    assert new.status_code == 200, new.text
    assert new.json()["jurisdiction_id"] == ids["郾城区"]


@pytest.fixture
def inspected(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, County]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        place = county(cluster["registry"], "漯河市", "漯河市人社局")
        cluster.wait_caught_up("inspection", "registry")
        yield cluster, place


def test_an_ended_units_key_still_reads_and_writes_nothing(
    inspected: tuple[Cluster, County],
) -> None:
    cluster, place = inspected
    inspection, key = cluster["inspection"], place.keys["unit"]
    order = created(
        inspection, "/rectifications", order_body(place, finding(inspection, place)),
        place.keys["office"],
    )["order_id"]  # fmt: skip
    path, report = f"/rectifications/{order}/report", {"text": "已整改"}

    change(cluster, place.unit, "dissolve", {"effective_on": today()}, key=ADMIN)
    cluster.wait_caught_up("registry", "registry")
    cluster.wait_caught_up("inspection", "registry")

    refused = inspection.post(path, json=report, headers=key)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "unit_ended"
    detail = refused.json()["detail"][0]
    assert detail["field"] == "X-API-Key"
    assert detail["context"] == {"unit_id": place.unit, "status": "dissolved"}
    assert "已被撤销" in detail["reason"]
    assert inspection.get(f"/rectifications/{order}", headers=key).status_code == 200
    assert cluster["registry"].get(f"/units/{place.unit}", headers=key).status_code == 200
    listed = _listed(cluster, place.keys["office"])[place.ids["unit"]]
    assert listed["unit_status"] == "dissolved"
    # The office still records the report on the unit's behalf.
    answered = inspection.post(path, json=report, headers=place.keys["office"])
    assert answered.status_code == 201, answered.text
