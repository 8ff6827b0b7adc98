"""Campaign set-up for tests: the shapes of seed 000 (Luohe) and seed 004 (Wuhan zone)."""

from __future__ import annotations

from typing import Any

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import office, post, unit

LUOHE_CATEGORIES = ["政府部门及其它机构", "公共服务行业"]
WUHAN_CATEGORIES = ["经济和社会事业发展类", "城市管理和执法监督类", "公共服务企业类"]

# Seed 000: a two-year cycle in three phases (the seed's 201* years read as 2016-2017).
LUOHE_PHASES = [
    {"name": "动员准备", "starts_on": "2016-06-01", "ends_on": "2016-07-31"},
    {"name": "组织实施", "starts_on": "2016-08-01", "ends_on": "2017-07-31"},
    {"name": "考核总结", "starts_on": "2017-08-01", "ends_on": "2017-11-30"},
]


def luohe_spec(jurisdiction_id: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": jurisdiction_id,
        "name": "2016—2017年度漯河市民主评议政风行风工作",
        "pattern": "民主评议政风行风",
        "cycle": {
            "length": "two_years",
            "rounds": "whole_cycle",
            "starts_on": "2016-06-01",
            "ends_on": "2017-11-30",
        },
        "phases": LUOHE_PHASES,
        "categories": LUOHE_CATEGORIES,
    }


def wuhan_spec(jurisdiction_id: str) -> dict[str, Any]:
    return {
        "jurisdiction_id": jurisdiction_id,
        "name": "2017年武汉经济技术开发区(汉南区)履职尽责督促检查",
        "pattern": "duty_inspection",
        "cycle": {
            "length": "one_year",
            "rounds": "whole_cycle",
            "starts_on": "2017-01-01",
            "ends_on": "2017-12-31",
        },
        "phases": [
            {"name": "动员部署", "starts_on": "2017-03-01", "ends_on": "2017-03-31"},
            {"name": "明察暗访", "starts_on": "2017-04-01", "ends_on": "2017-10-31"},
            {"name": "集中评议", "starts_on": "2017-11-01", "ends_on": "2017-12-31"},
        ],
        "categories": WUHAN_CATEGORIES,
    }


def wuhan_zone(cluster: Cluster) -> dict[str, Any]:
    """湖北省 > 武汉市 > 武汉经济技术开发区, with two units of each seed-004 category."""
    province = post(cluster, "/jurisdictions", {"name": "湖北省", "level": "province"})
    city = post(
        cluster,
        "/jurisdictions",
        {"name": "武汉市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    zone = post(
        cluster,
        "/jurisdictions",
        {"name": "武汉经济技术开发区", "level": "zone", "parent_id": city["jurisdiction_id"]},
    )
    zone_id = zone["jurisdiction_id"]
    names = {
        "经济和社会事业发展类": ["区发改局", "区教育局"],
        "城市管理和执法监督类": ["区公安分局", "区城管局"],
        "公共服务企业类": ["开发区供电公司", "中国电信开发区分公司"],
    }
    units = {
        name: unit(cluster, zone_id, name, category=category)
        for category, group in names.items()
        for name in group
    }
    return {
        "zone": zone,
        "units": units,
        "categories": names,
        "office": office(cluster, "区治庸问责办、纠风办", zone_id),
    }


def open_campaign(
    cluster: Cluster, spec: dict[str, Any], key: dict[str, str] = ADMIN, status: int = 201
) -> Any:
    return post(cluster, "/campaigns", spec, key=key, status=status)


def enrol(
    cluster: Cluster,
    campaign_id: str,
    pairs: list[tuple[str, str]],
    key: dict[str, str] = ADMIN,
    status: int = 201,
    **headers: str,
) -> Any:
    """Enrol (unit_id, category) pairs; returns the response body."""
    body = {"enrolments": [{"unit_id": u, "category": c} for u, c in pairs]}
    return post(cluster, f"/campaigns/{campaign_id}/enrolments", body, key, status, **headers)


def enrolments(
    cluster: Cluster, campaign_id: str, key: dict[str, str] = ADMIN, **params: Any
) -> list[dict[str, Any]]:
    cluster.wait_caught_up("registry", "registry")
    response = cluster["registry"].get(
        f"/campaigns/{campaign_id}/enrolments", params=params, headers=key
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def error_field(response: Any) -> str:
    field: str = response.json()["detail"][0]["field"]
    return field
