"""Withdrawal (撤销) of a rectification order issued in error, over HTTP (memory mode), as a
finding is withdrawn: `POST /rectifications/{order_id}/withdrawal` by an office or inspector
in scope, with a required reason and an Idempotency-Key; the order stays on record, marked
withdrawn with who and why, owes nothing and leaves the overdue list; an accepted or already
withdrawn order is refused (409); the withdrawal is published as its own versioned message.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.inspection_rectification import RectificationWithdrawn
from tests.harness import ADMIN, Cluster
from tests.inspection.rectification.test_api import _error, _order, _post, world

__all__ = ["world"]  # the fixture, shared with test_api

World = tuple[Cluster, dict[str, Any]]
REASON = {"reason": "问题不属于该单位，通知书误发"}


def _code(response: Any) -> tuple[int, str, str | None]:
    detail = response.json()["detail"][0]
    return response.status_code, detail["code"], detail["field"]


def _listed(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/rectifications", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return [o["order_id"] for o in response.json()]


def _published(cluster: Cluster) -> list[IntegrationMessage]:
    runtime = cluster["inspection"].app.state.runtime  # type: ignore[attr-defined]
    return [m.message for m in runtime.outbox().read_encoded(None, None, 500).messages]


def test_an_order_issued_in_error_is_withdrawn(world: World) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    late = _order(cluster, ctx, issued_on="2025-01-03")
    kept = _order(cluster, ctx)
    path = f"/rectifications/{late['order_id']}"
    _post(client, f"{path}/escalation", {"step": "催办", "reason": "逾期未报送"}, ADMIN)
    cluster.wait_caught_up("inspection", "inspection")
    assert _listed(client, overdue="true") == [late["order_id"]]

    withdraw = f"{path}/withdrawal"
    for name in ("源汇区民政局", "审计组"):
        refused = client.post(withdraw, json=REASON, headers=keys[name])
        assert _error(refused) == (403, "X-API-Key")
    assert _error(client.post(withdraw, json=REASON, headers=keys["大庆市纠风办"])) == (
        404,
        "order_id",
    )
    inspector = keys["暗访组"]
    for body in ({}, {"reason": "  "}, REASON | {"note": "多余字段"}):
        invalid = client.post(withdraw, json=body, headers=inspector)
        assert invalid.status_code == 422 and _error(invalid)[1] in ("body.reason", "body.note")

    once = inspector | {"Idempotency-Key": "withdraw-2025-001"}
    withdrawn = _post(client, withdraw, REASON, once)
    assert (withdrawn["status"], withdrawn["withdrawn_reason"]) == ("withdrawn", REASON["reason"])
    assert (withdrawn["overdue"], withdrawn["overdue_working_days"]) == (False, 0)
    last = withdrawn["history"][-1]
    assert (last["event"], last["reason"], last["detail"]) == (
        "withdrawn",
        REASON["reason"],
        "issued",
    )
    assert last["actor"] == f"inspector:{ctx['ids']['暗访组']}"
    assert _post(client, withdraw, REASON, once) == withdrawn  # the same key: the same answer
    assert client.get(path, headers=keys["源汇区民政局"]).json() == withdrawn

    # Withdrawn is final: nothing more is done on it, nor is it withdrawn twice.
    again = client.post(withdraw, json=REASON, headers=keys["源汇区纠风办"])
    assert _code(again) == (409, "rectification_withdrawn", "order_id")
    for step, body, key in (
        ("report", {"text": "已整改"}, keys["源汇区民政局"]),
        ("escalation", {"step": "通报", "reason": "仍逾期"}, keys["源汇区纠风办"]),
        ("verification", {"outcome": "accepted", "reason": "整改到位"}, inspector),
    ):
        refused = client.post(f"{path}/{step}", json=body, headers=key)
        assert _code(refused) == (409, "rectification_withdrawn", "order_id"), step

    cluster.wait_caught_up("inspection", "inspection")
    assert _listed(client, overdue="true") == []
    assert _listed(client, status="withdrawn") == [late["order_id"]]
    assert _listed(client) == [kept["order_id"], late["order_id"]]  # among the closed, last
    [doc] = client.get("/rectifications", params={"status": "withdrawn"}, headers=ADMIN).json()
    assert (doc["status"], doc["withdrawn_reason"], doc["version"]) == (
        "withdrawn",
        REASON["reason"],
        withdrawn["version"],
    )

    [message] = [m for m in _published(cluster) if m.event_type.endswith(".withdrawn")]
    assert (message.event_type, message.schema_version) == (
        "inspection.rectification.withdrawn",
        1,
    )
    namespace = cluster.common.namespace
    assert message.subject(namespace) == f"{namespace}.inspection.rectification.withdrawn"
    payload = parse_payload(message)
    assert isinstance(payload, RectificationWithdrawn)
    assert (str(payload.order_id), payload.withdrawn_from, payload.reason) == (
        late["order_id"],
        "issued",
        REASON["reason"],
    )
    assert (payload.actor, payload.version) == (last["actor"], withdrawn["version"])


def test_an_accepted_order_stands_and_a_returned_one_is_withdrawn(world: World) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    unit, office = keys["源汇区民政局"], keys["源汇区纠风办"]
    report = {"text": "已建立窗口纪律制度"}
    accepted, returned = _order(cluster, ctx), _order(cluster, ctx)
    for order, outcome in ((accepted, "accepted"), (returned, "returned")):
        path = f"/rectifications/{order['order_id']}"
        _post(client, f"{path}/report", report, unit)
        _post(client, f"{path}/verification", {"outcome": outcome, "reason": "核查"}, office)

    refused = client.post(
        f"/rectifications/{accepted['order_id']}/withdrawal", json=REASON, headers=office
    )
    assert _code(refused) == (409, "rectification_state_conflict", "order_id")
    shown = client.get(f"/rectifications/{accepted['order_id']}", headers=office).json()
    assert shown["status"] == "accepted" and shown["withdrawn_reason"] is None

    withdrawn = _post(client, f"/rectifications/{returned['order_id']}/withdrawal", REASON, office)
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["history"][-1]["detail"] == "returned"
    assert withdrawn["issued_by"] == returned["issued_by"]  # the issue stays on record
    assert [e["event"] for e in withdrawn["history"]] == [
        "ordered",
        "reported",
        "returned",
        "withdrawn",
    ]


def test_an_unknown_status_on_the_list_is_one_error_naming_every_status(world: World) -> None:
    client = world[0]["inspection"]
    response = client.get("/rectifications", params={"status": "撤销"}, headers=ADMIN)
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["field"] == "query.status"
    assert detail["reason"] == (
        "须为以下之一: issued（已下发）、reported（已报送）、returned（已退回）、"
        "second_handling（二次办理）、accepted（已通过）、withdrawn（已撤销） "
        "(should be one of these codes, or its Chinese name)"
    )
