"""参评单位名单 import and export for a campaign (memory mode)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from services.registry.domain.credit_code import check_character
from shared.tabular import XLSX
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post
from tests.registry.import_helpers import (
    csv_bytes,
    import_wuhan_units,
    problems,
    sample,
    two_cities,
    upload,
    wuhan_campaign,
)


def credit_code(body: str) -> str:
    return body + check_character(body)


CODE = credit_code("91420100MA4K" + "00001")


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = two_cities(cluster)
    import_wuhan_units(cluster, setup["zone"])
    extra = csv_bytes(
        [
            ["单位名称", "单位类型", "类别", "统一社会信用代码"],
            ["武汉经开区政务服务中心", "其它机构", "经济和社会事业发展类", CODE],
        ]
    )
    assert (
        upload(cluster, "/imports/units", extra, jurisdiction_id=setup["zone"]).status_code == 201
    )
    elsewhere = csv_bytes([["单位名称", "单位类型", "类别"], ["蔡甸区民政局", "政府部门", "x"]])
    assert (
        upload(cluster, "/imports/units", elsewhere, jurisdiction_id=setup["spare"]).status_code
        == 201
    )
    cluster.wait_caught_up("registry", "registry")
    return setup | {"campaign": wuhan_campaign(cluster, setup["zone"])}


def campaign(cluster: Cluster, campaign_id: str) -> dict[str, Any]:
    cluster.wait_caught_up("registry", "registry")
    found: dict[str, Any] = (
        cluster["registry"].get(f"/campaigns/{campaign_id}", headers=ADMIN).json()
    )
    return found


def test_the_unit_sample_itself_enrols_all_37_in_their_categories(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    """单位名称 and 类别 are what an enrolment needs; the other columns are ignored."""
    response = upload(
        cluster,
        "/imports/enrolments",
        sample("wuhan_004_units.xlsx"),
        XLSX,
        key=world["keys"]["zone"],
        campaign_id=world["campaign"],
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert len(report["created"]) == 37
    assert {w["column"] for w in report["warnings"]} == {"单位类型", "垂直管理上级"}
    assert campaign(cluster, world["campaign"])["enrolment_counts"] == {
        "经济和社会事业发展类": 18,
        "城市管理和执法监督类": 11,
        "公共服务企业类": 8,
    }


def test_every_bad_enrolment_row_is_reported(cluster: Cluster, world: dict[str, Any]) -> None:
    first = csv_bytes([["单位名称", "类别"], ["区教育局", "经济和社会事业发展类"]])
    assert (
        upload(cluster, "/imports/enrolments", first, campaign_id=world["campaign"]).status_code
        == 201
    )
    cluster.wait_caught_up("registry", "registry")
    rows = [
        ["单位名称", "统一社会信用代码", "类别"],
        ["区民政局", "", "经济和社会事业发展类"],  # 2 fine
        ["区不存在局", "", "经济和社会事业发展类"],  # 3 unknown name
        ["区司法局", "", "政府部门及其它机构"],  # 4 not a category of this campaign
        ["区民政局", "", "经济和社会事业发展类"],  # 5 twice in the file
        ["区教育局", "", "经济和社会事业发展类"],  # 6 already enrolled
        ["蔡甸区民政局", "", "城市管理和执法监督类"],  # 7 not in the zone
        ["", credit_code("91420100MA4K" + "00002"), "公共服务企业类"],  # 8 nobody has this code
        ["", "", "公共服务企业类"],  # 9 neither name nor code
        ["区审计局", CODE, "经济和社会事业发展类"],  # 10 name and code disagree
        ["", CODE, "经济和社会事业发展类"],  # 11 fine, found by its code
    ]
    head = cluster.head("registry")
    dry = upload(
        cluster, "/imports/enrolments", csv_bytes(rows), campaign_id=world["campaign"], dry_run=True
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert problems(report) == {
        (3, "单位名称"),
        (4, "类别"),
        (5, "单位名称"),
        (6, "单位名称"),
        (7, "单位名称"),
        (8, "统一社会信用代码"),
        (9, "单位名称"),
        (10, "统一社会信用代码"),
    }
    reasons = {e["row"]: e["reason"] for e in report["errors"]}
    assert "已参评" in reasons[6] and "与第2行重复" in reasons[5]
    assert "经济和社会事业发展类" in reasons[4]
    assert [p["unit_name"] for p in report["preview"]] == ["区民政局", "武汉经开区政务服务中心"]
    refused = upload(cluster, "/imports/enrolments", csv_bytes(rows), campaign_id=world["campaign"])
    assert refused.status_code == 422
    assert refused.json()["errors"] == report["errors"]
    assert cluster.head("registry") == head


def test_a_credit_code_two_counties_registered_finds_the_campaigns_own_unit(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    """Registration lets 蔡甸区 register a body of the zone's code too: each county's
    import by that code means its own unit, and the city's, above both, is told to name it."""
    body = {"name": "蔡甸区政务服务中心", "kind": "other_body", "category": "x"}
    post(cluster, "/units", body | {"jurisdiction_id": world["spare"], "credit_code": CODE})
    spare = wuhan_campaign(cluster, world["spare"], "蔡甸区2017年履职尽责督促检查")
    city = wuhan_campaign(cluster, world["wuhan"], "武汉市2017年履职尽责督促检查")
    sheet = csv_bytes([["统一社会信用代码", "类别"], [CODE.lower(), "公共服务企业类"]])

    def dry_run(campaign_id: str) -> dict[str, Any]:
        response = upload(
            cluster, "/imports/enrolments", sheet, campaign_id=campaign_id, dry_run=True
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    for campaign_id, name in ((world["campaign"], "武汉经开区政务服务中心"), (spare, body["name"])):
        report = dry_run(campaign_id)
        assert report["errors"] == [], report
        assert [p["unit_name"] for p in report["preview"]] == [name]
    (ambiguous,) = dry_run(city)["errors"]
    assert (ambiguous["row"], ambiguous["column"]) == (2, "统一社会信用代码")
    assert "信用代码不唯一" in ambiguous["reason"]


def test_enrolment_needs_a_unit_column(cluster: Cluster, world: dict[str, Any]) -> None:
    data = csv_bytes([["类别"], ["经济和社会事业发展类"]])
    report = upload(
        cluster, "/imports/enrolments", data, campaign_id=world["campaign"], dry_run=True
    ).json()
    assert report["errors"] == [
        {
            "row": 1,
            "column": "单位名称",
            "reason": "缺少必填列 (required column is missing: 单位名称 或 统一社会信用代码)",
        }
    ]


def test_export_and_reimport_into_a_new_campaign(cluster: Cluster, world: dict[str, Any]) -> None:
    imported = upload(
        cluster, "/imports/enrolments", sample("wuhan_004_units.csv"), campaign_id=world["campaign"]
    )
    assert imported.status_code == 201, imported.text
    cluster.wait_caught_up("registry", "registry")
    second = wuhan_campaign(cluster, world["zone"], "2018年履职尽责督促检查", year=2018)
    for fmt, media in (("csv", "text/csv"), ("xlsx", XLSX)):
        exported = cluster["registry"].get(
            "/exports/enrolments",
            params={"campaign_id": world["campaign"], "format": fmt},
            headers=world["keys"]["auditor"],
        )
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith(media)
        dry = upload(
            cluster,
            "/imports/enrolments",
            exported.content,
            media,
            campaign_id=second,
            dry_run=True,
        ).json()
        assert (dry["rows"], dry["valid"], dry["errors"], dry["warnings"]) == (37, 37, [], [])
    again = upload(cluster, "/imports/enrolments", exported.content, XLSX, campaign_id=second)
    assert again.status_code == 201, again.text
    assert Counter(campaign(cluster, second)["enrolment_counts"]) == Counter(
        campaign(cluster, world["campaign"])["enrolment_counts"]
    )


def test_retries_scope_and_auditors(cluster: Cluster, world: dict[str, Any]) -> None:
    data = sample("wuhan_004_units.csv")
    call = {"campaign_id": world["campaign"], "idempotency": "enrol-2017"}
    first = upload(cluster, "/imports/enrolments", data, key=world["keys"]["zone"], **call)
    assert first.status_code == 201, first.text
    cluster.wait_caught_up("registry", "registry")
    head = cluster.head("registry")
    retried = upload(cluster, "/imports/enrolments", data, key=world["keys"]["zone"], **call)
    assert retried.status_code == 201, retried.text
    assert retried.json()["created"] == first.json()["created"]
    assert cluster.head("registry") == head
    for key in (world["keys"]["luohe"], world["keys"]["auditor"]):
        refused = upload(
            cluster, "/imports/enrolments", data, key=key, campaign_id=world["campaign"]
        )
        assert refused.status_code == 403
    export = cluster["registry"].get(
        "/exports/enrolments",
        params={"campaign_id": world["campaign"]},
        headers=world["keys"]["luohe"],
    )
    assert export.status_code == 403
    missing = upload(
        cluster, "/imports/enrolments", data, campaign_id="00000000-0000-0000-0000-000000000002"
    )
    assert missing.status_code == 404


def test_a_code_only_other_jurisdictions_hold_is_not_found_and_names_nothing(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    """The zone's office looks a code up among the zone's units only: units of 蔡甸区 and of
    the city holding it are neither found nor named (they were listed, by name, as why
    the code was ambiguous)."""
    other = credit_code("91420100MA4K" + "00009")
    body = {"kind": "other_body", "category": "x", "credit_code": other}
    post(cluster, "/units", body | {"jurisdiction_id": world["spare"], "name": "蔡甸区保密中心"})
    post(cluster, "/units", body | {"jurisdiction_id": world["wuhan"], "name": "武汉市保密中心"})
    cluster.wait_caught_up("registry", "registry")
    sheet = csv_bytes([["统一社会信用代码", "类别"], [other, "公共服务企业类"]])
    report = upload(
        cluster,
        "/imports/enrolments",
        sheet,
        key=world["keys"]["zone"],
        campaign_id=world["campaign"],
        dry_run=True,
    ).json()
    (error,) = report["errors"]
    assert (error["row"], error["column"]) == (2, "统一社会信用代码")
    assert "未找到该信用代码的单位" in error["reason"]
    assert "保密中心" not in str(report), report
