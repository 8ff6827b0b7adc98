"""Visits (sealed until conducted), findings v2 and evidence files: in memory, and over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.inspection.application import InspectionApplication
from services.inspection.domain import Finding
from services.inspection.integration import to_payload
from services.inspection.visits import Visit
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.inspection import FindingRecorded, FindingRecordedV1, VisitConducted
from shared.principals import Principal
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster

FOUND = datetime(2026, 6, 3, 9, 40, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 300


def test_planned_and_cancelled_visits_publish_nothing_conducted_publishes_the_plan() -> None:
    inspector = uuid4()
    visit = Visit.plan(
        unit_id=uuid4(),
        jurisdiction_id=uuid4(),
        kind="电话暗访",
        planned_on=date(2026, 6, 3),
        inspectors=[inspector],
        checklist=["服务态度", "工作效率"],
        actor="office:x",
    )
    other = Visit.plan(
        unit_id=uuid4(),
        jurisdiction_id=uuid4(),
        kind="暗访",
        planned_on=date(2026, 6, 4),
        inspectors=[inspector],
        checklist=[],
        actor="office:x",
    )
    other.cancel("改期", "office:x")
    assert [to_payload(e) for e in other.collect_events()] == [None, None]
    caller = Principal(inspector, "督查员", "inspector", None)
    visit.conduct(caller, FOUND, datetime.now(UTC))
    planned, conducted = (to_payload(e) for e in visit.collect_events())
    assert planned is None
    assert isinstance(conducted, VisitConducted)
    assert (conducted.kind, conducted.planned_on, conducted.inspectors) == (
        "电话暗访",
        date(2026, 6, 3),
        (inspector,),
    )
    assert conducted.checklist == ("服务态度", "工作效率")


def test_a_v1_finding_message_is_upcast_and_a_v1_stored_finding_loads() -> None:
    v1 = FindingRecordedV1(
        finding_id=uuid4(),
        unit_id=uuid4(),
        method="暗访",
        summary="窗口无人",
        found_at=FOUND,
        actor="inspector:a",
    )
    message = IntegrationMessage(
        event_id=uuid4(),
        event_type=v1.event_type,
        schema_version=1,
        origin="inspection",
        position=1,
        previous_position=None,
        occurred_at=FOUND,
        payload=v1.model_dump(mode="json"),
    )
    now = parse_payload(message)
    assert isinstance(now, FindingRecorded)
    assert (now.visit_id, now.item, now.severity, now.deduction, now.evidence) == (
        None,
        None,
        None,
        None,
        (),
    )

    app = InspectionApplication(IN_MEMORY)
    finding = Finding.record(
        unit_id=uuid4(),
        jurisdiction_id=uuid4(),
        method="暗访",
        summary="窗口无人",
        found_at=FOUND,
        actor="inspector:a",
        now=datetime.now(UTC),
    )
    stored = app.mapper.to_stored_event(finding.collect_events()[0])
    state = app.mapper.transcoder.decode(stored.state)
    for name in ("class_version", "visit_id", "item", "severity", "deduction", "evidence"):
        state.pop(name, None)
    app.recorder.insert_events([replace(stored, state=app.mapper.transcoder.encode(state))])
    again = app.finding(finding.id)
    assert (again.visit_id, again.deduction, again.evidence) == (None, None, ())


def _post(client: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def setup_world(cluster: Cluster) -> dict[str, Any]:
    """漯河市 with one unit, its office, inspectors 甲 and 乙, an auditor and the unit's key."""
    registry = cluster["registry"]
    county = _post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"}, ADMIN)
    county_id = county["jurisdiction_id"]
    unit = _post(
        registry,
        "/units",
        {
            "jurisdiction_id": county_id,
            "name": "郾城区人社局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
        ADMIN,
    )["unit_id"]
    keys, ids = {}, {}
    for name, role in [
        ("纠风办", "office"),
        ("甲", "inspector"),
        ("乙", "inspector"),
        ("审计", "auditor"),
        ("人社局", "unit"),
    ]:
        body = {"name": name, "role": role, "jurisdiction_id": county_id}
        if role == "auditor":
            body["jurisdiction_id"] = None
        if role == "unit":
            body["unit_id"] = unit
        issued = _post(registry, "/principals", body, ADMIN)
        keys[name] = {"X-API-Key": issued["api_key"]}
        ids[name] = issued["principal_id"]
    other = _post(registry, "/jurisdictions", {"name": "大庆市", "level": "city"}, ADMIN)
    elsewhere = {
        "name": "大庆市纠风办",
        "role": "office",
        "jurisdiction_id": other["jurisdiction_id"],
    }
    keys["大庆市纠风办"] = {
        "X-API-Key": _post(registry, "/principals", elsewhere, ADMIN)["api_key"]
    }
    cluster.wait_caught_up("inspection", "registry")
    return {
        "unit": unit,
        "keys": keys,
        "ids": ids,
        "elsewhere": keys["大庆市纠风办"],
        "elsewhere_id": other["jurisdiction_id"],
    }


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, setup_world(cluster)


def test_a_planned_visit_is_sealed_until_conducted(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys, unit = cluster["inspection"], ctx["keys"], ctx["unit"]
    plan = {
        "unit_id": unit,
        "kind": "暗访",
        "planned_on": "2026-06-03",
        "inspectors": [ctx["ids"]["甲"]],
        "checklist": ["工作纪律", "服务态度"],
    }
    refused = client.post(
        "/visits", json=plan | {"inspectors": [ctx["ids"]["人社局"]]}, headers=keys["纠风办"]
    )
    assert (refused.status_code, refused.json()["detail"][0]["field"]) == (422, "inspectors")
    assert client.post("/visits", json=plan, headers=keys["甲"]).status_code == 403
    visit = _post(client, "/visits", plan, keys["纠风办"])
    assert visit["status"] == "planned"
    cluster.wait_caught_up("inspection", "inspection")
    visit_id, missing = visit["visit_id"], str(uuid4())

    # The unit: the same answer for its visit and for none, and nothing in any list.
    unit_key = keys["人社局"]
    for path in (f"/visits/{visit_id}", f"/visits/{missing}"):
        response = client.get(path, headers=unit_key)
        assert response.status_code == 403
    assert (
        client.get(f"/visits/{visit_id}", headers=unit_key).json()
        == client.get(f"/visits/{missing}", headers=unit_key).json()
    )
    assert client.get("/visits", headers=unit_key).status_code == 403
    assert client.get("/visits", params={"unit_id": unit}, headers=unit_key).status_code == 403
    # A unit reads its own findings, but a planned visit has none yet.
    assert client.get("/findings", headers=unit_key).json() == []
    # Nobody's list holds it: it was never published.
    for key in (keys["纠风办"], keys["审计"], ADMIN):
        assert client.get("/visits", headers=key).json() == []
    # Inspectors not assigned, auditors, and another jurisdiction's office get exactly the
    # answer for no visit: not a 403 that would tell the visit exists.
    for key in (keys["乙"], keys["审计"], ctx["elsewhere"]):
        sealed = client.get(f"/visits/{visit_id}", headers=key)
        none = client.get(f"/visits/{missing}", headers=key)
        assert (sealed.status_code, sealed.json()) == (none.status_code, none.json())
        assert sealed.status_code == 404
    for key in (keys["甲"], keys["纠风办"], ADMIN):
        assert client.get(f"/visits/{visit_id}", headers=key).json() == visit

    # A finding cannot be recorded on it before it is conducted.
    finding = {
        "unit_id": unit,
        "method": "暗访",
        "summary": "窗口工作人员上班时间玩手机",
        "found_at": "2026-06-03T09:50:00+08:00",
        "visit_id": visit_id,
        "item": "工作纪律",
        "severity": "较重",
        "deduction": "2",
    }
    early = client.post("/findings", json=finding, headers=keys["甲"])
    assert (early.status_code, early.json()["error"]) == (409, "visit_not_conducted")

    at = {"conducted_at": "2026-06-03T09:40:00+08:00"}
    assert (
        client.post(f"/visits/{visit_id}/conduct", json=at, headers=keys["乙"]).status_code == 404
    )
    conducted = _post(client, f"/visits/{visit_id}/conduct", at, keys["甲"])
    assert conducted["status"] == "conducted"
    cluster.wait_caught_up("inspection", "inspection")
    for key in (keys["纠风办"], keys["审计"], keys["乙"]):
        listed = client.get("/visits", params={"unit_id": unit}, headers=key).json()
        assert [v["visit_id"] for v in listed] == [visit_id]
    assert client.get(f"/visits/{visit_id}", headers=keys["审计"]).status_code == 200
    outside = client.get(f"/visits/{visit_id}", headers=ctx["elsewhere"])
    nothing = client.get(f"/visits/{missing}", headers=ctx["elsewhere"])
    assert (outside.status_code, outside.json()) == (404, nothing.json())

    off_list = client.post("/findings", json=finding | {"item": "办事公开"}, headers=keys["甲"])
    assert (off_list.status_code, off_list.json()["detail"][0]["field"]) == (422, "item")
    # Found on the visit: not before the visit took place (09:40).
    before = client.post(
        "/findings", json=finding | {"found_at": "2026-06-03T09:39:00+08:00"}, headers=keys["甲"]
    )
    assert (before.status_code, before.json()["detail"][0]["field"]) == (422, "found_at")
    assert before.json()["detail"][0]["reason"].startswith("不能早于走访实施时间")
    assert "(lies before the visit was conducted" in before.json()["detail"][0]["reason"]
    recorded = _post(client, "/findings", finding, keys["甲"])
    assert (recorded["visit_id"], recorded["severity"], recorded["deduction"]) == (
        visit_id,
        "较重",
        "2.00",
    )


def test_another_countys_visit_is_no_visit_to_its_writes_either(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    """Conducting, cancelling, or recording a finding on a visit of another jurisdiction
    answers exactly as a visit that does not exist (404, the same body), as reading it
    does: never a 403 that would tell another county that the visit exists."""
    cluster, ctx = world
    client, keys, unit = cluster["inspection"], ctx["keys"], ctx["unit"]
    registry = cluster["registry"]
    elsewhere = ctx["elsewhere_id"]
    inspector = _post(
        registry,
        "/principals",
        {"name": "大庆市督查员", "role": "inspector", "jurisdiction_id": elsewhere},
        ADMIN,
    )
    their_unit = _post(
        registry,
        "/units",
        {
            "jurisdiction_id": elsewhere,
            "name": "大庆市人社局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
        ADMIN,
    )["unit_id"]
    cluster.wait_caught_up("inspection", "registry")
    their_office, their_inspector = ctx["elsewhere"], {"X-API-Key": inspector["api_key"]}

    plan = {"unit_id": unit, "kind": "暗访", "planned_on": "2026-06-03"}
    plan |= {"inspectors": [ctx["ids"]["甲"]]}
    planned = _post(client, "/visits", plan, keys["纠风办"])
    done = _post(client, "/visits", plan, keys["纠风办"])
    at = {"conducted_at": "2026-06-03T09:40:00+08:00"}
    _post(client, f"/visits/{done['visit_id']}/conduct", at, keys["甲"])
    missing = str(uuid4())
    finding = {
        "unit_id": their_unit,
        "method": "暗访",
        "summary": "窗口无人值守",
        "found_at": "2026-06-03T09:50:00+08:00",
    }
    writes = [
        ("cancellation", their_office, lambda v: (f"/visits/{v}/cancellation", {"reason": "改期"})),
        ("conduct", their_inspector, lambda v: (f"/visits/{v}/conduct", at)),
        ("finding", their_inspector, lambda v: ("/findings", finding | {"visit_id": v})),
    ]
    for name, key, call in writes:
        for visit in (planned["visit_id"], done["visit_id"]):
            path, body = call(visit)
            theirs = client.post(path, json=body, headers=key)
            path, body = call(missing)
            none = client.post(path, json=body, headers=key)
            assert none.json()["error"] == "visit_not_found", (name, none.text)
            assert (theirs.status_code, theirs.json()) == (404, none.json()), (name, theirs.text)
    # Nothing was changed or recorded by any of it.
    assert client.get(f"/visits/{planned['visit_id']}", headers=keys["纠风办"]).json() == planned
    assert client.get(f"/visits/{done['visit_id']}", headers=ADMIN).json()["status"] == "conducted"
    cluster.wait_caught_up("inspection", "inspection")
    assert client.get("/findings", headers=ADMIN).json() == []
    # Their own county's callers still get on with a visit there as before.
    cancelled = _post(
        client, f"/visits/{planned['visit_id']}/cancellation", {"reason": "改期"}, keys["纠风办"]
    )
    assert cancelled["status"] == "cancelled"


def test_a_cancelled_visit_is_not_conducted(world: tuple[Cluster, dict[str, Any]]) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    plan = {
        "unit_id": ctx["unit"],
        "kind": "月检查",
        "planned_on": "2026-06-30",
        "inspectors": [ctx["ids"]["甲"]],
    }
    visit_id = _post(client, "/visits", plan, keys["纠风办"])["visit_id"]
    cancelled = _post(
        client, f"/visits/{visit_id}/cancellation", {"reason": "改期"}, keys["纠风办"]
    )
    assert (cancelled["status"], cancelled["cancelled_reason"]) == ("cancelled", "改期")
    at = {"conducted_at": "2026-06-03T09:40:00+08:00"}
    late = client.post(f"/visits/{visit_id}/conduct", json=at, headers=keys["甲"])
    assert (late.status_code, late.json()["error"]) == (409, "visit_not_planned")
    # Neither the plan nor its cancellation put a message on inspection's stream.
    cluster.wait_caught_up("inspection", "inspection")
    assert client.get("/visits", headers=ADMIN).json() == []


def test_evidence_is_stored_by_hash_and_shown_unaltered(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    sha = hashlib.sha256(JPEG).hexdigest()
    headers = keys["甲"] | {"Content-Type": "image/jpeg"}
    uploaded = client.post("/evidence", content=JPEG, headers=headers)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json() == {"sha256": sha, "size": len(JPEG), "content_type": "image/jpeg"}
    wrong = client.post(
        "/evidence", content=b"x", headers=keys["甲"] | {"Content-Type": "text/html"}
    )
    assert (wrong.status_code, wrong.json()["detail"][0]["field"]) == (422, "Content-Type")
    # The type declared must be what the bytes are: HTML sent as a PNG is refused, unstored.
    page = b"<html><script>alert(1)</script></html>"
    disguised = client.post(
        "/evidence", content=page, headers=keys["甲"] | {"Content-Type": "image/png"}
    )
    assert (disguised.status_code, disguised.json()["error"]) == (422, "invalid_evidence")
    assert disguised.json()["detail"][0]["field"] == "Content-Type"
    assert (
        client.get(f"/evidence/{hashlib.sha256(page).hexdigest()}", headers=ADMIN).status_code
        == 404
    )
    as_pdf = client.post(
        "/evidence", content=JPEG, headers=keys["甲"] | {"Content-Type": "application/pdf"}
    )
    assert as_pdf.status_code == 422
    assert (
        client.post(
            "/evidence", content=JPEG, headers=keys["人社局"] | {"Content-Type": "image/jpeg"}
        ).status_code
        == 403
    )

    for key in (keys["审计"], ADMIN):
        shown = client.get(f"/evidence/{sha}", headers=key)
        assert shown.status_code == 200
        assert shown.content == JPEG and shown.headers["content-type"] == "image/jpeg"
        assert shown.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/evidence/{sha}", headers=keys["人社局"]).status_code == 403
    # Uploaded within the office's jurisdiction: it reads it; another county reads it
    # exactly as no file (tests/inspection/test_evidence_reach.py has the rest).
    assert client.get(f"/evidence/{sha}", headers=keys["纠风办"]).content == JPEG
    unseen = client.get(f"/evidence/{sha}", headers=ctx["elsewhere"])
    none = client.get(f"/evidence/{'0' * 64}", headers=ctx["elsewhere"])
    assert (unseen.status_code, unseen.json()) == (none.status_code, none.json())
    assert unseen.json()["error"] == "evidence_not_found"
    assert client.get(f"/evidence/{'0' * 64}", headers=ADMIN).status_code == 404

    finding = {
        "unit_id": ctx["unit"],
        "method": "明察",
        "summary": "公示栏信息过期",
        "found_at": "2026-06-03T09:50:00+08:00",
        "item": "办事公开",
        "evidence": [sha],
    }
    unknown = client.post("/findings", json=finding | {"evidence": ["1" * 64]}, headers=keys["甲"])
    assert (unknown.status_code, unknown.json()["detail"][0]["field"]) == (422, "evidence")
    recorded = _post(client, "/findings", finding | {"evidence": []}, keys["甲"])
    attached = _post(
        client, f"/findings/{recorded['finding_id']}/evidence", {"evidence": [sha]}, keys["纠风办"]
    )
    assert attached["evidence"] == [sha]
    assert [h["event"] for h in attached["history"]] == ["recorded", "evidence_attached"]
    cluster.wait_caught_up("inspection", "inspection")
    listed = client.get("/findings", headers=keys["纠风办"]).json()
    assert listed[0]["evidence"] == [sha] and listed[0]["version"] == 2
    for key in (keys["纠风办"], keys["乙"]):  # named by a finding in their jurisdiction now
        assert client.get(f"/evidence/{sha}", headers=key).content == JPEG
    assert client.get(f"/evidence/{sha}", headers=ctx["elsewhere"]).status_code == 404

    # A file altered on disk is refused rather than shown.
    app = client.app.state.runtime.application  # type: ignore[attr-defined]
    app.evidence_store.path(sha).write_bytes(JPEG[:-1] + b"\x00")
    corrupted = client.get(f"/evidence/{sha}", headers=ADMIN)
    assert (corrupted.status_code, corrupted.json()["error"]) == (409, "evidence_corrupted")
