"""The refusals an inspector, an office and a unit meet most often read Chinese first, with
the English after it in brackets: `中文 (English)`. Codes, fields and statuses are unchanged."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

from services.inspection.workdays import china_today
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.inspection.counties import PNG, created, finding_body, task_body, two_counties

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _refused(response: Any, status: int, field: str, english: str) -> str:
    assert response.status_code == status, response.text
    [detail] = response.json()["detail"]
    assert detail["field"] == field, response.text
    reason: str = detail["reason"]
    assert CHINESE_FIRST.match(reason), reason
    assert f"({english}" in reason, reason
    return reason


def test_common_refusals_read_chinese_first(production_settings: CommonSettings) -> None:
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        client = cluster["inspection"]
        luohe, _ = two_counties(cluster)
        office, inspector = luohe.keys["office"], luohe.keys["inspector"]

        missing = client.get(f"/tasks/{uuid4()}", headers=office)
        assert (
            _refused(missing, 404, "task_id", "no such task") == "没有这项督办任务 (no such task)"
        )

        yesterday = (china_today() - timedelta(days=1)).isoformat()
        overdue = client.post(
            "/tasks", json=task_body(luohe, due_on=yesterday, milestones=[]), headers=office
        )
        _refused(overdue, 422, "due_on", "lies before the day the task is assigned")

        nobody = client.post(
            "/tasks", json=task_body(luohe, reporter_id=str(uuid4())), headers=office
        )
        _refused(nobody, 422, "reporter_id", "no such key")

        jpeg = inspector | {"Content-Type": "image/jpeg"}
        mismatched = client.post("/evidence", content=PNG, headers=jpeg)
        _refused(mismatched, 422, "Content-Type", "the file is not a JPEG image")
        empty = client.post("/evidence", content=b"", headers=jpeg)
        _refused(empty, 422, "body", "the file is empty")

        unknown = finding_body(luohe, evidence=["a" * 64])
        named = client.post("/findings", json=unknown, headers=inspector)
        _refused(named, 422, "evidence", "upload each file first")

        body = {
            "unit_id": luohe.unit,
            "kind": "暗访",
            "planned_on": china_today().isoformat(),
            "inspectors": [luohe.ids["inspector"]],
        }
        visit = created(client, "/visits", body, office)["visit_id"]
        early = {"conducted_at": f"{yesterday}T09:00:00+08:00"}
        before = client.post(f"/visits/{visit}/conduct", json=early, headers=inspector)
        _refused(before, 422, "conducted_at", "lies before the visit was planned")
