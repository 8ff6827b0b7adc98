"""The campaign and round a fact counts toward are checked against inspection's copy of the
registry's campaigns, in every area that takes them: an unknown campaign is 404
`campaign_not_found`, a round the campaign does not have is 422 `round_outside_campaign`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.inspection.workdays import china_today
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.flow import Course, register


@pytest.fixture
def course(memory_settings: CommonSettings) -> Iterator[tuple[TestClient, Course]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:

        def send(service: str, method: str, path: str, key: str, body: Any) -> tuple[int, Any]:
            response = cluster[service].request(method, path, json=body, headers={"X-API-Key": key})
            return response.status_code, response.json()

        made = Course(send)
        register(made)
        cluster.wait_caught_up("inspection", "registry")
        yield cluster["inspection"], made


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
            "channel": "12345热线",
            "kind": "consultation",
            "summary": "咨询社保转移",
            "received_on": china_today().isoformat(),
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
