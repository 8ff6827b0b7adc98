"""Registry set-up through the API, for tests of any service."""

from __future__ import annotations

from typing import Any

from tests.harness import ADMIN, Cluster


def post(
    cluster: Cluster,
    path: str,
    body: dict[str, Any],
    key: dict[str, str] = ADMIN,
    status: int = 201,
    **headers: str,
) -> Any:
    response = cluster["registry"].post(path, json=body, headers=key | headers)
    assert response.status_code == status, response.text
    return response.json()


def city_with_counties(cluster: Cluster) -> dict[str, Any]:
    """河南省 > 漯河市 > 源汇区, 郾城区, each with a unit, plus an office key per level."""
    province = post(cluster, "/jurisdictions", {"name": "河南省", "level": "province"})
    city = post(
        cluster,
        "/jurisdictions",
        {"name": "漯河市", "level": "city", "parent_id": province["jurisdiction_id"]},
    )
    counties = {
        name: post(
            cluster,
            "/jurisdictions",
            {"name": name, "level": "district", "parent_id": city["jurisdiction_id"]},
        )
        for name in ("源汇区", "郾城区")
    }
    units = {
        "市教育局": unit(cluster, city["jurisdiction_id"], "漯河市教育局"),
        "源汇区民政局": unit(cluster, counties["源汇区"]["jurisdiction_id"], "源汇区民政局"),
        "郾城区民政局": unit(cluster, counties["郾城区"]["jurisdiction_id"], "郾城区民政局"),
    }
    keys = {
        "city": office(cluster, "漯河市纠风办", city["jurisdiction_id"]),
        "源汇区": office(cluster, "源汇区纠风办", counties["源汇区"]["jurisdiction_id"]),
        "auditor": key_for(post(cluster, "/principals", {"name": "审计", "role": "auditor"})),
    }
    return {"province": province, "city": city, "counties": counties, "units": units, "keys": keys}


def unit(
    cluster: Cluster, jurisdiction_id: str, name: str, category: str = "政府部门及其它机构"
) -> dict[str, Any]:
    return post(
        cluster,
        "/units",
        {
            "jurisdiction_id": jurisdiction_id,
            "name": name,
            "kind": "government_department",
            "category": category,
        },
    )


def office(cluster: Cluster, name: str, jurisdiction_id: str) -> dict[str, str]:
    return key_for(
        post(
            cluster,
            "/principals",
            {"name": name, "role": "office", "jurisdiction_id": jurisdiction_id},
        )
    )


def key_for(principal: dict[str, Any]) -> dict[str, str]:
    return {"X-API-Key": principal["api_key"]}
