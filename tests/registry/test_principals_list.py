"""GET /principals: the keys an office has issued, scoped like the rest of the registry
(an office sees its jurisdiction subtree; auditors and admins everything; agencies, units and
inspectors nothing), paged in SQL, and never showing a key or its hash."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.pages import assert_bad_cursor, assert_pages_match
from tests.registry.helpers import city_with_counties, key_for, office, post

FIELDS = {
    *("principal_id", "name", "role", "jurisdiction_id", "unit_id", "unit_status"),
    *("issued_at", "revoked", "revoked_at", "revoked_reason"),
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


@pytest.fixture(scope="module")
def world(cluster: Cluster) -> dict[str, Any]:
    """city_with_counties, plus keys issued in each county and one revoked."""
    setup = city_with_counties(cluster)
    yuanhui = setup["counties"]["源汇区"]["jurisdiction_id"]
    yancheng = setup["counties"]["郾城区"]["jurisdiction_id"]
    cluster.wait_caught_up("registry", "registry")
    county_office = setup["keys"]["源汇区"]
    issued = {
        "agency": post(
            cluster,
            "/principals",
            {"name": "源汇区调查队", "role": "agency", "jurisdiction_id": yuanhui},
            county_office,
        ),
        "unit": post(
            cluster,
            "/principals",
            {
                "name": "源汇区民政局",
                "role": "unit",
                "unit_id": setup["units"]["源汇区民政局"]["unit_id"],
            },
            county_office,
        ),
        "inspector": post(
            cluster,
            "/principals",
            {"name": "郾城区督查员", "role": "inspector", "jurisdiction_id": yancheng},
            setup["keys"]["city"],
        ),
        "郾城区": office(cluster, "郾城区纠风办", yancheng),
    }
    departed = post(
        cluster,
        "/principals",
        {"name": "源汇区离职督查员", "role": "inspector", "jurisdiction_id": yuanhui},
        county_office,
    )
    revoke = {"reason": "人员离职"}
    post(cluster, f"/principals/{departed['principal_id']}/revoke", revoke, county_office, 200)
    cluster.wait_caught_up("registry", "registry")
    return setup | {"issued": issued, "departed": departed, "yuanhui": yuanhui}


def listed(cluster: Cluster, key: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    return assert_pages_match(cluster["registry"], "/principals", key, params)


def test_an_office_lists_the_keys_of_its_subtree_and_never_a_key(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    everything = listed(cluster, ADMIN)
    assert all(set(item) == FIELDS for item in everything)
    county = listed(cluster, world["keys"]["源汇区"])
    assert {p["name"] for p in county} == {
        *("源汇区纠风办", "源汇区调查队", "源汇区民政局", "源汇区离职督查员"),
    }
    assert county == [p for p in everything if p["jurisdiction_id"] == world["yuanhui"]]
    city = listed(cluster, world["keys"]["city"])
    assert {p["name"] for p in city} == {p["name"] for p in everything} - {"审计"}
    assert listed(cluster, world["keys"]["auditor"]) == everything
    # Names in dictionary (pinyin) order: 审 (shěn) before 源 (yuán), 郾 (yǎn) before 源.
    assert [p["name"] for p in everything][:2] == ["漯河市纠风办", "审计"]


def test_the_list_says_when_a_key_was_issued_and_revoked(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    (departed,) = listed(cluster, ADMIN, revoked=True)
    assert departed["principal_id"] == world["departed"]["principal_id"]
    assert departed["revoked_reason"] == "人员离职"
    assert departed["issued_at"] <= departed["revoked_at"]
    inspectors = listed(cluster, world["keys"]["city"], role="inspector", revoked=False)
    assert [p["name"] for p in inspectors] == ["郾城区督查员"]
    unit_key = listed(cluster, ADMIN, role="unit")[0]
    assert unit_key["unit_id"] == world["units"]["源汇区民政局"]["unit_id"]
    elsewhere = {"jurisdiction_id": world["counties"]["郾城区"]["jurisdiction_id"]}
    outside = cluster["registry"].get(
        "/principals", params=elsewhere, headers=world["keys"]["源汇区"]
    )
    assert outside.status_code == 403, outside.text
    assert [p["name"] for p in listed(cluster, world["keys"]["city"], **elsewhere)] == [
        *("郾城区督查员", "郾城区纠风办"),
    ]


def test_keys_that_issue_nothing_cannot_list_keys(cluster: Cluster, world: dict[str, Any]) -> None:
    for role in ("agency", "unit", "inspector"):
        response = cluster["registry"].get("/principals", headers=key_for(world["issued"][role]))
        assert response.status_code == 403, (role, response.text)
    assert_bad_cursor(cluster["registry"], "/principals", ADMIN)
