"""A unit's key sees its own unit only (memory mode). Two units in one county, 源汇区民政局
and 源汇区人社局, each with its own key: one unit's findings, rectification orders, complaints,
tasks and assessment scores answer the other unit's key by id exactly as records that do not
exist (404) and are absent from its lists, while the unit's own key reads and answers them. A
unit key issued before keys named their unit (legacy, stored as such) keeps the jurisdiction
rule and, where a record names a key, the party rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from services.inspection.workdays import china_today
from services.registry.domain import Principal
from services.registry.domain.keys import KeyIndex
from shared.principals import hash_api_key, new_api_key
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.stored_events import created, store

MINZHENG, RENSHE = "源汇区民政局", "源汇区人社局"


def _post(client: TestClient, path: str, body: dict[str, Any], headers: Any = None) -> Any:
    response = client.post(path, json=body, headers=headers or ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"][0]["field"]


def _legacy_unit_key(cluster: Cluster, county: str) -> tuple[dict[str, str], str]:
    """A unit key as issued before keys named their unit: bound to the county, no unit.
    Today's command refuses to issue one, so its event is stored as the old code wrote it."""
    app = cluster["registry"].app.state.runtime.application  # type: ignore[attr-defined]
    key = new_api_key()
    issued = created(
        Principal,
        Principal.Issued,
        name="源汇区旧单位密钥",
        role="unit",
        jurisdiction_id=UUID(county),
        key_hash=hash_api_key(key),
        actor="admin:old",
        unit_id=None,
    )
    store(app, issued)
    app.save(KeyIndex(hash_api_key(key), issued.originator_id))
    return {"X-API-Key": key}, str(issued.originator_id)


def _campaign(registry: TestClient, county: str) -> str:
    body = {
        "jurisdiction_id": county,
        "name": "2026年度源汇区民主评议政风行风",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
        "phases": [{"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"}],
        "categories": ["政府部门及其它机构"],
    }
    campaign_id: str = _post(registry, "/campaigns", body)["campaign_id"]
    return campaign_id


def _enrol(registry: TestClient, campaign: str, units: list[str]) -> None:
    enrolments = [{"unit_id": unit, "category": "政府部门及其它机构"} for unit in units]
    _post(registry, f"/campaigns/{campaign}/enrolments", {"enrolments": enrolments})


def _people(cluster: Cluster) -> dict[str, Any]:
    registry = cluster["registry"]
    city = _post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"})
    county = _post(
        registry,
        "/jurisdictions",
        {"name": "源汇区", "level": "district", "parent_id": city["jurisdiction_id"]},
    )["jurisdiction_id"]
    units = {
        name: _post(
            registry,
            "/units",
            {
                "jurisdiction_id": county,
                "name": name,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
        )["unit_id"]
        for name in (MINZHENG, RENSHE)
    }
    keys = {
        name: {"X-API-Key": _post(registry, "/principals", body)["api_key"]}
        for name, body in (
            ("office", {"name": "源汇区纠风办", "role": "office", "jurisdiction_id": county}),
            (MINZHENG, {"name": MINZHENG, "role": "unit", "unit_id": units[MINZHENG]}),
            (RENSHE, {"name": RENSHE, "role": "unit", "unit_id": units[RENSHE]}),
        )
    }
    legacy, legacy_id = _legacy_unit_key(cluster, county)
    keys["legacy"] = legacy
    campaign = _campaign(registry, county)
    _enrol(registry, campaign, list(units.values()))
    cluster.wait_caught_up("inspection", "registry")
    return {"county": county, "units": units, "keys": keys, "legacy_id": legacy_id} | {
        "campaign": campaign
    }


def _finding(client: TestClient, unit: str) -> str:
    body = {
        "unit_id": unit,
        "method": "暗访",
        "summary": "窗口工作人员上班时间玩手机",
        "found_at": "2026-05-12T10:30:00+08:00",
    }
    finding_id: str = _post(client, "/findings", body)["finding_id"]
    return finding_id


def _order(client: TestClient, unit: str, named: str | None = None) -> str:
    body = {
        "unit_id": unit,
        "finding_ids": [_finding(client, unit)],
        "working_days": 10,
        "requirements": "限期整改",
    } | ({"unit_principal_id": named} if named else {})
    order_id: str = _post(client, "/rectifications", body)["order_id"]
    return order_id


def _complaint(client: TestClient, county: str, unit: str, *, dispatch: bool) -> str:
    body = {
        "jurisdiction_id": county,
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": "窗口推诿",
        "received_on": "2026-05-12",
        "complainant": {"name": "张三", "contact": "13800000000"},
    }
    complaint_id: str = _post(client, "/complaints", body)["complaint_id"]
    if dispatch:
        _post(client, f"/complaints/{complaint_id}/dispatch", {"unit_id": unit})
    return complaint_id


def _task(client: TestClient, unit: str) -> str:
    body = {
        "title": "四级便民服务网络建设",
        "kind": "key_project",
        "unit_id": unit,
        "due_on": "2099-12-31",
        "milestones": [{"name": "选址", "due_on": "2026-06-30"}],
        "methods": ["跟踪"],
    }
    task_id: str = _post(client, "/tasks", body)["task_id"]
    return task_id


def _score(client: TestClient, unit: str, campaign: str) -> str:
    body = {
        "unit_id": unit,
        "campaign_id": campaign,
        "round": 1,
        "component_code": "organisation",
        "component_name": "组织领导与资料",
        "score": "8",
        "maximum": "10",
        "assessor": "评议考核组",
        "basis": "台账齐全",
        "reason": "集中评议",
    }
    score_id: str = _post(client, "/assessment-scores", body)["score_id"]
    return score_id


@pytest.fixture(scope="module")
def county() -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(in_memory(), ["registry", "inspection"]) as cluster:
        ctx = _people(cluster)
        client, units = cluster["inspection"], ctx["units"]
        mine = units[MINZHENG]
        ctx["records"] = {
            "rectification": _order(client, mine),
            "complaint": _complaint(client, ctx["county"], mine, dispatch=True),
            "task": _task(client, mine),
            "assessment_score": _score(client, mine, ctx["campaign"]),
            "finding": _finding(client, mine),
        }
        ctx["named_order"] = _order(client, mine, named=ctx["legacy_id"])
        ctx["their_order"] = _order(client, units[RENSHE])
        ctx["undispatched"] = _complaint(client, ctx["county"], mine, dispatch=False)
        for upstream in ("registry", "inspection"):
            cluster.wait_caught_up("inspection", upstream)
        yield cluster, ctx


READS = {
    "rectification": ("/rectifications", "order_id"),
    "complaint": ("/complaints", "complaint_id"),
    "task": ("/tasks", "task_id"),
    "assessment_score": ("/assessment-scores", "score_id"),
    "finding": ("/findings", "finding_id"),
}


def _listed(client: TestClient, path: str, key: dict[str, str], **params: str) -> list[Any]:
    response = client.get(path, params=params, headers=key)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_unit_key_reads_its_own_units_records(county: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = county
    client, key = cluster["inspection"], ctx["keys"][MINZHENG]
    for kind, record in ctx["records"].items():
        path, id_field = READS[kind]
        got = client.get(f"{path}/{record}", headers=key)
        assert got.status_code == 200, (kind, got.text)
        assert [doc[id_field] for doc in _listed(client, path, key)].count(record) == 1, kind
    complaint = client.get(f"/complaints/{ctx['records']['complaint']}", headers=key).json()
    assert complaint.get("complainant") is None  # a unit never learns who complained
    orders = {doc["order_id"] for doc in _listed(client, "/rectifications", key)}
    assert orders == {ctx["records"]["rectification"], ctx["named_order"]}


def test_another_units_key_in_the_county_is_refused_and_lists_nothing(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = county
    client, theirs = cluster["inspection"], ctx["keys"][RENSHE]
    for kind, record in ctx["records"].items():
        path, id_field = READS[kind]
        # Another unit's record answers as none: never a 403 that says it exists.
        assert _error(client.get(f"{path}/{record}", headers=theirs)) == (404, id_field), kind
        # Their own order (and the finding behind it) are theirs to see; nothing of ours.
        listed = _listed(client, path, theirs)
        assert all(doc["unit_id"] == ctx["units"][RENSHE] for doc in listed), kind
        assert listed == [] or kind in ("rectification", "finding"), kind
        mine = {"unit_id": ctx["units"][MINZHENG]}
        refused = client.get(path, params=mine, headers=theirs)
        assert _error(refused) == (403, "unit_id"), kind
    own_orders = [doc["order_id"] for doc in _listed(client, "/rectifications", theirs)]
    assert own_orders == [ctx["their_order"]]
    unit_doc = cluster["registry"].get(f"/units/{ctx['units'][MINZHENG]}", headers=theirs)
    assert _error(unit_doc) == (403, "unit_id")


def test_another_units_key_cannot_answer_for_the_unit(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = county
    client, records = cluster["inspection"], ctx["records"]
    theirs, mine = ctx["keys"][RENSHE], ctx["keys"][MINZHENG]
    report = {"text": "已整改"}
    order_path = f"/rectifications/{records['rectification']}/report"
    assert _error(client.post(order_path, json=report, headers=theirs)) == (404, "order_id")
    reply_path = f"/complaints/{records['complaint']}/reply"
    reply = {"reply": "已约谈窗口负责人"}
    assert _error(client.post(reply_path, json=reply, headers=theirs)) == (404, "complaint_id")
    monthly = {"month": china_today().isoformat()[:7], "progress": "已选址", "difficulties": "无"}
    task_path = f"/tasks/{records['task']}/reports"
    assert _error(client.post(task_path, json=monthly, headers=theirs)) == (404, "task_id")
    # The unit's own key, named on none of them, answers all three.
    assert client.post(order_path, json=report, headers=mine).status_code == 201
    assert client.post(reply_path, json=reply, headers=mine).status_code == 201
    assert client.post(task_path, json=monthly, headers=mine).status_code == 201


def test_a_complaint_not_yet_dispatched_is_no_units_yet(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = county
    client, path = cluster["inspection"], f"/complaints/{ctx['undispatched']}"
    for name in (MINZHENG, RENSHE, "legacy"):
        assert _error(client.get(path, headers=ctx["keys"][name])) == (404, "complaint_id"), name
    listed = _listed(client, "/complaints", ctx["keys"][MINZHENG])
    assert [doc["complaint_id"] for doc in listed] == [ctx["records"]["complaint"]]


def test_a_legacy_unit_key_keeps_the_jurisdiction_and_party_rules(
    county: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = county
    client, legacy = cluster["inspection"], ctx["keys"]["legacy"]
    records = ctx["records"]
    score = client.get(f"/assessment-scores/{records['assessment_score']}", headers=legacy)
    assert score.status_code == 200, score.text  # its county's, as before
    assert client.get(f"/complaints/{records['complaint']}", headers=legacy).status_code == 200
    # An order reaches a legacy key only if it is named on the order.
    named = client.get(f"/rectifications/{ctx['named_order']}", headers=legacy)
    assert named.status_code == 200, named.text
    unnamed = client.get(f"/rectifications/{records['rectification']}", headers=legacy)
    assert _error(unnamed) == (404, "order_id")
    orders = [doc["order_id"] for doc in _listed(client, "/rectifications", legacy)]
    assert orders == [ctx["named_order"]]
    unit_doc = cluster["registry"].get(f"/units/{ctx['units'][RENSHE]}", headers=legacy)
    assert unit_doc.status_code == 200
