"""What the deadline-recount tests share: a unit of a new city with one finding, an order
issued on it through the service and read back from the store and the list; and an order
built in the domain alone, which the rectification tests of stored and published shapes
build too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

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


def issue_through_service(cluster: Cluster, issued_on: str, found_at: str) -> dict[str, Any]:
    """An order issued through the service on `issued_on`, 5 working days, on a new unit's
    one finding found at `found_at` (`unit_with_finding`)."""
    unit, finding_id = unit_with_finding(cluster, found_at)
    body = {
        "unit_id": unit,
        "finding_ids": [finding_id],
        "issued_on": issued_on,
        "working_days": 5,
        "requirements": "限期整改并书面报告",
    }
    return dict(post(cluster["inspection"], "/rectifications", body))


def read_both(cluster: Cluster, order_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The one order as read from the store and as listed from the view."""
    client = cluster["inspection"]
    cluster.wait_caught_up("inspection", "inspection")
    one = client.get(f"/rectifications/{order_id}", headers=ADMIN).json()
    [listed] = client.get("/rectifications", headers=ADMIN).json()
    return one, listed


def deadline(order: dict[str, Any]) -> tuple[Any, ...]:
    """The deadline an order is answered with, the one stored, and what it was counted on."""
    keys = ("deadline", "stored_deadline", "deadline_basis", "deadline_years")
    return tuple(order[key] for key in keys)


def issued_order(
    issued_on: date,
    found_at: datetime,
    *,
    unit: UUID | None = None,
    county: UUID | None = None,
    working_days: int = 5,
    requirements: str = "限期整改并书面报告",
    calendar: WorkCalendar | None = None,
) -> RectificationOrder:
    """Issued by office:a on `issued_on` on one 暗访 finding (窗口无人值守) found at
    `found_at` and recorded an hour later, outside any campaign; built in the domain, with no
    service. A new unit and county unless named."""
    unit, county = unit or uuid4(), county or uuid4()
    found = Finding.record(
        unit_id=unit,
        jurisdiction_id=county,
        method="暗访",
        summary="窗口无人值守",
        found_at=found_at,
        actor="office:a",
        now=found_at + timedelta(hours=1),
    )
    return RectificationOrder.issue(
        unit_id=unit,
        jurisdiction_id=county,
        findings=[found],
        issued_on=issued_on,
        working_days=working_days,
        requirements=requirements,
        campaign_id=None,
        round=None,
        unit_principal_id=None,
        actor="office:a",
        today=issued_on,
        calendar=calendar or WorkCalendar(),
    )


def reported_order(reported_on: date, working_days: int = 5) -> RectificationOrder:
    """Issued Monday 2 June 2003 (a year chinesecalendar does not carry, so counted Monday
    to Friday: 5 working days are due Monday 9 June) on one 暗访 finding, and reported done
    on `reported_on`; built in the domain, with no service."""
    found_at = datetime(2003, 6, 2, 2, tzinfo=UTC)
    order = issued_order(date(2003, 6, 2), found_at, working_days=working_days)
    order.report_done("已整改", reported_on, "unit:a", reported_on)
    return order
