"""Issuing unit keys: a key of role unit names its unit (`unit_id`), which must exist, be
active and lie in the issuer's scope; the key is bound to the unit's jurisdiction and, on
the registry, reads that unit only. Keys stored before keys named their unit still load,
publish and decode, naming none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.registry.application import RegistryApplication
from services.registry.domain import InvalidRegistration, Principal
from services.registry.integration import to_payload
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import PrincipalIssued
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster
from tests.registry.helpers import key_for, post, unit


def _error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body["error"], body["detail"][0]["field"]


@pytest.fixture
def county(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry"]) as cluster:
        city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        ids = {"city": city["jurisdiction_id"]}
        for name in ("源汇区", "郾城区"):
            body = {"name": name, "level": "district", "parent_id": ids["city"]}
            ids[name] = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
        for name, place in (("民政局", "源汇区"), ("人社局", "源汇区"), ("税务局", "郾城区")):
            ids[name] = unit(cluster, ids[place], f"{place}{name}")["unit_id"]
        office = post(
            cluster,
            "/principals",
            {"name": "源汇区纠风办", "role": "office", "jurisdiction_id": ids["源汇区"]},
        )
        yield cluster, ids | {"office": key_for(office)}


def test_an_office_issues_a_unit_key_bound_where_its_unit_is(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ids = county
    body = {"name": "民政局密钥", "role": "unit", "unit_id": ids["民政局"]}
    issued = post(cluster, "/principals", body, ids["office"])
    assert issued["unit_id"] == ids["民政局"]
    assert issued["jurisdiction_id"] == ids["源汇区"]
    registry, key = cluster["registry"], key_for(issued)
    assert registry.get(f"/units/{ids['民政局']}", headers=key).status_code == 200
    assert _error(registry.get(f"/units/{ids['人社局']}", headers=key)) == (
        403,
        "forbidden",
        "unit_id",
    )
    listed = registry.get("/units", headers=key).json()
    assert [doc["unit_id"] for doc in listed] == [ids["民政局"]]
    # Giving the unit's own jurisdiction as well is the same key.
    same = post(cluster, "/principals", body | {"jurisdiction_id": ids["源汇区"]}, ids["office"])
    assert (same["unit_id"], same["jurisdiction_id"]) == (ids["民政局"], ids["源汇区"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"unit_id": None}, (422, "invalid_registration", "unit_id")),
        ({"unit_id": "not-a-unit"}, (422, "validation_failed", "body.unit_id")),
        ({"unit_id": str(uuid4())}, (404, "unit_not_found", "unit_id")),
        ({"unit_id": "税务局"}, (403, "forbidden", "unit_id")),
        ({"jurisdiction_id": "郾城区"}, (403, "forbidden", "jurisdiction_id")),
        ({"jurisdiction_id": "city"}, (403, "forbidden", "jurisdiction_id")),
        (
            {"role": "inspector", "jurisdiction_id": "源汇区"},
            (422, "invalid_registration", "unit_id"),
        ),
    ],
)
def test_a_bad_unit_key_is_refused_naming_the_field(
    county: tuple[Cluster, dict[str, Any]], change: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    cluster, ids = county
    body = {"name": "单位密钥", "role": "unit", "unit_id": ids["民政局"]}
    body |= {name: ids.get(value, value) for name, value in change.items()}
    response = cluster["registry"].post("/principals", json=body, headers=ids["office"])
    assert _error(response) == expected


def test_an_admin_cannot_bind_a_unit_key_elsewhere_or_to_a_dissolved_unit(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ids = county
    registry = cluster["registry"]
    body = {"name": "单位密钥", "role": "unit", "unit_id": ids["民政局"]}
    elsewhere = body | {"jurisdiction_id": ids["郾城区"]}
    assert _error(registry.post("/principals", json=elsewhere, headers=ADMIN)) == (
        422,
        "invalid_registration",
        "jurisdiction_id",
    )
    dissolved = {"reason": "机构改革"}
    post(cluster, f"/units/{ids['人社局']}/dissolve", dissolved, status=200)
    gone = body | {"unit_id": ids["人社局"]}
    assert _error(registry.post("/principals", json=gone, headers=ADMIN)) == (
        422,
        "invalid_registration",
        "unit_id",
    )


def test_only_an_admin_issues_a_key_bound_to_nothing(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ids = county
    body = {"name": "调查公司", "role": "agency"}
    refused = cluster["registry"].post("/principals", json=body, headers=ids["office"])
    assert _error(refused) == (403, "forbidden", "jurisdiction_id")
    assert post(cluster, "/principals", body)["jurisdiction_id"] is None


def test_the_command_refuses_a_unit_key_without_its_unit() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Principal.issue("单位密钥", "unit", uuid4(), "hash", "admin:x")
    assert (raised.value.code, raised.value.field) == ("invalid_registration", "unit_id")
    with pytest.raises(InvalidRegistration) as raised:
        Principal.issue("督查员", "inspector", uuid4(), "hash", "admin:x", unit_id=uuid4())
    assert raised.value.field == "unit_id"


def test_a_v1_principal_issued_still_loads_and_publishes_no_unit() -> None:
    app = RegistryApplication(IN_MEMORY)
    principal_id, jurisdiction_id = uuid4(), uuid4()
    v1_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-06-01T00:00:00+00:00"},
        "originator_topic": "services.registry.domain:Principal",
        "name": "源汇区民政局",
        "role": "unit",
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": jurisdiction_id.hex},
        "key_hash": "hash",
        "actor": "admin:old",
    }
    stored = StoredEvent(
        originator_id=principal_id,
        originator_version=1,
        topic="services.registry.domain:Principal.Issued",
        state=json.dumps(v1_state).encode(),
    )
    app.recorder.insert_events([stored])

    principal = app.repository.get(principal_id)
    assert isinstance(principal, Principal)
    assert (principal.role, principal.unit_id) == ("unit", None)
    payload = to_payload(next(iter(app.events.get(principal_id))))
    assert isinstance(payload, PrincipalIssued) and payload.unit_id is None


def test_a_principal_issued_message_without_unit_id_decodes() -> None:
    payload = {
        "principal_id": str(uuid4()),
        "name": "源汇区民政局",
        "role": "unit",
        "jurisdiction_id": str(uuid4()),
        "key_hash": "hash",
    }
    message = IntegrationMessage(
        event_id=uuid4(),
        event_type=PrincipalIssued.event_type,
        schema_version=1,
        origin="registry",
        position=1,
        previous_position=None,
        occurred_at="2024-06-01T00:00:00+00:00",
        payload=payload,
    )
    decoded = parse_payload(message)
    assert isinstance(decoded, PrincipalIssued) and decoded.unit_id is None
