"""Rename, move, merge, split and dissolve through the API: scope, conflicts, views."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.registry.helpers import city_with_counties
from tests.registry.units_helpers import change, get, merge, names, refused, register


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = city_with_counties(cluster)
    cluster.wait_caught_up("registry", "registry")
    return setup


def county(world: dict[str, Any], name: str) -> str:
    return str(world["counties"][name]["jurisdiction_id"])


def unit_id(world: dict[str, Any], name: str) -> str:
    return str(world["units"][name]["unit_id"])


def test_a_renamed_unit_is_found_by_its_old_name_too(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    renamed = change(
        cluster,
        unit_id(world, "源汇区民政局"),
        "rename",
        {"name": "源汇区民政和社会保障局", "short_name": "区民政社保局"},
    )
    assert renamed["aliases"] == ["源汇区民政局"]
    cluster.wait_caught_up("registry", "registry")
    assert names(cluster, q="源汇区民政局") == ["源汇区民政和社会保障局"]
    assert names(cluster, q="社保") == ["源汇区民政和社会保障局"]
    read = get(cluster, f"/units/{unit_id(world, '源汇区民政局')}")
    assert (read["name"], read["short_name"], read["aliases"]) == (
        "源汇区民政和社会保障局",
        "区民政社保局",
        ["源汇区民政局"],
    )


def test_a_county_office_cannot_move_a_unit_to_another_county_but_the_city_can(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    moving = unit_id(world, "源汇区民政局")
    target = {"jurisdiction_id": county(world, "郾城区")}
    response = cluster["registry"].post(
        f"/units/{moving}/move",
        json=target | {"reason": "区划调整"},
        headers=world["keys"]["源汇区"],
    )
    refused(response, 403, "jurisdiction_id")
    foreign = cluster["registry"].post(
        f"/units/{unit_id(world, '郾城区民政局')}/rename",
        json={"name": "越权改名", "reason": "x"},
        headers=world["keys"]["源汇区"],
    )
    refused(foreign, 403, "unit_id")
    moved = change(cluster, moving, "move", target, key=world["keys"]["city"])
    assert moved["jurisdiction_id"] == county(world, "郾城区")
    cluster.wait_caught_up("registry", "registry")
    assert names(cluster, world["keys"]["源汇区"]) == []
    assert "源汇区民政局" in names(cluster, jurisdiction_id=county(world, "郾城区"))


def test_auditors_cannot_change_units(cluster: Cluster, world: dict[str, Any]) -> None:
    response = cluster["registry"].post(
        f"/units/{unit_id(world, '源汇区民政局')}/dissolve",
        json={"reason": "x"},
        headers=world["keys"]["auditor"],
    )
    refused(response, 403, "X-API-Key")


def test_merge_makes_one_new_unit_evaluated_as_one(cluster: Cluster, world: dict[str, Any]) -> None:
    place = county(world, "源汇区")
    fgj = register(cluster, place, "源汇区发改局")
    tjj = register(cluster, place, "源汇区统计局")
    result = merge(
        cluster,
        {"source_unit_ids": [fgj["unit_id"], tjj["unit_id"]], "name": "源汇区发改局(区统计局)"},
        key=world["keys"]["源汇区"],
    )
    new = result["unit"]
    assert (new["jurisdiction_id"], new["status"]) == (place, "active")
    assert new["predecessor_ids"] == [fgj["unit_id"], tjj["unit_id"]]
    assert {(s["status"], s["merged_into"]) for s in result["sources"]} == {
        ("merged", new["unit_id"])
    }
    cluster.wait_caught_up("registry", "registry")
    assert names(cluster, q="统计局", status="active") == ["源汇区发改局(区统计局)"]
    assert get(cluster, f"/units/{tjj['unit_id']}")["status"] == "merged"


def test_merging_across_counties_needs_the_city(cluster: Cluster, world: dict[str, Any]) -> None:
    sources = [unit_id(world, "源汇区民政局"), unit_id(world, "郾城区民政局")]
    response = cluster["registry"].post(
        "/units:merge",
        json={"source_unit_ids": sources, "name": "合并民政局", "reason": "x"},
        headers=world["keys"]["源汇区"],
    )
    refused(response, 403, "source_unit_ids.1")
    no_place = cluster["registry"].post(
        "/units:merge",
        json={"source_unit_ids": sources, "name": "合并民政局", "reason": "x"},
        headers=world["keys"]["city"],
    )
    refused(no_place, 422, "jurisdiction_id")
    done = merge(
        cluster,
        {
            "source_unit_ids": sources,
            "name": "漯河市城区民政局",
            "jurisdiction_id": str(world["city"]["jurisdiction_id"]),
        },
        key=world["keys"]["city"],
    )
    assert done["unit"]["jurisdiction_id"] == str(world["city"]["jurisdiction_id"])


def test_illegal_transitions_are_conflicts_naming_the_field(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    target = unit_id(world, "源汇区民政局")
    itself = cluster["registry"].post(
        "/units:merge",
        json={"source_unit_ids": [target, target], "name": "自己", "reason": "x"},
        headers=ADMIN,
    )
    assert refused(itself, 409, "source_unit_ids.1")["error"] == "lifecycle_conflict"
    same_name = cluster["registry"].post(
        f"/units/{target}/rename", json={"name": "源汇区民政局", "reason": "x"}, headers=ADMIN
    )
    refused(same_name, 409, "name")
    change(cluster, target, "dissolve", {"reason": "职能划转"})
    for action, body in (
        ("rename", {"name": "新民政局"}),
        ("move", {"jurisdiction_id": county(world, "郾城区")}),
        ("dissolve", {}),
        ("split", {"units": [{"name": "甲"}, {"name": "乙"}]}),
    ):
        response = cluster["registry"].post(
            f"/units/{target}/{action}", json={"reason": "x"} | body, headers=ADMIN
        )
        assert "dissolved" in refused(response, 409, "unit_id")["detail"][0]["reason"], action
    gone = cluster["registry"].post(
        "/units:merge",
        json={
            "source_unit_ids": [unit_id(world, "郾城区民政局"), target],
            "name": "x",
            "jurisdiction_id": county(world, "郾城区"),
            "reason": "x",
        },
        headers=ADMIN,
    )
    refused(gone, 409, "source_unit_ids.1")
    backdated = cluster["registry"].post(
        f"/units/{unit_id(world, '郾城区民政局')}/rename",
        json={"name": "郾城区民政事务局", "reason": "x", "effective_on": "2000-01-01"},
        headers=ADMIN,
    )
    refused(backdated, 409, "effective_on")


def test_sub_units_must_go_before_their_parent_and_move_with_it(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    parent = unit_id(world, "源汇区民政局")
    place = county(world, "源汇区")
    window = register(cluster, place, "源汇区婚姻登记处", kind="service_window", parent_id=parent)
    blocked = cluster["registry"].post(
        f"/units/{parent}/dissolve", json={"reason": "x"}, headers=ADMIN
    )
    body = refused(blocked, 409, "unit_id")
    assert body["detail"][0]["context"]["sub_unit_ids"] == [window["unit_id"]]
    outside = cluster["registry"].post(
        f"/units/{window['unit_id']}/move",
        json={"jurisdiction_id": county(world, "郾城区"), "reason": "x"},
        headers=ADMIN,
    )
    refused(outside, 409, "jurisdiction_id")
    moved = change(cluster, parent, "move", {"jurisdiction_id": county(world, "郾城区")})
    assert moved["carried_sub_unit_ids"] == [window["unit_id"]]
    cluster.wait_caught_up("registry", "registry")
    assert get(cluster, f"/units/{window['unit_id']}")["jurisdiction_id"] == county(world, "郾城区")
    change(cluster, window["unit_id"], "dissolve", {})
    assert change(cluster, parent, "dissolve", {})["status"] == "dissolved"


def test_split_makes_new_units_defaulting_to_the_source(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    source = register(
        cluster,
        county(world, "源汇区"),
        "源汇区工商质监局",
        vertical_superior="漯河市工商质监局",
        effective_on="2022-01-01",
    )
    result = change(
        cluster,
        source["unit_id"],
        "split",
        {
            "units": [
                {"name": "源汇区市场监督管理局"},
                {"name": "源汇区质量技术监督局", "kind": "other_body"},
            ],
            "effective_on": "2024-03-01",
        },
        key=world["keys"]["源汇区"],
        status=201,
    )
    parts = result["units"]
    assert result["source"]["split_into"] == [p["unit_id"] for p in parts]
    assert [p["kind"] for p in parts] == ["government_department", "other_body"]
    assert {p["vertical_superior"] for p in parts} == {"漯河市工商质监局"}
    assert {p["registered_on"] for p in parts} == {"2024-03-01"}
    cluster.wait_caught_up("registry", "registry")
    # 源汇区民政局 was registered today, so it is absent from both days.
    assert names(cluster, as_of="2024-02-29", q="源汇区") == ["源汇区工商质监局"]
    assert names(cluster, as_of="2024-03-01", q="源汇区") == [
        "源汇区工商质监局",
        "源汇区市场监督管理局",
        "源汇区质量技术监督局",
    ]
    assert names(cluster, as_of="2024-03-01", q="源汇区", status="active") == [
        "源汇区市场监督管理局",
        "源汇区质量技术监督局",
    ]


def test_a_retried_change_with_the_same_key_happens_once(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    target = unit_id(world, "源汇区民政局")
    key = {"Idempotency-Key": "rename-1"}
    body = {"name": "源汇区民政事务局", "reason": "更名"}
    first = cluster["registry"].post(f"/units/{target}/rename", json=body, headers=ADMIN | key)
    again = cluster["registry"].post(f"/units/{target}/rename", json=body, headers=ADMIN | key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    cluster.wait_caught_up("registry", "registry")
    history = get(cluster, f"/units/{target}/history")
    assert [e["change"] for e in history["entries"]] == ["registered", "renamed"]


def test_sub_units_block_mergers_and_moves_that_would_strand_them(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    city = str(world["city"]["jurisdiction_id"])
    tax = register(cluster, city, "漯河市税务局", vertical_superior="国家税务总局河南省税务局")
    station = register(
        cluster,
        county(world, "源汇区"),
        "源汇区税务所",
        kind="grassroots_station",
        parent_id=tax["unit_id"],
    )
    other = register(cluster, city, "漯河市财政局")
    merging = cluster["registry"].post(
        "/units:merge",
        json={"source_unit_ids": [other["unit_id"], tax["unit_id"]], "name": "x", "reason": "x"},
        headers=ADMIN,
    )
    body = refused(merging, 409, "source_unit_ids.1")
    assert body["detail"][0]["context"]["sub_unit_ids"] == [station["unit_id"]]
    stranding = cluster["registry"].post(
        f"/units/{tax['unit_id']}/move",
        json={"jurisdiction_id": county(world, "郾城区"), "reason": "x"},
        headers=ADMIN,
    )
    assert refused(stranding, 409, "jurisdiction_id")["detail"][0]["context"] == {
        "sub_unit_id": station["unit_id"]
    }
    change(cluster, tax["unit_id"], "rename", {"name": "国家税务总局漯河市税务局"})
    change(cluster, station["unit_id"], "dissolve", {})
    change(cluster, tax["unit_id"], "dissolve", {})
    late = cluster["registry"].post(
        "/units",
        json={
            "jurisdiction_id": city,
            "name": "纳税服务科",
            "kind": "key_section",
            "category": "x",
            "parent_id": tax["unit_id"],
        },
        headers=ADMIN,
    )
    refused(late, 409, "units.0.parent_id")
