"""Registration as a city office does it: the province, Luohe and its counties, and the
campaign with its 80 units enrolled."""

from __future__ import annotations

from typing import Any

from .client import DemoClient
from .world import CAMPAIGN, COUNTIES, GOV, PUBLIC


def jurisdictions(client: DemoClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    province = client.call(
        "registry",
        "POST",
        "/jurisdictions",
        idempotency="demo-province",
        json={"name": "河南省", "level": "province"},
    )
    city = client.call(
        "registry",
        "POST",
        "/jurisdictions",
        idempotency="demo-luohe",
        json={"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    counties = [
        client.call(
            "registry",
            "POST",
            "/jurisdictions",
            idempotency=f"demo-luohe-{code}",
            json={"name": name, "level": level, "parent_id": city["jurisdiction_id"]},
        )
        for code, name, level in COUNTIES
    ]
    return city, counties


def open_campaign(
    client: DemoClient, city: dict[str, Any], units: list[dict[str, Any]]
) -> dict[str, Any]:
    """开展评议活动: the year in half-year rounds, the two categories of seed 000, and the
    80 units enrolled each in its category."""
    campaign: dict[str, Any] = client.call(
        "registry",
        "POST",
        "/campaigns",
        idempotency="demo-campaign",
        json={
            "jurisdiction_id": city["jurisdiction_id"],
            "name": CAMPAIGN,
            "pattern": "民主评议政风行风",
            "cycle": {
                "length": "one_year",
                "rounds": "half_year",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
            "phases": [
                {"name": "动员准备", "starts_on": "2026-01-01", "ends_on": "2026-03-31"},
                {"name": "组织实施", "starts_on": "2026-04-01", "ends_on": "2026-10-31"},
                {"name": "考核总结", "starts_on": "2026-11-01", "ends_on": "2026-12-31"},
            ],
            "categories": [GOV, PUBLIC],
        },
    )
    client.call(
        "registry",
        "POST",
        f"/campaigns/{campaign['campaign_id']}/enrolments",
        idempotency="demo-enrolments",
        json={"enrolments": [{"unit_id": u["unit_id"], "category": u["category"]} for u in units]},
    )
    return campaign
