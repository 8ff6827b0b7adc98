"""Findings over HTTP, in memory mode and against real PostgreSQL + NATS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import connect, stream_name
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster, wait_caught_up

SUMMARY = "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理"


def _post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _jurisdiction(registry: TestClient, name: str, level: str, parent: Any = None) -> str:
    body = {"name": name, "level": level}
    if parent is not None:
        body["parent_id"] = parent
    jurisdiction_id: str = _post(registry, "/jurisdictions", body)["jurisdiction_id"]
    return jurisdiction_id


def _setup(cluster: Cluster) -> dict[str, Any]:
    registry = cluster["registry"]
    province = _jurisdiction(registry, "河南省", "province")
    luohe = _jurisdiction(registry, "漯河市", "city", province)
    yancheng = _jurisdiction(registry, "郾城区", "district", luohe)
    daqing = _jurisdiction(registry, "大庆市", "city")
    units = {}
    for name, jurisdiction in [("郾城区人社局", yancheng), ("大庆市税务局", daqing)]:
        body = {
            "jurisdiction_id": jurisdiction,
            "name": name,
            "kind": "government_department",
            "category": "政府部门及其它机构",
        }
        units[name] = _post(registry, "/units", body)["unit_id"]
    keys = {}
    for name, role, jurisdiction in [
        ("漯河市暗访组", "inspector", luohe),
        ("郾城区纠风办", "office", yancheng),
        ("大庆市纠风办", "office", daqing),
        ("审计组", "auditor", None),
        ("第三方调查机构", "agency", None),
        ("郾城区人社局", "unit", yancheng),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": jurisdiction}
        if role == "unit":
            body["unit_id"] = units[name]
        keys[name] = {"X-API-Key": _post(registry, "/principals", body)["api_key"]}
    cluster.wait_caught_up("inspection", "registry")
    return {"units": units, "keys": keys}


def _finding(unit_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "method": "暗访",
        "summary": SUMMARY,
        "found_at": "2026-05-12T10:30:00+08:00",
    } | overrides


def _error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"][0]["field"]


@pytest.fixture
def in_memory(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, _setup(cluster)


def test_record_list_and_read_a_finding(in_memory: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = in_memory
    client, keys = cluster["inspection"], ctx["keys"]
    unit = ctx["units"]["郾城区人社局"]
    response = client.post("/findings", json=_finding(unit), headers=keys["漯河市暗访组"])
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["unit_id"], created["method"], created["summary"]) == (unit, "暗访", SUMMARY)
    assert created["status"] == "active" and created["version"] == 1
    assert datetime.fromisoformat(created["found_at"]) == datetime(2026, 5, 12, 2, 30, tzinfo=UTC)
    assert [h["event"] for h in created["history"]] == ["recorded"]
    assert created["recorded_by"].startswith("inspector:")

    cluster.wait_caught_up("inspection", "inspection")
    for key in (keys["郾城区纠风办"], keys["审计组"], ADMIN):
        listed = client.get("/findings", params={"unit_id": unit}, headers=key)
        assert [f["finding_id"] for f in listed.json()] == [created["finding_id"]]
    assert client.get("/findings", headers=keys["大庆市纠风办"]).json() == []
    one = client.get(f"/findings/{created['finding_id']}", headers=keys["郾城区纠风办"])
    assert one.json() == created


def test_idempotency_key_returns_the_first_result(
    in_memory: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = in_memory
    client, key = cluster["inspection"], ctx["keys"]["漯河市暗访组"]
    body = _finding(ctx["units"]["郾城区人社局"])
    headers = key | {"Idempotency-Key": "visit-2026-05-12-01"}
    first = client.post("/findings", json=body, headers=headers)
    again = client.post("/findings", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    other = client.post("/findings", json=body | {"method": "明察"}, headers=headers)
    assert _error(other) == (409, "Idempotency-Key")
    cluster.wait_caught_up("inspection", "inspection")
    assert len(client.get("/findings", headers=ADMIN).json()) == 1


def test_scope_and_roles(in_memory: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = in_memory
    client, keys, units = cluster["inspection"], ctx["keys"], ctx["units"]
    body = _finding(units["郾城区人社局"])
    assert _error(client.post("/findings", json=body, headers=keys["大庆市纠风办"])) == (
        403,
        "unit_id",
    )
    for name in ("审计组", "第三方调查机构", "郾城区人社局"):
        denied = client.post("/findings", json=body, headers=keys[name])
        assert _error(denied) == (403, "X-API-Key"), name
    assert _error(client.post("/findings", json=body)) == (401, "X-API-Key")
    created = client.post("/findings", json=body, headers=keys["郾城区纠风办"]).json()
    path = f"/findings/{created['finding_id']}"
    # Another city's finding answers as no finding, never a 403 that says it exists.
    assert _error(client.get(path, headers=keys["大庆市纠风办"])) == (404, "finding_id")
    assert _error(client.get(path, headers=keys["第三方调查机构"])) == (403, "X-API-Key")
    assert client.get(path, headers=keys["审计组"]).status_code == 200
    denied = client.get(
        "/findings", params={"unit_id": units["郾城区人社局"]}, headers=keys["大庆市纠风办"]
    )
    assert _error(denied) == (403, "unit_id")
    correction = {"summary": "新的描述", "reason": "理由"}
    for key, expected in [
        (keys["大庆市纠风办"], (404, "finding_id")),
        (keys["审计组"], (403, "X-API-Key")),
    ]:
        assert _error(client.post(f"{path}/corrections", json=correction, headers=key)) == expected


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"method": "路过"}, 422, "body.method"),
        ({"summary": "   "}, 422, "body.summary"),
        ({"summary": "问" * 2001}, 422, "body.summary"),
        ({"found_at": "2026-05-12T10:30:00"}, 422, "body.found_at"),
        ({"found_at": "昨天"}, 422, "body.found_at"),
        ({"found_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, 422, "found_at"),
        ({"unit_id": "not-a-uuid"}, 422, "body.unit_id"),
        ({"unit_id": str(uuid4())}, 404, "unit_id"),
        ({"severity": "极其严重"}, 422, "body.severity"),
        ({"deduction": "-1"}, 422, "deduction"),
        ({"deduction": "20.5"}, 422, "deduction"),
        ({"item": "卫生"}, 422, "body.item"),
        ({"evidence": ["ab" * 32]}, 422, "evidence"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    in_memory: tuple[Cluster, dict[str, Any]], overrides: dict[str, Any], status: int, field: str
) -> None:
    cluster, ctx = in_memory
    body = _finding(ctx["units"]["郾城区人社局"]) | overrides
    response = cluster["inspection"].post("/findings", json=body, headers=ADMIN)
    assert _error(response) == (status, field)
    assert cluster["inspection"].get("/positions", headers=ADMIN).json()["head"] is None


def test_corrections_keep_the_history(in_memory: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = in_memory
    client, keys = cluster["inspection"], ctx["keys"]
    inspector, office = keys["漯河市暗访组"], keys["郾城区纠风办"]
    unit = ctx["units"]["郾城区人社局"]
    created = client.post("/findings", json=_finding(unit), headers=inspector).json()
    path = f"/findings/{created['finding_id']}"
    corrected_summary = SUMMARY.replace("二十分钟", "十分钟")
    correction = {"summary": corrected_summary, "reason": "等候时间记录有误"}
    response = client.post(f"{path}/corrections", json=correction, headers=office)
    assert response.status_code == 201, response.text
    assert _error(client.post(f"{path}/corrections", json=correction, headers=office)) == (
        422,
        "summary",
    )
    assert _error(client.post(f"{path}/corrections", json={"summary": "x"}, headers=office)) == (
        422,
        "body.reason",
    )

    current = client.get(path, headers=inspector).json()
    assert current["summary"] == corrected_summary and current["version"] == 2
    history = [(h["event"], h["summary"], h["reason"]) for h in current["history"]]
    assert history == [
        ("recorded", SUMMARY, None),
        ("corrected", corrected_summary, "等候时间记录有误"),
    ]
    assert current["history"][1]["actor"].startswith("office:")
    cluster.wait_caught_up("inspection", "inspection")
    listed = client.get("/findings", params={"unit_id": unit}, headers=office).json()
    assert [f["summary"] for f in listed] == [corrected_summary]

    withdrawn = client.post(f"{path}/withdrawal", json={"reason": "经核实不属实"}, headers=office)
    assert withdrawn.json()["status"] == "withdrawn"
    late = {"summary": "再次更正", "reason": "理由"}
    assert _error(client.post(f"{path}/corrections", json=late, headers=office)) == (
        409,
        "finding_id",
    )
    events = [h["event"] for h in client.get(path, headers=ADMIN).json()["history"]]
    assert events == ["recorded", "corrected", "withdrawn"]
    assert _error(client.get(f"/findings/{uuid4()}", headers=ADMIN)) == (404, "finding_id")


async def _stream_messages(common: CommonSettings) -> list[tuple[IntegrationMessage, Any]]:
    nc, js = await connect(common.nats_url, "inspection-test")
    try:
        stream = stream_name(common.namespace, "inspection")
        assert stream == f"{common.namespace}_INSPECTION".upper()
        info = await js.stream_info(stream)
        found = []
        for seq in range(1, info.state.messages + 1):
            raw = await js.get_msg(stream, seq)
            found.append((IntegrationMessage.decode(raw.data or b""), raw.headers or {}))
        return found
    finally:
        await nc.close()


@pytest.mark.infra
def test_finding_recorded_lands_on_the_inspection_stream(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        ctx = _setup(cluster)
        client, inspector = cluster["inspection"], ctx["keys"]["漯河市暗访组"]
        unit = ctx["units"]["郾城区人社局"]
        created = client.post("/findings", json=_finding(unit), headers=inspector).json()
        path = f"/findings/{created['finding_id']}/corrections"
        correction = {"summary": "更正后的描述", "reason": "理由"}
        assert client.post(path, json=correction, headers=inspector).status_code == 201
        wait_caught_up(
            lambda: cluster.head("inspection"),
            lambda: client.get("/readyz").json()["checks"]["relay"]["published_to"],
            "inspection relay",
        )
        cluster.wait_caught_up("inspection", "inspection")
        listed = client.get("/findings", params={"unit_id": unit}, headers=ADMIN).json()
        assert [f["summary"] for f in listed] == ["更正后的描述"]

    [(message, headers), (correction, _)] = asyncio.run(_stream_messages(production_settings))
    assert message.event_type == "inspection.finding.recorded"
    assert message.origin == "inspection" and message.previous_position is None
    assert headers["Nats-Msg-Id"] == f"inspection:{message.position}"
    payload = message.payload
    assert (payload["finding_id"], payload["unit_id"]) == (created["finding_id"], unit)
    assert (payload["method"], payload["summary"]) == ("暗访", SUMMARY)
    assert payload["actor"] == created["recorded_by"]
    assert payload["jurisdiction_id"] == created["jurisdiction_id"]
    assert correction.event_type == "inspection.finding.corrected"
    assert correction.previous_position == message.position
    assert correction.payload == {
        "finding_id": created["finding_id"],
        "summary": "更正后的描述",
        "reason": "理由",
        "actor": created["recorded_by"],
        "version": 2,
    }
