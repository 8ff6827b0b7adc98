"""Complaints and hotline appearances over HTTP (memory mode): the whole course of a
complaint, who may do what, what a unit sees, and that lists never carry complainants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.inspection.workdays import china_today as today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.test_api import _setup

SUMMARY = "办理社保转移窗口推诿，三次往返未办结"


def _error(response: Any) -> tuple[int, str | None]:
    return response.status_code, response.json()["detail"][0]["field"]


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        ctx = _setup(cluster)
        units = cluster["registry"].get("/units", headers=ADMIN).json()
        ctx["jurisdictions"] = {u["name"]: u["jurisdiction_id"] for u in units}
        yield cluster, ctx


def _intake(ctx: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": ctx["jurisdictions"]["郾城区人社局"],
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": SUMMARY,
        "received_on": today().isoformat(),
        "complainant": {"name": "张三", "contact": "138 0000 5678"},
    } | overrides


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_course_of_a_complaint(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, unit_key = keys["郾城区纠风办"], keys["郾城区人社局"]
    unit = ctx["units"]["郾城区人社局"]
    complaint = _ok(client.post("/complaints", json=_intake(ctx), headers=office))
    assert complaint["complainant"] == {"name": "张*", "contact": "138****5678"}
    assert (complaint["status"], complaint["deadline_days"]) == ("received", 15)
    path = f"/complaints/{complaint['complaint_id']}"

    cluster.wait_caught_up("inspection", "inspection")
    assert client.get("/complaints", headers=unit_key).json() == []
    assert _error(client.get(path, headers=unit_key)) == (404, "complaint_id")

    sent = _ok(client.post(f"{path}/dispatch", json={"unit_id": unit}, headers=office))
    assert sent["status"] == "dispatched" and sent["due_on"] >= sent["dispatched_on"]
    seen = client.get(path, headers=unit_key).json()
    assert seen["complainant"] is None and seen["summary"] == SUMMARY
    replied = _ok(client.post(f"{path}/reply", json={"reply": "已当日办结"}, headers=unit_key))
    assert replied["complainant"] is None
    outcome = {"outcome": "verified", "reason": "经调取监控核实属实"}
    assert _error(client.post(f"{path}/outcome", json=outcome, headers=unit_key)) == (
        403,
        "X-API-Key",
    )
    _ok(client.post(f"{path}/outcome", json=outcome, headers=keys["漯河市暗访组"]))
    closed = _ok(client.post(f"{path}/callback", json={"satisfaction": "满意"}, headers=office))
    assert (closed["status"], closed["outcome"], closed["satisfaction"]) == (
        "closed",
        "verified",
        "满意",
    )
    again = client.post(f"{path}/callback", json={"satisfaction": "满意"}, headers=office)
    assert _error(again) == (409, "complaint_id")

    cluster.wait_caught_up("inspection", "inspection")
    for key in (office, unit_key, keys["审计组"], ADMIN):
        listed = client.get("/complaints", params={"unit_id": unit}, headers=key).json()
        assert [c["complaint_id"] for c in listed] == [complaint["complaint_id"]]
        assert listed[0]["status"] == "closed" and "complainant" not in listed[0]
    assert client.get("/complaints", headers=keys["大庆市纠风办"]).json() == []
    assert client.get("/complaints", params={"status": "received"}, headers=office).json() == []


def test_intake_rules_and_roles(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office = keys["郾城区纠风办"]
    anonymous = _ok(
        client.post(
            "/complaints", json=_intake(ctx, complainant=None, kind="emergency"), headers=office
        )
    )
    assert (anonymous["anonymous"], anonymous["deadline_days"]) == (True, 0)
    too_long = _intake(ctx, kind="consultation", deadline_days=20)
    assert _error(client.post("/complaints", json=too_long, headers=office)) == (
        422,
        "deadline_days",
    )
    elsewhere = _intake(ctx, unit_id=ctx["units"]["大庆市税务局"])
    assert _error(client.post("/complaints", json=elsewhere, headers=office))[0] == 403
    assert _error(client.post("/complaints", json=_intake(ctx), headers=keys["大庆市纠风办"])) == (
        403,
        "jurisdiction_id",
    )
    for name in ("审计组", "第三方调查机构", "郾城区人社局", "漯河市暗访组"):
        denied = client.post("/complaints", json=_intake(ctx), headers=keys[name])
        assert _error(denied) == (403, "X-API-Key"), name
    path = f"/complaints/{anonymous['complaint_id']}"
    # Another city's complaint answers as no complaint, never a 403 that says it exists.
    assert _error(client.get(path, headers=keys["大庆市纠风办"])) == (404, "complaint_id")
    assert client.get(path, headers=keys["审计组"]).json()["complainant"] is None
    dispatch = {"unit_id": ctx["units"]["大庆市税务局"]}
    assert _error(client.post(f"{path}/dispatch", json=dispatch, headers=office)) == (
        403,
        "unit_id",
    )


def test_a_bad_complainant_names_its_field_in_the_body(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    office = ctx["keys"]["郾城区纠风办"]
    short = _intake(ctx, complainant={"name": "张三", "contact": "1 3"})
    answer = cluster["inspection"].post("/complaints", json=short, headers=office)
    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_complaint")
    assert answer.json()["detail"][0]["field"] == "complainant.contact"


def test_hotline_appearances(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    unit = ctx["units"]["郾城区人社局"]
    body = {"unit_id": unit, "appeared_on": today().isoformat(), "topic": "社保服务专场"}
    appearance = _ok(client.post("/hotline-appearances", json=body, headers=keys["郾城区纠风办"]))
    assert appearance["unit_id"] == unit and appearance["recorded_by"].startswith("office:")
    for name in ("大庆市纠风办",):
        assert _error(client.post("/hotline-appearances", json=body, headers=keys[name])) == (
            403,
            "unit_id",
        )
    for name in ("审计组", "郾城区人社局", "漯河市暗访组"):
        denied = client.post("/hotline-appearances", json=body, headers=keys[name])
        assert _error(denied) == (403, "X-API-Key"), name
    cluster.wait_caught_up("inspection", "inspection")
    for name in ("郾城区纠风办", "郾城区人社局", "审计组"):
        listed = client.get("/hotline-appearances", headers=keys[name]).json()
        assert [a["appearance_id"] for a in listed] == [appearance["appearance_id"]], name
    assert client.get("/hotline-appearances", headers=keys["大庆市纠风办"]).json() == []


def test_idempotent_intake_keeps_no_plaintext(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client = cluster["inspection"]
    headers = ctx["keys"]["郾城区纠风办"] | {"Idempotency-Key": "hotline-2026-05-12-01"}
    first = _ok(client.post("/complaints", json=_intake(ctx), headers=headers))
    again = _ok(client.post("/complaints", json=_intake(ctx), headers=headers))
    assert again == first
    other = _intake(ctx, complainant={"name": "张三", "contact": "139 0000 5678"})
    assert _error(client.post("/complaints", json=other, headers=headers)) == (
        409,
        "Idempotency-Key",
    )
    # Someone else at the same number is another complainant: another request, not a retry.
    renamed = _intake(ctx, complainant={"name": "王五", "contact": "138 0000 5678"})
    assert _error(client.post("/complaints", json=renamed, headers=headers)) == (
        409,
        "Idempotency-Key",
    )
    cluster.wait_caught_up("inspection", "inspection")
    assert len(client.get("/complaints", headers=ADMIN).json()) == 1


def test_the_history_names_each_step_and_an_outcome_is_corrected_with_a_reason(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """Named at intake against one unit and sent to another: the dispatch shows the unit
    named before. A conclusion is corrected with a reason, kept in the history and
    published as the complaint's outcome again; a closed complaint stays closed."""
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, inspector = keys["郾城区纠风办"], keys["漯河市暗访组"]
    named = ctx["units"]["郾城区人社局"]
    sent_to = _ok(
        cluster["registry"].post(
            "/units",
            json={
                "jurisdiction_id": ctx["jurisdictions"]["郾城区人社局"],
                "name": "郾城区医保局",
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
            headers=ADMIN,
        )
    )["unit_id"]
    cluster.wait_caught_up("inspection", "registry")
    complaint = _ok(client.post("/complaints", json=_intake(ctx, unit_id=named), headers=office))
    path = f"/complaints/{complaint['complaint_id']}"
    _ok(client.post(f"{path}/dispatch", json={"unit_id": sent_to}, headers=office))
    outcome = {"outcome": "verified", "reason": "经调取监控核实属实"}
    early = client.post(f"{path}/outcome/corrections", json=outcome, headers=office)
    assert (early.status_code, early.json()["error"]) == (409, "complaint_out_of_turn")
    _ok(client.post(f"{path}/outcome", json=outcome, headers=inspector))
    _ok(client.post(f"{path}/callback", json={"satisfaction": "满意"}, headers=office))
    same = client.post(f"{path}/outcome/corrections", json=outcome, headers=office)
    assert _error(same) == (422, "outcome")
    correction = {"outcome": "partly_verified", "reason": "复核发现部分情况与事实不符"}
    assert (
        _error(
            client.post(
                f"{path}/outcome/corrections", json=correction, headers=keys["郾城区人社局"]
            )
        )[0]
        == 403
    )
    corrected = _ok(client.post(f"{path}/outcome/corrections", json=correction, headers=office))
    assert (corrected["status"], corrected["outcome"], corrected["outcome_reason"]) == (
        "closed",
        "partly_verified",
        "复核发现部分情况与事实不符",
    )

    history = client.get(path, headers=keys["审计组"]).json()["history"]
    assert [h["event"] for h in history] == [
        "received",
        "dispatched",
        "concluded",
        "called_back",
        "outcome_corrected",
    ]
    received, dispatched, concluded, called_back, fixed = history
    assert (received["unit_id"], received["actor"]) == (named, complaint["received_by"])
    assert (dispatched["unit_id"], dispatched["previous_unit_id"]) == (sent_to, named)
    assert dispatched["actor"].startswith("office:")
    assert (concluded["outcome"], concluded["reason"]) == ("verified", "经调取监控核实属实")
    assert concluded["actor"].startswith("inspector:")
    assert called_back["satisfaction"] == "满意"
    assert (fixed["outcome"], fixed["reason"]) == ("partly_verified", correction["reason"])
    assert fixed["actor"].startswith("office:") and fixed["at"] >= concluded["at"]

    cluster.wait_caught_up("inspection", "inspection")
    [listed] = client.get("/complaints", params={"unit_id": sent_to}, headers=office).json()
    assert (listed["status"], listed["outcome"]) == ("closed", "partly_verified")
    assert "history" not in listed and "complainant" not in listed
