"""What the deadline-recount tests share: a unit of a new city with one finding, ready for an
order to be issued on it, and an order built in the domain alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from fastapi.testclient import TestClient

from services.inspection.domain import Finding
from services.inspection.rectification.domain import RectificationOrder
from services.inspection.workdays import WorkCalendar
from tests.harness import ADMIN, Cluster


def post(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def unit_with_finding(cluster: Cluster, found_at: str) -> tuple[str, str]:
    """(unit id, finding id): 漯河市民政局 in a new 漯河市, found at `found_at` by 暗访."""
    registry, inspection = cluster["registry"], cluster["inspection"]
    city = post(registry, "/jurisdictions", {"name": "漯河市", "level": "city"})
    unit = post(
        registry,
        "/units",
        {
            "jurisdiction_id": city["jurisdiction_id"],
            "name": "漯河市民政局",
            "kind": "government_department",
            "category": "政府部门及其它机构",
        },
    )["unit_id"]
    cluster.wait_caught_up("inspection", "registry")
    finding = post(
        inspection,
        "/findings",
        {
            "unit_id": unit,
            "method": "暗访",
            "summary": "窗口工作人员上班时间玩手机",
            "found_at": found_at,
        },
    )
    return unit, finding["finding_id"]


def reported_order(reported_on: date, working_days: int = 5) -> RectificationOrder:
    """Issued Monday 2 June 2003 (a year chinesecalendar does not carry, so counted Monday
    to Friday: 5 working days are due Monday 9 June) on one 暗访 finding, and reported done
    on `reported_on`; built in the domain, with no service."""
    unit, county = uuid4(), uuid4()
    found = Finding.record(
        unit_id=unit,
        jurisdiction_id=county,
        method="暗访",
        summary="窗口无人值守",
        found_at=datetime(2003, 6, 2, 2, tzinfo=UTC),
        actor="office:a",
        now=datetime(2003, 6, 2, 3, tzinfo=UTC),
    )
    order = RectificationOrder.issue(
        unit_id=unit,
        jurisdiction_id=county,
        findings=[found],
        issued_on=date(2003, 6, 2),
        working_days=working_days,
        requirements="限期整改并书面报告",
        campaign_id=None,
        round=None,
        unit_principal_id=None,
        actor="office:a",
        today=date(2003, 6, 2),
        calendar=WorkCalendar(),
    )
    order.report_done("已整改", reported_on, "unit:a", reported_on)
    return order
