"""Rectification over HTTP (memory mode): issue, list with status and overdue filters,
report by the unit's own key only, verification, escalation and re-rating by role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.inspection.rectification.application import china_today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster


def _post(client: TestClient, path: str, body: dict[str, Any], headers: Any = None) -> Any:
    response = client.post(path, json=body, headers=headers or ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"][0]["field"]


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        registry = cluster["registry"]
        city = _post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"})
        county = _post(
            registry,
            "/jurisdictions",
            {"name": "源汇区", "level": "district", "parent_id": city["jurisdiction_id"]},
        )["jurisdiction_id"]
        other = _post(registry, "/jurisdictions", {"name": "大庆市", "level": "city"})
        units = {}
        for name in ("源汇区民政局", "源汇区人社局"):
            body = {
                "jurisdiction_id": county,
                "name": name,
                "kind": "government_department",
                "category": "政府部门及其它机构",
            }
            units[name] = _post(registry, "/units", body)["unit_id"]
        keys, ids = {}, {}
        for name, role, jurisdiction in [
            ("源汇区纠风办", "office", county),
            ("大庆市纠风办", "office", other["jurisdiction_id"]),
            ("暗访组", "inspector", county),
            ("审计组", "auditor", None),
            ("源汇区民政局", "unit", county),
            ("源汇区人社局", "unit", county),
        ]:
            body = {"name": name, "role": role, "jurisdiction_id": jurisdiction}
            if role == "unit":
                body["unit_id"] = units[name]
            issued = _post(registry, "/principals", body)
            keys[name] = {"X-API-Key": issued["api_key"]}
            ids[name] = issued["principal_id"]
        cluster.wait_caught_up("inspection", "registry")
        yield cluster, {"units": units, "keys": keys, "ids": ids}


def _order(
    cluster: Cluster, ctx: dict[str, Any], found_at: str = "2025-01-02", **overrides: Any
) -> dict[str, Any]:
    client, unit = cluster["inspection"], ctx["units"]["源汇区民政局"]
    finding = _post(
        client,
        "/findings",
        {
            "unit_id": unit,
            "method": "暗访",
            "summary": "窗口工作人员上班时间玩手机",
            "found_at": f"{found_at}T10:30:00+08:00",
        },
    )
    body = {
        "unit_id": unit,
        "finding_ids": [finding["finding_id"]],
        "working_days": 5,
        "requirements": "限期整改并书面报告",
        "unit_principal_id": ctx["ids"]["源汇区民政局"],
    } | overrides
    return dict(_post(client, "/rectifications", body, ctx["keys"]["暗访组"]))


def test_issue_list_report_verify_escalate_rerate(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    late = _order(cluster, ctx, issued_on="2025-01-03")
    fresh = _order(cluster, ctx)
    assert late["overdue"] is True and fresh["overdue"] is False
    assert fresh["issued_by"].startswith("inspector:")
    cluster.wait_caught_up("inspection", "inspection")

    def listed(params: dict[str, Any], key: Any = None) -> list[str]:
        response = client.get("/rectifications", params=params, headers=key or ADMIN)
        assert response.status_code == 200, response.text
        return [o["order_id"] for o in response.json()]

    assert listed({}) == [late["order_id"], fresh["order_id"]]
    assert listed({"overdue": "true"}) == [late["order_id"]]
    assert listed({"overdue": "false"}) == [fresh["order_id"]]
    assert listed({"overdue": "true", "limit": 1}) == [late["order_id"]]
    assert listed({"status": "reported"}) == []
    assert listed({}, keys["源汇区民政局"]) == [late["order_id"], fresh["order_id"]]
    assert listed({}, keys["源汇区人社局"]) == []
    assert listed({}, keys["大庆市纠风办"]) == []
    assert len(listed({}, keys["审计组"])) == 2

    path = f"/rectifications/{late['order_id']}"
    assert client.get(path, headers=keys["源汇区民政局"]).json()["order_id"] == late["order_id"]
    # Outside the caller's scope an order answers as no order, never a 403 that says it exists.
    assert _error(client.get(path, headers=keys["源汇区人社局"])) == (404, "order_id")
    assert _error(client.get(path, headers=keys["大庆市纠风办"])) == (404, "order_id")

    escalation = {"step": "催办", "reason": "逾期未报送整改情况"}
    assert _error(client.post(f"{path}/escalation", json=escalation, headers=keys["暗访组"])) == (
        403,
        "X-API-Key",
    )
    urged = _post(client, f"{path}/escalation", escalation, keys["源汇区纠风办"])
    assert urged["escalation"] == "催办"
    fresh_path = f"/rectifications/{fresh['order_id']}"
    not_due = client.post(f"{fresh_path}/escalation", json=escalation, headers=ADMIN)
    assert _error(not_due) == (409, "order_id")

    report = {"text": "已对相关人员批评教育，制定窗口纪律管理办法"}
    other_unit = client.post(f"{path}/report", json=report, headers=keys["源汇区人社局"])
    assert _error(other_unit) == (404, "order_id")  # another unit's order: as none
    reported = _post(client, f"{path}/report", report, keys["源汇区民政局"])
    assert reported["status"] == "reported" and reported["overdue"] is False
    returned = {"outcome": "returned", "reason": "整改措施未落实到位"}
    assert _post(client, f"{path}/verification", returned, keys["暗访组"])["status"] == "returned"
    _post(client, f"{path}/report", report, keys["源汇区民政局"])
    refused = client.post(f"{path}/verification", json=returned, headers=keys["暗访组"])
    assert _error(refused) == (422, "working_days")
    second = _post(client, f"{path}/verification", returned | {"working_days": 3}, ADMIN)
    assert second["status"] == "second_handling" and second["second_handling"] is True
    _post(client, f"{path}/report", report, keys["源汇区民政局"])
    accepted = {"outcome": "accepted", "reason": "整改到位"}
    assert _post(client, f"{path}/verification", accepted, keys["源汇区纠风办"])["status"] == (
        "accepted"
    )
    rerating = {"rating": "不满意", "raters": "投诉人", "reason": "电话回访"}
    assert _error(client.post(f"{path}/rerating", json=rerating, headers=keys["暗访组"])) == (
        403,
        "X-API-Key",
    )
    rated = _post(client, f"{path}/rerating", rerating, keys["源汇区纠风办"])
    assert (rated["rating"], rated["ratings"]) == ("不满意", 1)

    cluster.wait_caught_up("inspection", "inspection")
    assert listed({"status": "accepted"}) == [late["order_id"]]
    assert listed({"overdue": "true"}) == []
    assert listed({"unit_id": ctx["units"]["源汇区民政局"], "status": "issued"}) == [
        fresh["order_id"]
    ]
    doc = client.get("/rectifications", params={"status": "accepted"}, headers=ADMIN).json()[0]
    assert {k: doc[k] for k in ("escalation", "rating", "returns", "second_handling")} == {
        "escalation": "催办",
        "rating": "不满意",
        "returns": 2,
        "second_handling": True,
    }
    assert doc["deadline"] == second["deadline"] and doc["deadline"] > china_today().isoformat()


def test_issue_is_refused_outside_scope_and_for_bad_keys(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    order = _order(cluster, ctx)
    body = {
        "unit_id": order["unit_id"],
        "finding_ids": order["finding_ids"],
        "working_days": 5,
        "requirements": "限期整改",
    }
    for name in ("审计组", "源汇区民政局"):
        assert _error(client.post("/rectifications", json=body, headers=keys[name])) == (
            403,
            "X-API-Key",
        )
    assert _error(client.post("/rectifications", json=body, headers=keys["大庆市纠风办"])) == (
        403,
        "unit_id",
    )
    office = keys["源汇区纠风办"]
    for principal in (ctx["ids"]["暗访组"], order["order_id"]):
        wrong = client.post(
            "/rectifications", json=body | {"unit_principal_id": principal}, headers=office
        )
        assert _error(wrong) == (422, "unit_principal_id")
    other_unit = body | {"unit_id": ctx["units"]["源汇区人社局"]}
    assert _error(client.post("/rectifications", json=other_unit, headers=office)) == (
        422,
        "finding_ids.0",
    )
    headers = office | {"Idempotency-Key": "notice-2025-001"}
    first = client.post("/rectifications", json=body, headers=headers)
    again = client.post("/rectifications", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def test_an_order_shows_that_its_findings_were_withdrawn(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """Withdrawn after the order was issued: the order says so, in its detail (from the
    store) and in the list (from the view), and which finding it was."""
    cluster, ctx = world
    client, office = cluster["inspection"], ctx["keys"]["源汇区纠风办"]
    order = _order(cluster, ctx)
    assert (order["withdrawn_finding_ids"], order["findings_withdrawn"]) == ([], False)
    [finding] = order["finding_ids"]
    _post(client, f"/findings/{finding}/withdrawal", {"reason": "经核实不属于该单位"}, office)
    path = f"/rectifications/{order['order_id']}"
    shown = client.get(path, headers=ctx["keys"]["源汇区民政局"]).json()
    assert (shown["withdrawn_finding_ids"], shown["findings_withdrawn"]) == ([finding], True)
    cluster.wait_caught_up("inspection", "inspection")
    [listed] = client.get("/rectifications", headers=office).json()
    assert (listed["withdrawn_finding_ids"], listed["findings_withdrawn"]) == ([finding], True)
    others = _order(cluster, ctx)
    cluster.wait_caught_up("inspection", "inspection")
    fresh = client.get("/rectifications", headers=office).json()
    assert {o["order_id"]: o["findings_withdrawn"] for o in fresh} == {
        order["order_id"]: True,
        others["order_id"]: False,
    }


def test_a_deadline_counted_across_a_year_no_calendar_knows_says_so(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """2003 lies before the notices chinesecalendar carries (2004 onwards) and no file is
    set: its deadline counts Monday to Friday only, and every answer says so. A 2025 one is
    counted on the State Council's holidays. Nothing about it is stored."""
    cluster, ctx = world
    client = cluster["inspection"]
    known = _order(cluster, ctx, issued_on="2025-01-02")
    unknown = _order(cluster, ctx, issued_on="2003-06-02", found_at="2003-06-02")
    assert known["deadline_basis"] == "calendar"
    assert unknown["deadline_basis"] == "weekdays_only"
    for order, basis in ((known, "calendar"), (unknown, "weekdays_only")):
        one = client.get(f"/rectifications/{order['order_id']}", headers=ADMIN).json()
        assert one["deadline_basis"] == basis
    listed = {
        o["order_id"]: o["deadline_basis"]
        for o in client.get("/rectifications", headers=ADMIN).json()
    }
    assert listed == {known["order_id"]: "calendar", unknown["order_id"]: "weekdays_only"}
