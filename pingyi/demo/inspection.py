"""Inspection's part of the round: findings of visits and calls, a rectification order and
a verified complaint."""

from __future__ import annotations

from typing import Any

from .client import DemoClient
from .world import FINDINGS


def record_inspection(
    client: DemoClient, city: dict[str, Any], campaign: dict[str, Any], units: list[dict[str, Any]]
) -> dict[str, Any]:
    """What inspection adds to the round: findings of an unannounced visit and a phone
    mystery call, a rectification order for one of them, and a verified complaint."""
    client.progress("明察暗访、整改和投诉", 0, 3)
    client.wait_caught_up("inspection", "registry")
    round_of = {"campaign_id": campaign["campaign_id"], "round": 1}
    findings = [
        client.call(
            "inspection",
            "POST",
            "/findings",
            idempotency=f"demo-finding-{index}",
            json={
                "unit_id": units[index]["unit_id"],
                "method": method,
                "summary": summary,
                "found_at": f"2026-05-{12 + index:02d}T10:30:00+08:00",
                "item": item,
                "severity": severity,
                "deduction": deduction,
            },
        )
        for index, (method, summary, item, severity, deduction) in enumerate(FINDINGS)
    ]
    client.progress("明察暗访、整改和投诉", 1, 3)
    order = client.call(
        "inspection",
        "POST",
        "/rectifications",
        idempotency="demo-rectification",
        json={
            "unit_id": units[0]["unit_id"],
            "finding_ids": [findings[0]["finding_id"]],
            "working_days": 10,
            "requirements": "限期整改窗口脱岗问题，建立考勤和巡查制度",
            "issued_on": "2026-05-15",
        }
        | round_of,
    )
    complaint = client.call(
        "inspection",
        "POST",
        "/complaints",
        idempotency="demo-complaint",
        json={
            "jurisdiction_id": city["jurisdiction_id"],
            "unit_id": units[1]["unit_id"],
            "channel": "政风行风热线",
            "kind": "complaint",
            "summary": "群众反映办理营业执照多次往返",
            "received_on": "2026-05-20",
        }
        | round_of,
    )
    path = f"/complaints/{complaint['complaint_id']}"
    client.call("inspection", "POST", f"{path}/dispatch", json={"unit_id": units[1]["unit_id"]})
    client.call(
        "inspection",
        "POST",
        f"{path}/outcome",
        json={"outcome": "verified", "reason": "经核实属实，已责令整改"},
    )
    client.progress("明察暗访、整改和投诉", 3, 3)
    return {"findings": len(findings), "rectification": order, "complaint": complaint}
