"""What the deadline-recount tests share: a unit of a new city with one finding, ready for an
order to be issued on it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

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
