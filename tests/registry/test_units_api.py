"""Registering units with their details, listing and searching them, the jurisdiction tree."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties, office, post
from tests.registry.units_helpers import get, names, refused, register

TAX_CODE = "91330100716105852F"


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")
    return setup


def jid(world: dict[str, Any], county: str | None = None) -> str:
    place = world["city"] if county is None else world["counties"][county]
    return str(place["jurisdiction_id"])


def test_a_unit_registers_with_vertical_superior_and_credit_code(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    created = register(
        cluster,
        jid(world, "源汇区"),
        "国家税务总局漯河市源汇区税务局",
        vertical_superior="国家税务总局漯河市税务局",
        credit_code=TAX_CODE.lower(),
        effective_on="2023-01-01",
    )
    assert created["credit_code"] == TAX_CODE
    assert created["vertical_superior"] == "国家税务总局漯河市税务局"
    assert (created["status"], created["registered_on"]) == ("active", "2023-01-01")
    cluster.wait_caught_up("registry", "registry")
    read = get(cluster, f"/units/{created['unit_id']}")
    assert {k: read[k] for k in created} == created


def test_a_bad_credit_code_is_refused_naming_the_field(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    body = {"jurisdiction_id": jid(world), "name": "某局", "kind": "other_body", "category": "x"}
    response = cluster["registry"].post(
        "/units", json=body | {"credit_code": "91330100716105852E"}, headers=ADMIN
    )
    assert "check character" in refused(response, 422, "body.credit_code")["detail"][0]["reason"]
    batch = cluster["registry"].post(
        "/units:batch",
        json={"units": [body, body | {"name": "另一局", "credit_code": "123"}]},
        headers=ADMIN,
    )
    refused(batch, 422, "body.units.1.credit_code")


def test_a_full_width_credit_code_registers_and_imports_as_its_half_width_form(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    full_width = "９１３３０１００７１６１０５８５２ｆ"
    created = register(cluster, jid(world, "源汇区"), "某公司", credit_code=full_width)
    assert created["credit_code"] == TAX_CODE
    # As a Chinese Excel saves a sheet typed with the IME in full-width mode.
    sheet = "单位名称,单位类型,类别,统一社会信用代码\r\n某集团,公共服务企业,公共服务行业,"
    response = cluster["registry"].post(
        "/imports/units",
        params={"jurisdiction_id": jid(world, "郾城区"), "dry_run": "true"},
        content=(sheet + "９１４４０３００７０８４６１１３６Ｔ\r\n").encode("gb18030"),
        headers=ADMIN | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["errors"] == [], report
    assert report["preview"][0]["credit_code"] == "91440300708461136T"


def test_a_future_effective_date_is_refused(cluster: Cluster, world: dict[str, Any]) -> None:
    response = cluster["registry"].post(
        "/units",
        json={
            "jurisdiction_id": jid(world),
            "name": "未来局",
            "kind": "other_body",
            "category": "x",
            "effective_on": "2099-01-01",
        },
        headers=ADMIN,
    )
    refused(response, 422, "units.0.effective_on")


def test_sub_units_sit_in_their_parents_jurisdiction_or_below(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    parent = register(cluster, jid(world), "漯河市税务局")
    station = register(
        cluster,
        jid(world, "源汇区"),
        "漯河市税务局源汇分局办税服务厅",
        kind="service_window",
        parent_id=parent["unit_id"],
    )
    section = register(
        cluster,
        jid(world),
        "漯河市税务局纳税服务科",
        kind="key_section",
        parent_id=parent["unit_id"],
    )
    assert station["parent_id"] == parent["unit_id"]
    county_parent = world["units"]["源汇区民政局"]["unit_id"]
    outside = cluster["registry"].post(
        "/units",
        json={
            "jurisdiction_id": jid(world),
            "name": "市级窗口",
            "kind": "service_window",
            "category": "x",
            "parent_id": county_parent,
        },
        headers=ADMIN,
    )
    refused(outside, 422, "units.0.jurisdiction_id")
    missing = cluster["registry"].post(
        "/units",
        json={
            "jurisdiction_id": jid(world),
            "name": "无主科室",
            "kind": "key_section",
            "category": "x",
            "parent_id": "00000000-0000-4000-8000-000000000000",
        },
        headers=ADMIN,
    )
    assert refused(missing, 404, "parent_id")["error"] == "unit_not_found"
    cluster.wait_caught_up("registry", "registry")
    subs = get(cluster, "/units", parent_id=parent["unit_id"])
    assert {u["unit_id"] for u in subs} == {station["unit_id"], section["unit_id"]}
    assert names(cluster, kind="key_section") == ["漯河市税务局纳税服务科"]


def test_listing_by_jurisdiction_covers_the_subtree_and_respects_scope(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    zone = post(
        cluster,
        "/jurisdictions",
        {"name": "源汇区经济开发区", "level": "zone", "parent_id": jid(world, "源汇区")},
    )
    register(cluster, zone["jurisdiction_id"], "源汇区经开区管委会")
    cluster.wait_caught_up("registry", "registry")
    # In dictionary (pinyin) order: 经 (jīng) before 民 (mín).
    assert names(cluster, jurisdiction_id=jid(world, "源汇区")) == [
        "源汇区经开区管委会",
        "源汇区民政局",
    ]
    assert len(names(cluster, jurisdiction_id=jid(world))) == 4
    county_key = world["keys"]["源汇区"]
    foreign = cluster["registry"].get(
        "/units", params={"jurisdiction_id": jid(world, "郾城区")}, headers=county_key
    )
    refused(foreign, 403, "jurisdiction_id")
    assert names(cluster, county_key) == ["源汇区经开区管委会", "源汇区民政局"]


def test_name_search_finds_cjk_substrings_of_name_and_short_name(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    register(cluster, jid(world), "漯河市统计局", short_name="市统计局")
    register(cluster, jid(world), "漯河市发展和改革委员会", short_name="市发改委")
    cluster.wait_caught_up("registry", "registry")
    assert names(cluster, q="统计") == ["漯河市统计局"]
    assert names(cluster, q="发改委") == ["漯河市发展和改革委员会"]
    assert names(cluster, q="民政局") == ["郾城区民政局", "源汇区民政局"]  # yǎn before yuán
    assert names(cluster, world["keys"]["源汇区"], q="民政局") == ["源汇区民政局"]
    assert names(cluster, q="公安") == []


def test_the_jurisdiction_list_is_the_callers_subtree(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    post(
        cluster,
        "/jurisdictions",
        {"name": "漯河经济技术开发区", "level": "zone", "parent_id": jid(world)},
    )
    cluster.wait_caught_up("registry", "registry")
    everything = get(cluster, "/jurisdictions")
    assert [(j["name"], j["depth"]) for j in everything] == [
        ("河南省", 0),
        ("漯河市", 1),
        ("源汇区", 2),
        ("漯河经济技术开发区", 2),
        ("郾城区", 2),
    ]
    by_id = {j["jurisdiction_id"]: j for j in everything}
    assert all(j["parent_id"] is None or j["parent_id"] in by_id for j in everything)
    assert everything[2]["path"] == ["河南省", "漯河市", "源汇区"]
    county = get(cluster, "/jurisdictions", world["keys"]["源汇区"])
    assert [(j["name"], j["depth"]) for j in county] == [("源汇区", 0)]
    city = get(cluster, "/jurisdictions", world["keys"]["city"])
    assert [j["name"] for j in city] == ["漯河市", "源汇区", "漯河经济技术开发区", "郾城区"]
    under = get(cluster, "/jurisdictions", world["keys"]["city"], under=jid(world, "郾城区"))
    assert [j["name"] for j in under] == ["郾城区"]
    foreign = cluster["registry"].get(
        "/jurisdictions", params={"under": jid(world, "郾城区")}, headers=world["keys"]["源汇区"]
    )
    refused(foreign, 403, "under")


def test_the_tree_rules_still_hold(cluster: Cluster, world: dict[str, Any]) -> None:
    county = jid(world, "源汇区")
    bad = cluster["registry"].post(
        "/jurisdictions", json={"name": "某市", "level": "city", "parent_id": county}, headers=ADMIN
    )
    refused(bad, 422, "level")
    orphan = cluster["registry"].post(
        "/jurisdictions", json={"name": "某开发区", "level": "zone"}, headers=ADMIN
    )
    refused(orphan, 422, "parent_id")
    zone = post(
        cluster,
        "/jurisdictions",
        {"name": "源汇区产业集聚区", "level": "zone", "parent_id": county},
        key=world["keys"]["源汇区"],
    )
    assert zone["level"] == "zone"
    cluster.wait_caught_up("registry", "registry")
    zone_office = office(cluster, "产业集聚区纠风办", zone["jurisdiction_id"])
    cluster.wait_caught_up("registry", "registry")
    assert get(cluster, "/jurisdictions", zone_office)[0]["name"] == "源汇区产业集聚区"
