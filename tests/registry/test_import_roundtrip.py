"""Unit exports read back: CSV with BOM and XLSX with a frozen header, Chinese intact; sub-units,
vertical management and credit codes survive the trip."""

from __future__ import annotations

import codecs
import io
from typing import Any

import openpyxl
import pytest

from services.registry.domain.credit_code import check_character
from services.registry.domain.units import china_today
from shared.tabular import XLSX
from tests.harness import ADMIN, Cluster
from tests.registry.import_helpers import (
    csv_bytes,
    import_wuhan_units,
    problems,
    two_cities,
    units_of,
    upload,
)

CODE = "91420100MA4K00003" + check_character("91420100MA4K00003")
HEADER = ["单位名称", "简称", "单位类型", "类别", "上级单位", "统一社会信用代码", "生效日期"]


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    setup = two_cities(cluster)
    import_wuhan_units(cluster, setup["zone"])
    city = csv_bytes([HEADER, ["武汉市公安局", "市公安局", "政府部门", "市直部门", "", CODE, ""]])
    assert (
        upload(cluster, "/imports/units", city, jurisdiction_id=setup["wuhan"]).status_code == 201
    )
    cluster.wait_caught_up("registry", "registry")
    return setup


def export(cluster: Cluster, jurisdiction_id: str, fmt: str, key: dict[str, str] = ADMIN) -> bytes:
    response = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": jurisdiction_id, "format": fmt}, headers=key
    )
    assert response.status_code == 200, response.text
    return response.content


def test_sub_units_find_parents_by_name_or_credit_code_here_or_above(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    rows = [
        HEADER,
        ["区国税局第一税务所", "", "基层站所", "经济和社会事业发展类", "区国税局", "", "2017/5/15"],
        ["区交管大队车管所", "", "窗口单位", "城市管理和执法监督类", CODE.lower(), "", ""],
        ["区公安分局户政科", "", "重点科室", "城市管理和执法监督类", "市公安局", "", ""],
        ["区不存在局办公室", "", "重点科室", "城市管理和执法监督类", "区不存在局", "", ""],
        ["区新设中心", "", "其它机构", "经济和社会事业发展类", "", "91420100MA4K000030", ""],
        ["区新设中心办事窗口", "", "窗口单位", "经济和社会事业发展类", "区新设中心", "", ""],
        # The city's 市公安局 holds CODE: the zone may register that body too (codes are
        # unique within a jurisdiction), so row 8 is fine.
        ["区新设所", "", "其它机构", "经济和社会事业发展类", "", CODE, ""],
        ["区新设站", "", "其它机构", "经济和社会事业发展类", "", "", "2017年13月1日"],
    ]
    dry = upload(
        cluster, "/imports/units", csv_bytes(rows), jurisdiction_id=world["zone"], dry_run=True
    ).json()
    assert problems(dry) == {
        (5, "上级单位"),
        (6, "统一社会信用代码"),
        (7, "上级单位"),
        (9, "生效日期"),
        (2, "生效日期"),  # before its parent was registered (today)
    }
    reasons = {e["row"]: e["reason"] for e in dry["errors"]}
    assert "check character" in reasons[6]
    assert "请先导入上级单位" in reasons[7]
    rows[1][-1] = china_today().isoformat()
    good = upload(cluster, "/imports/units", csv_bytes(rows[:4]), jurisdiction_id=world["zone"])
    assert good.status_code == 201, good.text
    units = {u["name"]: u for u in units_of(cluster, world["zone"])}
    parents = {u["name"]: u for u in units_of(cluster, world["wuhan"])} | units
    assert units["区国税局第一税务所"]["parent_id"] == units["区国税局"]["unit_id"]
    assert units["区交管大队车管所"]["parent_id"] == parents["武汉市公安局"]["unit_id"]
    assert units["区公安分局户政科"]["parent_id"] == parents["武汉市公安局"]["unit_id"]
    assert units["区国税局"]["vertical_superior"] == "武汉市国家税务局"
    assert units["区国税局第一税务所"]["registered_on"] == china_today().isoformat()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_back_with_no_problem(
    cluster: Cluster, world: dict[str, Any], fmt: str
) -> None:
    data = export(cluster, world["zone"], fmt, world["keys"]["auditor"])
    media = XLSX if fmt == "xlsx" else "text/csv"
    # Into a sibling district: every row is importable as it stands.
    elsewhere = upload(
        cluster, "/imports/units", data, media, jurisdiction_id=world["spare"], dry_run=True
    ).json()
    assert (elsewhere["rows"], elsewhere["valid"]) == (37, 37)
    assert elsewhere["errors"] == [] and elsewhere["warnings"] == []
    # Back into its own district: every row read, each refused only as already registered.
    here = upload(
        cluster, "/imports/units", data, media, jurisdiction_id=world["zone"], dry_run=True
    )
    reasons = {e["reason"] for e in here.json()["errors"]}
    assert len(here.json()["errors"]) == 37
    assert reasons == {"该辖区已登记同名单位 (already registered in this jurisdiction)"}
    # Importing it for real and exporting again gives the same sheet.
    assert (
        upload(cluster, "/imports/units", data, media, jurisdiction_id=world["spare"]).status_code
        == 201
    )
    cluster.wait_caught_up("registry", "registry")
    again = export(cluster, world["spare"], fmt)
    assert rows_of(again, fmt) == rows_of(data, fmt)


def rows_of(data: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_export_is_utf8_with_bom_for_excel(cluster: Cluster, world: dict[str, Any]) -> None:
    response = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": world["zone"]}, headers=world["keys"]["zone"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "序号,单位名称,简称,单位类型,类别,上级单位,垂直管理上级,统一社会信用代码,生效日期"
    )
    assert any("区环保局(区水务局、区园林和林业局)" in line for line in lines)
    assert any(",武汉市国家税务局,," in line for line in lines)


def test_xlsx_export_has_a_frozen_bold_header_and_fitting_widths(
    cluster: Cluster, world: dict[str, Any]
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export(cluster, world["zone"], "xlsx")))
    sheet = book.worksheets[0]
    assert sheet.title == "武汉开发区(汉南区)参评单位"
    assert sheet.freeze_panes == "A2"
    assert sheet["B1"].value == "单位名称" and sheet["B1"].font.bold
    assert sheet.max_row == 38
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDE"}
    assert widths["B"] > widths["A"] and widths["B"] >= 2 * len("工委(区委)宣传部")
    assert widths["B"] <= 60


def test_exports_are_scoped_and_not_for_agencies(cluster: Cluster, world: dict[str, Any]) -> None:
    outside = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": world["zone"]}, headers=world["keys"]["luohe"]
    )
    assert outside.status_code == 403
    agency = (
        cluster["registry"]
        .post("/principals", json={"name": "调查公司", "role": "agency"}, headers=ADMIN)
        .json()
    )
    cluster.wait_caught_up("registry", "registry")
    refused = cluster["registry"].get(
        "/exports/units",
        params={"jurisdiction_id": world["zone"]},
        headers={"X-API-Key": agency["api_key"]},
    )
    assert refused.status_code == 403
    bad_format = cluster["registry"].get(
        "/exports/units", params={"jurisdiction_id": world["zone"], "format": "pdf"}, headers=ADMIN
    )
    assert bad_format.status_code == 422
