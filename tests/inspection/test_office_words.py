"""Refusals an office meets while walking through a case, read in its own words: a record's
state is named in Chinese in the Chinese part of the reason (the code stays in the English
part and in `status`), and a month typed in another form is said as a month, never as the
regular expression behind it."""

from __future__ import annotations

from typing import Any

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.inspection.counties import complaint, order, task, two_counties, visit


def _reason(response: Any, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    [detail] = response.json()["detail"]
    assert detail["field"] == field, response.text
    reason: str = detail["reason"]
    return reason


def test_state_conflicts_name_the_state_in_chinese(production_settings: CommonSettings) -> None:
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        client = cluster["inspection"]
        luohe, _ = two_counties(cluster)
        office, inspector = luohe.keys["office"], luohe.keys["inspector"]

        order_id = order(client, luohe)
        verify = {"outcome": "accepted", "reason": "整改到位"}
        early = client.post(f"/rectifications/{order_id}/verification", json=verify, headers=office)
        assert _reason(early, 409, "order_id") == (
            "整改通知状态为已下发, 只有已报送的整改才能核查 "
            "(the order is issued; only a report is verified)"
        )

        complaint_id = complaint(client, luohe)
        callback = {"satisfaction": "满意"}
        path = f"/complaints/{complaint_id}/callback"
        early = client.post(path, json=callback, headers=office)
        assert _reason(early, 409, "complaint_id").startswith("投诉状态为已交办, ")

        visit_id = visit(client, luohe)
        again = {"conducted_at": "2020-01-01T09:00:00+08:00"}
        twice = client.post(f"/visits/{visit_id}/conduct", json=again, headers=inspector)
        assert _reason(twice, 409, "visit_id") == "走访状态为已实施 (the visit is conducted)"


def test_a_month_in_another_form_is_said_as_a_month(production_settings: CommonSettings) -> None:
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        client = cluster["inspection"]
        luohe, _ = two_counties(cluster)
        unit = luohe.keys["unit"]
        task_id = task(client, luohe)
        words = "须为年月, 如 2026-05 (must be a year and month, e.g. 2026-05)"

        for month in ("2026年5月", "2026-5", "2026-13"):
            report = {"month": month, "progress": "已完成选址", "difficulties": "无"}
            refused = client.post(f"/tasks/{task_id}/reports", json=report, headers=unit)
            assert _reason(refused, 422, "body.month") == words

        correction = {"progress": "已完成选址", "difficulties": "无", "reason": "补充"}
        path = f"/tasks/{task_id}/reports/2026年5月/corrections"
        refused = client.post(path, json=correction, headers=unit)
        assert _reason(refused, 422, "path.month") == words
