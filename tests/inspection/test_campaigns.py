"""The campaign and round a fact counts toward are checked against inspection's copy of the
registry's campaigns, in every area that takes them: an unknown campaign is 404
`campaign_not_found`, another county's campaign is the 403 the registry answers for it, a
round the campaign does not have is 422 `round_outside_campaign`, and a unit not enrolled
in the campaign is 422 `unit_not_enrolled`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.flow import Course, register


@pytest.fixture
def cluster(memory_settings: CommonSettings) -> Iterator[Cluster]:
    with Cluster(memory_settings, ["registry", "inspection"]) as started:
        yield started


@pytest.fixture
def course(cluster: Cluster) -> tuple[TestClient, Course]:
    def send(service: str, method: str, path: str, key: str, body: Any) -> tuple[int, Any]:
        response = cluster[service].request(method, path, json=body, headers={"X-API-Key": key})
        return response.status_code, response.json()

    made = Course(send)
    register(made)
    _neighbours(made)
    cluster.wait_caught_up("inspection", "registry")
    return cluster["inspection"], made


def _neighbours(course: Course) -> None:
    """舞阳县 (another county of the city) with its own campaign, and a second unit of
    郾城区 that is not enrolled in 郾城区's campaign."""
    county = course.admin(
        "registry",
        "/jurisdictions",
        {"name": "舞阳县", "level": "county", "parent_id": course.ids["city"]},
    )
    campaign = course.admin(
        "registry",
        "/campaigns",
        {
            "jurisdiction_id": county["jurisdiction_id"],
            "name": "2026年度舞阳县民主评议政风行风",
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "whole_cycle",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            "phases": [{"name": "组织实施", "starts_on": "2026-03-01", "ends_on": "2026-10-31"}],
            "categories": ["政府部门及其它机构"],
        },
    )
    unit = course.admin(
        "registry",
        "/units",
        {
            "jurisdiction_id": course.ids["county"],
            "name": "郾城区住建局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
    )
    course.ids |= {"other_campaign": campaign["campaign_id"], "not_enrolled": unit["unit_id"]}


Body = Callable[[Course], tuple[str, dict[str, Any]]]


def _finding(course: Course) -> str:
    finding = course.ok(
        "inspection",
        "POST",
        "/findings",
        ADMIN["X-API-Key"],
        {
            "unit_id": course.ids["unit"],
            "method": "明察",
            "summary": "公示栏信息过期",
            "found_at": "2026-01-05T10:30:00+08:00",
        },
    )
    finding_id: str = finding["finding_id"]
    return finding_id


BODIES: dict[str, Body] = {
    "rectification": lambda c: (
        "/rectifications",
        {
            "unit_id": c.ids["unit"],
            "finding_ids": [_finding(c)],
            "working_days": 5,
            "requirements": "限期整改",
        },
    ),
    "complaint": lambda c: (
        "/complaints",
        {
            "jurisdiction_id": c.ids["county"],
            "unit_id": c.ids["unit"],
            "channel": "12345热线",
            "kind": "consultation",
            "summary": "咨询社保转移",
            "received_on": "2026-05-12",  # within the campaign's year, as counted toward it
        },
    ),
    "hotline": lambda c: (
        "/hotline-appearances",
        {"unit_id": c.ids["unit"], "appeared_on": "2026-05-12", "topic": "社保经办服务"},
    ),
    "task": lambda c: (
        "/tasks",
        {
            "title": "窗口改造",
            "unit_id": c.ids["unit"],
            "due_on": "2099-12-31",
            "methods": ["跟踪"],
        },
    ),
    "assessment": lambda c: (
        "/assessment-scores",
        {
            "unit_id": c.ids["unit"],
            "component_code": "daily_work",
            "component_name": "日常工作",
            "score": "18",
            "maximum": "20",
            "assessor": "区评议考核组",
            "basis": "查阅台账",
            "evidence": [],
            "reason": "集中评议",
        },
    ),
    "veto": lambda c: (
        "/vetoes",
        {
            "unit_id": c.ids["unit"],
            "basis": "发生重大安全责任事故",
            "authority": "区纪委监委",
            "decided_on": "2026-11-20",
        },
    ),
    "cancellation": lambda c: (
        "/cancellations",
        {"unit_id": c.ids["unit"], "reason": "组织拉票", "decided_by": "区纠风办"},
    ),
}


@pytest.mark.parametrize("area", list(BODIES))
def test_campaign_and_round_are_checked(course: tuple[TestClient, Course], area: str) -> None:
    client, made = course
    path, body = BODIES[area](made)
    office = {"X-API-Key": made.keys["office"]}

    def answer(counted: dict[str, Any]) -> tuple[int, str, str]:
        response = client.post(path, json=body | counted, headers=office)
        found = response.json()
        if response.status_code == 201:
            return 201, str(found.get("campaign_id")), str(found.get("round"))
        return response.status_code, found["error"], found["detail"][0]["field"]

    unknown = {"campaign_id": str(uuid4()), "round": 1}
    assert answer(unknown) == (404, "campaign_not_found", "campaign_id")
    a_place = {"campaign_id": made.ids["county"], "round": 1}  # an id, but not a campaign's
    assert answer(a_place) == (404, "campaign_not_found", "campaign_id")
    beyond = {"campaign_id": made.ids["campaign"], "round": 2}  # a whole-cycle campaign
    assert answer(beyond) == (422, "round_outside_campaign", "round")
    assert answer({"campaign_id": made.ids["campaign"], "round": 1}) == (
        201,
        made.ids["campaign"],
        "1",
    )


@pytest.mark.parametrize("area", list(BODIES))
def test_another_countys_campaign_is_refused_as_the_registry_refuses_it(
    course: tuple[TestClient, Course], area: str
) -> None:
    """The office cannot read 舞阳县's campaign on the registry: inspection refuses to count
    anything toward it with the same 403, and records nothing."""
    client, made = course
    path, body = BODIES[area](made)
    office = {"X-API-Key": made.keys["office"]}
    other = made.ids["other_campaign"]
    status, on_registry = made.send(
        "registry", "GET", f"/campaigns/{other}", made.keys["office"], None
    )
    assert status == 403
    response = client.post(path, json=body | {"campaign_id": other, "round": 1}, headers=office)
    assert response.status_code == 403, response.text
    assert response.json() == on_registry  # the same error, field and reason
    refusal = on_registry["detail"][0]
    assert (refusal["field"], refusal["code"]) == ("campaign_id", "forbidden")
    # The kernel's words (its Chinese may precede them): the same answer is what counts.
    assert "outside your jurisdiction" in refusal["reason"]


@pytest.mark.parametrize("area", list(BODIES))
def test_a_unit_not_enrolled_in_the_campaign_is_refused(
    course: tuple[TestClient, Course], area: str
) -> None:
    client, made = course
    path, body = BODIES[area](made)
    if "unit_id" not in body:
        pytest.skip("names no unit")
    office = {"X-API-Key": made.keys["office"]}
    counted = {"campaign_id": made.ids["campaign"], "round": 1}
    unit = {"unit_id": made.ids["not_enrolled"]}
    response = client.post(path, json=body | unit | counted, headers=office)
    assert response.status_code == 422, response.text
    found = response.json()
    assert (found["error"], found["detail"][0]["field"]) == ("unit_not_enrolled", "unit_id")
    assert "not enrolled" in found["detail"][0]["reason"]


def test_a_complaint_counted_toward_a_campaign_is_dispatched_to_an_enrolled_unit_only(
    course: tuple[TestClient, Course],
) -> None:
    client, made = course
    office = {"X-API-Key": made.keys["office"]}
    _, body = BODIES["complaint"](made)
    body = {k: v for k, v in body.items() if k != "unit_id"}
    counted = {"campaign_id": made.ids["campaign"], "round": 1}
    complaint = client.post("/complaints", json=body | counted, headers=office).json()
    path = f"/complaints/{complaint['complaint_id']}/dispatch"
    refused = client.post(path, json={"unit_id": made.ids["not_enrolled"]}, headers=office)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "unit_not_enrolled"
    sent = client.post(path, json={"unit_id": made.ids["unit"]}, headers=office)
    assert sent.status_code == 201, sent.text


def test_a_withdrawn_unit_and_a_sub_unit_of_an_enrolled_one(
    cluster: Cluster, course: tuple[TestClient, Course]
) -> None:
    """Withdrawn from the campaign: refused, saying so. A sub-unit (窗口) of an enrolled
    unit counts in its parent's results, as scoring places it: accepted."""
    client, made = course
    office = {"X-API-Key": made.keys["office"]}
    campaign = made.ids["campaign"]
    window = made.admin(
        "registry",
        "/units",
        {
            "jurisdiction_id": made.ids["county"],
            "name": "郾城区人社局社保窗口",
            "kind": "service_window",
            "category": "政府部门及其它机构",
            "parent_id": made.ids["unit"],
        },
    )
    made.admin(
        "registry",
        f"/campaigns/{campaign}/enrolments",
        {"enrolments": [{"unit_id": made.ids["not_enrolled"], "category": "政府部门及其它机构"}]},
    )
    made.admin(
        "registry",
        f"/campaigns/{campaign}/enrolments/{made.ids['not_enrolled']}/withdrawal",
        {"reason": "机构改革"},
    )
    _, body = BODIES["hotline"](made)
    counted = {"campaign_id": campaign, "round": 1}

    def post(unit: str) -> Any:
        return client.post(
            "/hotline-appearances", json=body | counted | {"unit_id": unit}, headers=office
        )

    cluster.wait_caught_up("inspection", "registry")
    withdrawn = post(made.ids["not_enrolled"])
    assert withdrawn.status_code == 422, withdrawn.text
    assert withdrawn.json()["detail"][0]["reason"] == (
        "该单位已退出此评议活动 (the unit was withdrawn from the campaign)"
    )
    assert post(window["unit_id"]).status_code == 201


DATED = {
    "hotline": ("appeared_on", "invalid_hotline_appearance"),
    "complaint": ("received_on", "invalid_complaint"),
    "veto": ("decided_on", "invalid_assessment"),
}
"""The areas whose record names the day it happened, and the error each refuses it with."""


@pytest.mark.parametrize("area", list(DATED))
@pytest.mark.parametrize("day", ["2025-12-31", "2001-03-01"])
def test_a_day_counted_toward_a_round_lies_within_it(
    course: tuple[TestClient, Course], area: str, day: str
) -> None:
    """A hotline appearance, a complaint received or a veto decided outside the round's
    window (here the year 2026) is not the round's: 422 naming the day's field, nothing
    recorded; on the window's first day it is."""
    client, made = course
    path, body = BODIES[area](made)
    field, error = DATED[area]
    office = {"X-API-Key": made.keys["office"]}
    counted = {"campaign_id": made.ids["campaign"], "round": 1}
    outside = client.post(path, json=body | counted | {field: day}, headers=office)
    assert outside.status_code == 422, outside.text
    found = outside.json()
    assert (found["error"], found["detail"][0]["field"]) == (error, field)
    assert found["detail"][0]["reason"] == (
        "不在评议活动本轮期间 2026-01-01 至 2026-12-31 内 "
        "(lies outside the campaign round (2026-01-01 to 2026-12-31))"
    )
    inside = client.post(path, json=body | counted | {field: "2026-01-01"}, headers=office)
    assert inside.status_code == 201, inside.text


CHANGED = {
    "rectification": {"requirements": "限期整改并书面报告"},
    "complaint": {"summary": "咨询医保转移"},
    "hotline": {"topic": "医保经办服务"},
    "task": {"title": "窗口改造二期"},
    "assessment": {"reason": "日常考核"},
    "veto": {"basis": "发生重大舆情事件"},
    "cancellation": {"reason": "弄虚作假"},
}
"""A field of each area's body changed: the same key with this body is another request."""


def _withdraw(cluster: Cluster, made: Course, unit: str) -> None:
    made.admin(
        "registry",
        f"/campaigns/{made.ids['campaign']}/enrolments/{unit}/withdrawal",
        {"reason": "机构改革"},
    )
    cluster.wait_caught_up("inspection", "registry")


@pytest.mark.parametrize("area", list(BODIES))
def test_a_keyed_retry_after_the_unit_was_withdrawn_answers_as_the_first_request(
    cluster: Cluster, course: tuple[TestClient, Course], area: str
) -> None:
    """Retries with the same Idempotency-Key return the first result: the campaign checks
    are the command's, made after the key is looked up, so a retry of a fact recorded while
    the unit was enrolled is not refused because it was withdrawn since. The same key with
    another body is still refused, and a new request is checked as the copy stands now."""
    client, made = course
    path, body = BODIES[area](made)
    body |= {"campaign_id": made.ids["campaign"], "round": 1}
    office = {"X-API-Key": made.keys["office"]}
    keyed = office | {"Idempotency-Key": f"{area}-1"}
    first = client.post(path, json=body, headers=keyed)
    assert first.status_code == 201, first.text

    _withdraw(cluster, made, made.ids["unit"])
    new = client.post(path, json=body, headers=office | {"Idempotency-Key": f"{area}-2"})
    assert (new.status_code, new.json()["error"]) == (422, "unit_not_enrolled"), new.text

    again = client.post(path, json=body, headers=keyed)
    assert (again.status_code, again.json()) == (201, first.json())
    other = client.post(path, json=body | CHANGED[area], headers=keyed)
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"


def test_a_keyed_dispatch_retried_after_the_unit_was_withdrawn_answers_as_the_first(
    cluster: Cluster, course: tuple[TestClient, Course]
) -> None:
    client, made = course
    office = {"X-API-Key": made.keys["office"]}
    _, body = BODIES["complaint"](made)
    body = {k: v for k, v in body.items() if k != "unit_id"}
    body |= {"campaign_id": made.ids["campaign"], "round": 1}

    def received() -> str:
        complaint = client.post("/complaints", json=body, headers=office)
        assert complaint.status_code == 201, complaint.text
        return f"/complaints/{complaint.json()['complaint_id']}/dispatch"

    path, later = received(), received()
    keyed = office | {"Idempotency-Key": "dispatch-1"}
    sent = client.post(path, json={"unit_id": made.ids["unit"]}, headers=keyed)
    assert sent.status_code == 201, sent.text

    _withdraw(cluster, made, made.ids["unit"])
    refused = client.post(later, json={"unit_id": made.ids["unit"]}, headers=office)
    assert (refused.status_code, refused.json()["error"]) == (422, "unit_not_enrolled")

    again = client.post(path, json={"unit_id": made.ids["unit"]}, headers=keyed)
    assert (again.status_code, again.json()) == (201, sent.json())
    other = client.post(path, json={"unit_id": made.ids["not_enrolled"]}, headers=keyed)
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
