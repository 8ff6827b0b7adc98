"""Two cities side by side for inspection's scope and retry tests: 漯河市 and 大庆市, each
with its office, its inspector, one unit with the unit's own key, and a campaign of the
current year the unit is enrolled in. Spoken over HTTP to a `Cluster` of registry and
inspection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from services.inspection.workdays import china_today
from tests.harness import ADMIN, Cluster

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
"""The start of a PNG image: enough for the upload's signature check."""


def created(client: TestClient, path: str, body: Any, headers: dict[str, str] = ADMIN) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201, (path, response.text)
    return response.json()


@dataclass(frozen=True)
class County:
    name: str
    jurisdiction: str
    unit: str
    campaign: str
    keys: dict[str, dict[str, str]]
    """role (office, inspector, unit) -> request headers carrying its key"""
    ids: dict[str, str]
    """role -> the key's principal id"""


def county(registry: TestClient, name: str, unit_name: str) -> County:
    place = created(registry, "/jurisdictions", {"name": name, "level": "city"})
    jurisdiction = place["jurisdiction_id"]
    unit = created(
        registry,
        "/units",
        {
            "jurisdiction_id": jurisdiction,
            "name": unit_name,
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
    )["unit_id"]
    keys: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for role, body in [
        ("office", {"name": f"{name}纠风办", "role": "office", "jurisdiction_id": jurisdiction}),
        (
            "inspector",
            {"name": f"{name}暗访组", "role": "inspector", "jurisdiction_id": jurisdiction},
        ),
        ("unit", {"name": unit_name, "role": "unit", "unit_id": unit}),
    ]:
        issued = created(registry, "/principals", body)
        keys[role], ids[role] = {"X-API-Key": issued["api_key"]}, issued["principal_id"]
    year = china_today().year
    campaign = created(
        registry,
        "/campaigns",
        {
            "jurisdiction_id": jurisdiction,
            "name": f"{year}年度{name}民主评议政风行风",
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "whole_cycle",
                "starts_on": f"{year}-01-01",
                "ends_on": f"{year}-12-31",
            },
            "phases": [
                {"name": "组织实施", "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
            ],
            "categories": ["政府部门及其它机构"],
        },
    )["campaign_id"]
    enrolment = {"unit_id": unit, "category": "政府部门及其它机构"}
    created(registry, f"/campaigns/{campaign}/enrolments", {"enrolments": [enrolment]})
    return County(name, jurisdiction, unit, campaign, keys, ids)


def two_counties(cluster: Cluster) -> tuple[County, County]:
    registry = cluster["registry"]
    luohe = county(registry, "漯河市", "漯河市人社局")
    daqing = county(registry, "大庆市", "大庆市税务局")
    cluster.wait_caught_up("inspection", "registry")
    return luohe, daqing


def today() -> str:
    return china_today().isoformat()


def finding_body(place: County, **more: Any) -> dict[str, Any]:
    return {
        "unit_id": place.unit,
        "method": "暗访",
        "summary": "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理",
        "found_at": f"{today()}T00:05:00+08:00",
    } | more


def finding(client: TestClient, place: County, **more: Any) -> str:
    made = created(client, "/findings", finding_body(place, **more), place.keys["inspector"])
    finding_id: str = made["finding_id"]
    return finding_id


def upload(client: TestClient, place: County, content: bytes = PNG) -> str:
    headers = place.keys["inspector"] | {"Content-Type": "image/png"}
    response = client.post("/evidence", content=content, headers=headers)
    assert response.status_code == 201, response.text
    sha256: str = response.json()["sha256"]
    return sha256


def order_body(place: County, finding_id: str, **more: Any) -> dict[str, Any]:
    return {
        "unit_id": place.unit,
        "finding_ids": [finding_id],
        "working_days": 5,
        "requirements": "限期整改并书面报告整改情况",
    } | more


def order(client: TestClient, place: County, **more: Any) -> str:
    body = order_body(place, finding(client, place), **more)
    order_id: str = created(client, "/rectifications", body, place.keys["office"])["order_id"]
    return order_id


def complaint_body(place: County, **more: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": place.jurisdiction,
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": "办理社保转移窗口推诿，三次往返未办结",
        "received_on": today(),
    } | more


def complaint(client: TestClient, place: County, dispatched: bool = True, **more: Any) -> str:
    body = complaint_body(place, **more)
    made = created(client, "/complaints", body, place.keys["office"])
    complaint_id: str = made["complaint_id"]
    if dispatched:
        path = f"/complaints/{complaint_id}/dispatch"
        created(client, path, {"unit_id": place.unit}, place.keys["office"])
    return complaint_id


def counted(place: County) -> dict[str, Any]:
    return {"unit_id": place.unit, "campaign_id": place.campaign, "round": 1}


def score_body(place: County, code: str = "daily_work", **more: Any) -> dict[str, Any]:
    return (
        counted(place)
        | {
            "component_code": code,
            "component_name": "日常工作",
            "score": "17.5",
            "maximum": "20",
            "assessor": "评议考核组",
            "basis": "查阅日常工作台账，按考核细则逐项评分",
            "reason": "年终集中评议考核",
        }
        | more
    )


def veto_body(place: County, **more: Any) -> dict[str, Any]:
    return (
        counted(place)
        | {"basis": "发生重大安全责任事故", "authority": "纪委监委", "decided_on": today()}
        | more
    )


def task_body(place: County, **more: Any) -> dict[str, Any]:
    return {
        "title": "四级便民服务网络建设",
        "unit_id": place.unit,
        "due_on": "2099-12-31",
        "methods": ["跟踪"],
        "milestones": [{"name": "完成选址", "due_on": "2099-06-30"}],
    } | more


def task(client: TestClient, place: County) -> str:
    made = created(client, "/tasks", task_body(place), place.keys["office"])
    task_id: str = made["task_id"]
    return task_id


def visit(client: TestClient, place: County, conducted: bool = True) -> str:
    body = {
        "unit_id": place.unit,
        "kind": "暗访",
        "planned_on": today(),
        "inspectors": [place.ids["inspector"]],
    }
    visit_id: str = created(client, "/visits", body, place.keys["office"])["visit_id"]
    if conducted:
        path = f"/visits/{visit_id}/conduct"
        when = {"conducted_at": f"{today()}T00:01:00+08:00"}
        created(client, path, when, place.keys["inspector"])
    return visit_id
