"""A unit's `kind` takes its code or its Chinese name (窗口单位), as the import's 单位类型
column does and as the registry's other choices do (`test_choice_names`): in `POST /units`,
`/units:batch`, a merger's and a split's parts and `GET /units?kind=`. The code is stored; a
refusal lists each code with its name, so an office sees the Chinese it would write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post

KINDS = (
    "须为以下之一: government_department（政府部门）、other_body（其它机构）、"
    "public_service_enterprise（公共服务企业）、key_section（重点科室）、key_post（重点岗位）、"
    "grassroots_station（基层站所）、service_window（窗口单位）、funded_project（政府投资项目） "
    "(should be one of these codes, or its Chinese name)"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster(in_memory(), ["registry"]) as running:
        yield running


@pytest.fixture(scope="module")
def county(cluster: Cluster) -> str:
    city = post(cluster, "/jurisdictions", {"name": "许昌市", "level": "city"})
    body = {"name": "鄢陵县", "level": "county", "parent_id": city["jurisdiction_id"]}
    found: str = post(cluster, "/jurisdictions", body)["jurisdiction_id"]
    return found


def unit(county: str, name: str, kind: Any, **more: Any) -> dict[str, Any]:
    return {"jurisdiction_id": county, "name": name, "kind": kind, "category": "政府部门", **more}


def test_a_kind_is_taken_by_its_chinese_name_and_stored_as_its_code(
    cluster: Cluster, county: str
) -> None:
    parent = post(cluster, "/units", unit(county, "鄢陵县民政局", "政府部门"))
    window = post(
        cluster, "/units", unit(county, "婚姻登记窗口", "窗口单位", parent_id=parent["unit_id"])
    )
    batch = post(cluster, "/units:batch", {"units": [unit(county, "鄢陵县供销社", "其它机构")]})
    assert (parent["kind"], window["kind"], batch["units"][0]["kind"]) == (
        *("government_department", "service_window", "other_body"),
    )
    cluster.wait_caught_up("registry", "registry")
    listed = cluster["registry"].get(
        "/units", params={"jurisdiction_id": county, "kind": "窗口单位"}, headers=ADMIN
    )
    assert listed.status_code == 200, listed.text
    assert [u["name"] for u in listed.json()] == ["婚姻登记窗口"]


def test_a_merger_and_a_split_take_a_kind_s_chinese_name(cluster: Cluster, county: str) -> None:
    a = post(cluster, "/units", unit(county, "鄢陵县粮食局", "government_department"))
    b = post(cluster, "/units", unit(county, "鄢陵县物价局", "government_department"))
    merged = post(
        cluster,
        "/units:merge",
        {
            "source_unit_ids": [a["unit_id"], b["unit_id"]],
            "name": "鄢陵县粮食和物资储备中心",
            "kind": "其它机构",
            "reason": "机构改革",
        },
    )
    assert merged["unit"]["kind"] == "other_body"
    parts = [{"name": "鄢陵县储备中心", "kind": "公共服务企业"}, {"name": "鄢陵县粮食局"}]
    split = post(
        cluster,
        f"/units/{merged['unit']['unit_id']}/split",
        {"units": parts, "reason": "机构改革"},
    )
    assert [u["kind"] for u in split["units"]] == ["public_service_enterprise", "other_body"]


def test_an_unknown_kind_lists_each_code_with_its_name(cluster: Cluster, county: str) -> None:
    registry = cluster["registry"]
    refused = registry.post("/units", json=unit(county, "某局", "行政机关"), headers=ADMIN)
    listed = registry.get("/units", params={"kind": "行政机关"}, headers=ADMIN)
    for response, field in ((refused, "body.kind"), (listed, "query.kind")):
        (detail,) = response.json()["detail"]
        assert (response.status_code, detail["field"], detail["code"], detail["reason"]) == (
            *(422, field, "literal_error", KINDS),
        )
    schema = registry.get("/openapi.json").json()["components"]["schemas"]["UnitIn"]
    assert "窗口单位" in schema["properties"]["kind"]["enum"]


STATUSES = (
    "须为以下之一: active（在册）、merged（已合并）、split（已拆分）、dissolved（已撤销） "
    "(should be one of these codes, or its Chinese name)"
)


def test_a_status_filter_takes_its_chinese_name(cluster: Cluster, county: str) -> None:
    """`GET /units?status=` reads the words a refusal names a status by (已撤销), and without
    `status` lists ended units too."""
    gone = post(cluster, "/units", unit(county, "鄢陵县编办", "government_department"))
    post(cluster, f"/units/{gone['unit_id']}/dissolve", {"reason": "机构改革"}, status=200)
    cluster.wait_caught_up("registry", "registry")
    registry = cluster["registry"]

    def names(**params: str) -> list[str]:
        listed = registry.get("/units", params={"jurisdiction_id": county, **params}, headers=ADMIN)
        assert listed.status_code == 200, listed.text
        return [u["name"] for u in listed.json()]

    assert names(status="已撤销") == names(status="dissolved") == ["鄢陵县编办"]
    assert "鄢陵县编办" not in names(status="在册")
    assert "鄢陵县编办" in names()
    refused = registry.get("/units", params={"status": "撤销了"}, headers=ADMIN)
    (detail,) = refused.json()["detail"]
    assert (refused.status_code, detail["field"], detail["code"], detail["reason"]) == (
        *(422, "query.status", "literal_error", STATUSES),
    )
