"""参评单位 import through the API in memory mode: samples, dry run, errors, retry, scope."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from services.registry.importing.rows import MAX_BYTES, MAX_ROWS
from shared.tabular import XLSX
from tests.harness import Cluster
from tests.registry.import_helpers import (
    DATA,
    csv_bytes,
    media_type,
    problems,
    sample,
    two_cities,
    units_of,
    upload,
)

HEADER = ["序号", "单位名称", "单位类型", "类别"]


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    return two_cities(cluster)


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("luohe_000_units.csv", "luohe", {"政府部门及其它机构": 53, "公共服务行业": 27}),
        ("luohe_000_units.xlsx", "luohe", {"政府部门及其它机构": 53, "公共服务行业": 27}),
        (
            "wuhan_004_units.csv",
            "zone",
            {"经济和社会事业发展类": 18, "城市管理和执法监督类": 11, "公共服务企业类": 8},
        ),
        (
            "wuhan_004_units.xlsx",
            "zone",
            {"经济和社会事业发展类": 18, "城市管理和执法监督类": 11, "公共服务企业类": 8},
        ),
    ],
)
def test_the_samples_import_with_their_categories(
    cluster: Cluster, world: dict[str, Any], name: str, city: str, expected: dict[str, int]
) -> None:
    response = upload(
        cluster,
        "/imports/units",
        sample(name),
        media_type(name),
        key=world["keys"][city],
        jurisdiction_id=world[city],
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["errors"] == [] and report["rows"] == sum(expected.values())
    assert len(report["created"]) == sum(expected.values())
    assert report["created"][0]["row"] == 2
    units = units_of(cluster, world[city])
    assert Counter(u["category"] for u in units) == expected
    assert {u["unit_id"] for u in units} == {c["id"] for c in report["created"]}


def test_the_seed_004_units_keep_their_bracketed_co_units(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    response = upload(
        cluster,
        "/imports/units",
        sample("wuhan_004_units.csv"),
        key=world["keys"]["zone"],
        jurisdiction_id=world["zone"],
    )
    assert response.status_code == 201, response.text
    names = {u["name"] for u in units_of(cluster, world["zone"])}
    assert {
        "区财政局",
        "区财政局(区金融工作局)",
        "区环保局",
        "区环保局(区水务局、区园林和林业局)",
    } <= names
    kinds = {u["name"]: u["kind"] for u in units_of(cluster, world["zone"])}
    assert kinds["中国移动开发区分公司"] == "public_service_enterprise"
    assert kinds["区供销联社"] == "other_body"


def test_a_dry_run_reports_and_imports_nothing(cluster: Cluster, world: dict[str, Any]) -> None:
    cluster.wait_caught_up("registry", "registry")
    head = cluster.head("registry")
    response = upload(
        cluster,
        "/imports/units",
        sample("luohe_000_units.xlsx"),
        XLSX,
        key=world["keys"]["luohe"],
        jurisdiction_id=world["luohe"],
        dry_run=True,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert (report["rows"], report["valid"], report["errors"]) == (80, 80, [])
    assert report["preview"][0] == report["preview"][0] | {
        "row": 2,
        "name": "发展改革委(含物价)",
        "kind": "government_department",
        "category": "政府部门及其它机构",
    }
    assert "created" not in report
    assert cluster.head("registry") == head
    assert units_of(cluster, world["luohe"]) == []


def test_every_bad_row_is_reported_and_nothing_is_imported(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    data = (DATA / "units_bad.csv").read_bytes()
    dry = upload(
        cluster, "/imports/units", data, jurisdiction_id=world["luohe"], dry_run=True
    ).json()
    head = cluster.head("registry")
    refused = upload(cluster, "/imports/units", data, jurisdiction_id=world["luohe"])
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "import_rejected"
    assert body["errors"] == dry["errors"] and body["dry_run"] is False
    assert {(d["row"], d["field"]) for d in body["detail"]} == problems(dry)
    assert cluster.head("registry") == head
    assert problems(dry) == {
        (3, "单位名称"),  # blank
        (4, "单位类型"),  # unknown kind
        (5, "类别"),  # blank
        (6, "单位名称"),  # same as row 2
        (7, "单位名称"),  # longer than 200 characters
        (8, "单位类型"),  # unknown kind and ...
        (8, "类别"),  # ... blank category in the same row: both reported
    }
    reasons = {(e["row"], e["column"]): e["reason"] for e in dry["errors"]}
    assert "未知单位类型" in reasons[(4, "单位类型")]
    assert "与第2行重复" in reasons[(6, "单位名称")]
    assert "200" in reasons[(7, "单位名称")]
    assert (dry["rows"], dry["valid"]) == (8, 2)
    assert [w["column"] for w in dry["warnings"]] == ["备注"]


def test_a_control_character_in_a_cell_is_a_bad_cell_like_any_other(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    rows = [
        HEADER,
        ["1", "区发改局", "政府部门", "经济类"],
        ["2", "区统计\x1b局", "政府部门", "经济类"],
    ]
    data = csv_bytes(rows)
    dry = upload(cluster, "/imports/units", data, jurisdiction_id=world["luohe"], dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["rows"], dry.json()["valid"]) == (2, 1)
    [bad] = dry.json()["errors"]
    assert (bad["row"], bad["column"], bad["value"]) == (3, "单位名称", "区统计\x1b局")
    assert "control characters" in bad["reason"]
    refused = upload(cluster, "/imports/units", data, jurisdiction_id=world["luohe"])
    assert refused.status_code == 422
    assert refused.json()["errors"] == dry.json()["errors"]
    assert units_of(cluster, world["luohe"]) == []


def test_a_missing_required_column_is_reported_once(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    rows = [["单位名称", "类别"], *([f"单位{i}", "政府部门及其它机构"] for i in range(5))]
    report = upload(
        cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["luohe"], dry_run=True
    ).json()
    assert report["errors"] == [
        {"row": 1, "column": "单位类型", "reason": "缺少必填列 (required column is missing)"}
    ]
    assert report["valid"] == 0


def test_units_already_registered_here_are_refused(cluster: Cluster, world: dict[str, Any]) -> None:
    rows = [HEADER, ["1", "教育", "政府部门", "政府部门及其它机构"]]
    first = upload(cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["luohe"])
    assert first.status_code == 201, first.text
    cluster.wait_caught_up("registry", "registry")
    again = upload(cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["luohe"])
    assert again.status_code == 422
    assert "该辖区已登记同名单位" in again.json()["errors"][0]["reason"]
    elsewhere = upload(cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["zone"])
    assert elsewhere.status_code == 201, elsewhere.text


def test_a_retried_import_with_the_same_key_returns_the_first_result(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    call = {
        "key": world["keys"]["zone"],
        "jurisdiction_id": world["zone"],
        "idempotency": "wuhan-units-2017",
    }
    first = upload(cluster, "/imports/units", sample("wuhan_004_units.csv"), **call)
    assert first.status_code == 201, first.text
    cluster.wait_caught_up("registry", "registry")
    head = cluster.head("registry")
    retried = upload(cluster, "/imports/units", sample("wuhan_004_units.csv"), **call)
    assert retried.status_code == 201, retried.text
    assert retried.json()["created"] == first.json()["created"]
    assert cluster.head("registry") == head
    assert len(units_of(cluster, world["zone"])) == 37
    other = csv_bytes([HEADER, ["1", "区新设局", "政府部门", "经济和社会事业发展类"]])
    clash = upload(cluster, "/imports/units", other, **call)
    assert clash.status_code == 409
    assert clash.json()["detail"][0]["field"] == "Idempotency-Key"


def test_offices_import_only_in_scope_and_auditors_not_at_all(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    data = sample("wuhan_004_units.csv")
    outside = upload(
        cluster, "/imports/units", data, key=world["keys"]["zone"], jurisdiction_id=world["spare"]
    )
    assert outside.status_code == 403
    assert outside.json()["detail"][0]["field"] == "jurisdiction_id"
    for dry_run in (True, False):
        refused = upload(
            cluster,
            "/imports/units",
            data,
            key=world["keys"]["auditor"],
            jurisdiction_id=world["zone"],
            dry_run=dry_run,
        )
        assert refused.status_code == 403
    city = upload(
        cluster, "/imports/units", data, key=world["keys"]["wuhan"], jurisdiction_id=world["zone"]
    )
    assert city.status_code == 201, city.text


def test_unknown_jurisdictions_are_not_found(cluster: Cluster, world: dict[str, Any]) -> None:
    response = upload(
        cluster,
        "/imports/units",
        sample("wuhan_004_units.csv"),
        jurisdiction_id="00000000-0000-0000-0000-000000000001",
    )
    assert response.status_code == 404
    assert response.json()["detail"][0]["field"] == "jurisdiction_id"


def test_files_over_the_limits_are_refused_with_json(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    big = b"\xef\xbb\xbf" + b"x" * (MAX_BYTES + 1)
    too_big = upload(cluster, "/imports/units", big, jurisdiction_id=world["luohe"])
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "file_too_large"
    anonymous = upload(cluster, "/imports/units", big, key={}, jurisdiction_id=world["luohe"])
    assert anonymous.status_code == 401  # who is asking comes before reading what they send
    many = csv_bytes(
        [
            HEADER,
            *([str(i), f"单位{i}", "政府部门", "政府部门及其它机构"] for i in range(MAX_ROWS + 1)),
        ]
    )
    too_many = upload(cluster, "/imports/units", many, jurisdiction_id=world["luohe"], dry_run=True)
    assert too_many.status_code == 413
    assert too_many.json()["error"] == "too_many_rows"


def test_legacy_xls_and_other_types_are_refused(cluster: Cluster, world: dict[str, Any]) -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    legacy = upload(
        cluster, "/imports/units", xls, "application/vnd.ms-excel", jurisdiction_id=world["luohe"]
    )
    assert legacy.status_code == 415
    assert ".xlsx" in legacy.json()["detail"][0]["reason"]
    json_body = upload(
        cluster, "/imports/units", b'{"a": 1}', "application/json", jurisdiction_id=world["luohe"]
    )
    assert json_body.status_code == 415
    fake = upload(cluster, "/imports/units", b"not a zip", XLSX, jurisdiction_id=world["luohe"])
    assert fake.status_code == 422
    assert fake.json()["error"] == "unreadable_file"


def test_a_gb18030_csv_from_chinese_excel_imports(cluster: Cluster, world: dict[str, Any]) -> None:
    text = sample("luohe_000_units.csv").decode("utf-8")
    response = upload(
        cluster,
        "/imports/units",
        text.encode("gb18030"),
        "application/vnd.ms-excel",
        jurisdiction_id=world["luohe"],
    )
    assert response.status_code == 201, response.text
    names = {u["name"] for u in units_of(cluster, world["luohe"])}
    assert {"发展改革委(含物价)", "农业(扶贫办)", "中石化"} <= names


def test_the_import_endpoints_are_documented(cluster: Cluster) -> None:
    spec = cluster["registry"].get("/openapi.json").json()
    body = spec["paths"]["/imports/units"]["post"]["requestBody"]["content"]
    assert set(body) == {"text/csv", XLSX}
    for path in ("/imports/enrolments", "/imports/representatives"):
        assert spec["paths"][path]["post"]["description"]
    for path in ("/exports/units", "/exports/enrolments", "/exports/representatives"):
        assert "导出" in spec["paths"][path]["get"]["description"]
