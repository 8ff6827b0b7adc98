"""Every inspection 404 reads alike: code `<thing>_not_found`, reason "没有这<量词><物> (no
such <thing>)" in survey's words, the field that named it; whichever route answers it."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import services.inspection.main  # noqa: F401  (every area imported: every error defined)
from services.inspection.complaints.api.common import JurisdictionNotFound
from services.inspection.errors import CampaignNotFound, InspectionNotFound
from shared.errors import NotFoundError
from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster

PARAMETER = re.compile(r"\{([a-z_]+_id)\}")


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in found))


def _uniform(body: dict[str, Any], field: str) -> None:
    [detail] = body["detail"]
    code = body["error"]
    assert code.endswith("_not_found") and detail["code"] == code, body
    assert re.fullmatch(
        r"没有这[个次份条项件][\u4e00-\u9fff]+ \(no such [a-z ]+\)", detail["reason"]
    ), body
    assert detail["field"] == field, body


def test_every_not_found_of_inspection_is_worded_by_its_thing() -> None:
    mine = [c for c in _subclasses(NotFoundError) if c.__module__.startswith("services.inspection")]
    assert len(mine) > 10
    for error in mine:
        if error is InspectionNotFound:
            continue
        assert issubclass(error, InspectionNotFound), error
        made = error(field="x")
        _uniform({"error": made.code, "detail": [made.body()["detail"][0]]}, "x")
        assert made.reason == f"没有这{error.measure}{error.thing_zh} (no such {error.thing})"


def test_a_campaign_or_jurisdiction_unknown_reads_as_on_survey() -> None:
    """The words survey answers for the same records (services/survey/application/waves);
    a unit unknown is the kernel's answer (below: a task for a unit that does not exist)."""
    assert CampaignNotFound(field="campaign_id").reason == "没有这次评议活动 (no such campaign)"
    assert JurisdictionNotFound(field="jurisdiction_id").reason == (
        "没有这个辖区 (no such jurisdiction)"
    )


def test_every_route_naming_a_record_answers_alike(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        client, registry = cluster["inspection"], cluster["registry"]
        routes = client.get("/openapi.json").json()["paths"]
        asked = 0
        for path, operations in sorted(routes.items()):
            named = PARAMETER.findall(path)
            if len(named) != 1 or "/operations/" in path or "{index}" in path:
                continue
            url = PARAMETER.sub(str(uuid4()), path).replace("{month}", "2026-05")
            for method in operations:
                response = client.request(method.upper(), url, headers=ADMIN, json={})
                assert response.status_code == 404, (method, path, response.text)
                _uniform(response.json(), named[0])
                asked += 1
        assert asked > 25

        # Within a record that exists: a month not reported, a milestone it does not have,
        # and a file never uploaded.
        place = registry.post(
            "/jurisdictions", json={"name": "大庆市", "level": "city"}, headers=ADMIN
        ).json()["jurisdiction_id"]
        unit = registry.post(
            "/units",
            json={
                "jurisdiction_id": place,
                "name": "大庆市住建局",
                "kind": "government_department",
                "category": "政府部门及其它机构",
            },
            headers=ADMIN,
        ).json()["unit_id"]
        cluster.wait_caught_up("inspection", "registry")
        unknown = {"title": "三城联创", "unit_id": str(uuid4()), "due_on": "2099-12-31"}
        response = client.post("/tasks", json=unknown | {"methods": ["跟踪"]}, headers=ADMIN)
        assert response.status_code == 404, response.text
        _uniform(response.json(), "unit_id")
        assert response.json()["detail"][0]["reason"] == "没有这个单位 (no such unit)"
        task = client.post(
            "/tasks",
            json={
                "title": "三城联创",
                "unit_id": unit,
                "due_on": "2099-12-31",
                "methods": ["跟踪"],
            },
            headers=ADMIN,
        ).json()["task_id"]
        correction = {"progress": "p", "difficulties": "d", "reason": "r"}
        for url, body, field in [
            (f"/tasks/{task}/reports/2026-05/corrections", correction, "month"),
            (f"/tasks/{task}/milestones/3/reached", {"reached_on": "2026-05-01"}, "index"),
        ]:
            response = client.post(url, json=body, headers=ADMIN)
            assert response.status_code == 404, response.text
            _uniform(response.json(), field)
        evidence = client.get(f"/evidence/{'0' * 64}", headers=ADMIN)
        assert evidence.status_code == 404
        _uniform(evidence.json(), "sha256")
