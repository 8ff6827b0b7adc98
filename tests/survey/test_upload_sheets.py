"""Questionnaire uploads, what a sheet may hold besides answers (services.survey.uploads):
formula cells, the format the Content-Type names, the district and panel-member columns,
values under no header, and the column each field came from. Sheets built here, no store."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from uuid import uuid4

import openpyxl
import pytest

from services.survey.uploads import (
    SheetRejected,
    UploadLayout,
    header_key,
    layout_template,
    parse_questionnaires,
    sheet_format,
)
from shared.tabular import CSV, XLSX, UnreadableFile, UnsupportedFile
from tests.survey.test_uploads import EDU, HEADER, HEALTH, PLAIN, UNITS, csv_bytes, xlsx_bytes

ROW = ["Q-1", "2026-05-01 10:00", "P01", "测评点"]


def _with_sheet_xml(workbook: bytes, change: Any) -> bytes:
    """The workbook with its first sheet's XML passed through `change`."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode()).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return out.getvalue()


# ---------------------------------------------------------------------------- formulas


def test_a_formula_saved_without_its_value_is_a_bad_cell_not_an_unrated_unit() -> None:
    data = xlsx_bytes(
        [HEADER, ["Q-1", *ROW[1:], "=1+1", "满意", None], ["Q-2", *ROW[1:], "满意", None, None]]
    )
    sheet = parse_questionnaires(data, "问卷.xlsx", PLAIN)
    assert [(e.row, e.column, e.field, e.code, e.questionnaire_id) for e in sheet.errors] == [
        (2, "区教育局", f"ratings.{EDU}", "bad_cell", "Q-1")
    ]
    assert "formula" in sheet.errors[0].reason
    assert [n for n, _ in sheet.rows] == [3]


def test_a_row_of_formulas_only_is_reported_not_skipped_as_blank() -> None:
    data = xlsx_bytes([HEADER, ["=A1", "=B1", None, None, "=1+1"], ["Q-2", *ROW[1:], "满意"]])
    sheet = parse_questionnaires(data, "问卷.xlsx", PLAIN)
    assert [(e.row, e.column) for e in sheet.errors] == [
        (2, "问卷编号"),
        (2, "采集时间"),
        (2, "区教育局"),
    ]
    assert [n for n, _ in sheet.rows] == [3]


def test_a_formula_with_its_saved_value_reads_as_that_value() -> None:
    """As Excel saves it: the formula and the value it computed (a string result t="str",
    an empty result an empty string)."""
    data = xlsx_bytes([HEADER, ["Q-1", *ROW[1:], "=X", "=Y", "=Z"]])

    def cached(xml: str) -> str:
        xml = xml.replace(
            '<c r="E2"><f>X</f><v /></c>', '<c r="E2" t="str"><f>X</f><v>满意</v></c>'
        )
        xml = xml.replace('<c r="F2"><f>Y</f><v /></c>', '<c r="F2" t="str"><f>Y</f><v></v></c>')
        return xml.replace('<c r="G2"><f>Z</f><v /></c>', '<c r="G2" t="e"><f>Z</f><v>#N/A</v></c>')

    sheet = parse_questionnaires(_with_sheet_xml(data, cached), "问卷.xlsx", PLAIN)
    assert [(e.row, e.column, e.code) for e in sheet.errors] == [
        (2, "国网供电公司(开发区)", "bad_cell")
    ]
    assert "#N/A" in sheet.errors[0].reason  # an error value is no answer either


def test_a_formula_under_no_header_is_reported_by_its_column_letter() -> None:
    data = xlsx_bytes([[*HEADER, None], ["Q-1", *ROW[1:], "满意", None, None, "=1+1"]])
    sheet = parse_questionnaires(data, "问卷.xlsx", PLAIN)
    assert [(e.row, e.column, e.code) for e in sheet.errors] == [(2, "H", "bad_cell")]


def test_a_value_under_a_column_without_a_header_is_reported() -> None:
    rows = [[*HEADER, "", "序号"], ["Q-1", *ROW[1:], "满意", "", "", "备注", "1"]]
    sheet = parse_questionnaires(csv_bytes(rows), "问卷.csv", PLAIN)
    assert [(e.row, e.column, e.code) for e in sheet.errors] == [(2, "H", "bad_cell")]
    assert "without a header" in sheet.errors[0].reason


# ---------------------------------------------------------------------------- format


@pytest.mark.parametrize(
    ("content_type", "data", "filename", "expected"),
    [
        ("text/csv; charset=utf-8", b"a,b\n", None, CSV),
        ("text/plain", b"a,b\n", "x.xlsx", CSV),  # the Content-Type names it: not the name
        ("application/octet-stream", b"a,b\n", "x.csv", CSV),
        (None, b"a,b\n", None, CSV),
        ("application/vnd.ms-excel", b"a,b\n", "x.csv", CSV),  # what Windows calls a .csv
        # curl --data-binary without -H, as the README's example sends an upload
        ("application/x-www-form-urlencoded", b"a,b\n", "x.csv", CSV),
    ],
)
def test_the_content_type_names_the_format(
    content_type: str | None, data: bytes, filename: str | None, expected: str
) -> None:
    assert sheet_format(data, content_type, filename).kind == expected


def test_a_declared_charset_is_how_the_text_is_read() -> None:
    """GB18030 text declared as such reads as Chinese; declared UTF-8, it is refused rather
    than read as something else behind the sender's back."""
    rows = [["问卷编号", "采集时间", "舞阳县政务服务中心"], ["C-1", "2026-05-12 10:30", "满意"]]
    data = "\n".join(",".join(row) for row in rows).encode("gb18030")
    table = sheet_format(data, "text/csv; charset=GB18030", None)
    assert (table.kind, table.encoding) == (CSV, "gb18030")
    with pytest.raises(UnreadableFile) as caught:
        parse_questionnaires(data, None, PLAIN, "text/csv; charset=utf-8")
    assert caught.value.field == "Content-Type"


def test_a_workbook_is_read_as_one_when_the_content_type_says_so_or_says_nothing() -> None:
    data = layout_template(PLAIN, "xlsx")
    assert sheet_format(data, XLSX, None).kind == XLSX
    assert sheet_format(data, "application/octet-stream", None).kind == XLSX
    with pytest.raises(UnreadableFile) as caught:
        sheet_format(data, "text/csv", None)
    assert caught.value.field == "Content-Type"
    with pytest.raises(UnreadableFile):
        sheet_format(b"a,b\n", XLSX, None)


@pytest.mark.parametrize("content_type", ["application/pdf", "application/json", "image/png"])
def test_another_content_type_is_415(content_type: str) -> None:
    with pytest.raises(UnsupportedFile) as caught:
        parse_questionnaires(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", None, PLAIN, content_type)
    assert caught.value.status_code == 415
    assert caught.value.body()["detail"][0]["field"] == "Content-Type"


# ---------------------------------------------------------------------------- district, panel


COUNTY, OTHER, TWIN_A, TWIN_B = (str(uuid4()) for _ in range(4))
DISTRICTS = UploadLayout(
    units=UNITS[:2],
    dimensions=[],
    opinions=False,
    recommendations=False,
    district=True,
    districts={
        header_key("舞阳县"): [COUNTY],
        header_key("临颍县"): [OTHER],
        header_key("城关镇"): [TWIN_A, TWIN_B],
    },
)
PANEL = UploadLayout(
    units=UNITS[:2], dimensions=[], opinions=False, recommendations=False, panel=True
)


def _header(layout: UploadLayout) -> list[str]:
    return layout_template(layout, "csv").decode("utf-8-sig").strip().split(",")


def test_the_template_has_a_district_column_when_the_wave_asks_for_it() -> None:
    assert _header(DISTRICTS) == [
        *("问卷编号", "采集时间", "测评点", "渠道", "群体", "设备", "区县"),
        *("区教育局", "区卫健委"),
    ]
    assert "区县" not in _header(PLAIN) and "评议代表" not in _header(PLAIN)


def test_districts_by_id_or_by_name() -> None:
    rows = [
        _header(DISTRICTS),
        ["Q-1", "2026-05-01 10:00", "", "", "", "", OTHER.upper(), "满意", ""],
        ["Q-2", "2026-05-01 10:00", "", "", "", "", " 舞阳县 ", "满意", ""],
        ["Q-3", "2026-05-01 10:00", "", "", "", "", "城关镇", "满意", ""],
        ["Q-4", "2026-05-01 10:00", "", "", "", "", "火星县", "满意", ""],
        ["Q-5", "2026-05-01 10:00", "", "", "", "", "", "满意", ""],
    ]
    sheet = parse_questionnaires(csv_bytes(rows), "问卷.csv", DISTRICTS)
    assert [(n, q["district_id"]) for n, q in sheet.rows] == [(2, OTHER), (3, COUNTY)]
    assert [(e.row, e.column, e.field, e.code) for e in sheet.errors] == [
        (4, "区县", "district_id", "district"),
        (5, "区县", "district_id", "district"),
        (6, "区县", "district_id", "missing_value"),
    ]
    assert "several" in sheet.errors[0].reason and "not a jurisdiction" in sheet.errors[1].reason


def test_the_district_column_is_required_when_the_wave_asks_for_it() -> None:
    rows = [["问卷编号", "采集时间", "区教育局"], ["Q-1", "2026-05-01 10:00", "满意"]]
    with pytest.raises(SheetRejected) as caught:
        parse_questionnaires(csv_bytes(rows), "问卷.csv", DISTRICTS)
    assert [(p["column"], p["code"]) for p in caught.value.problems] == [("区县", "missing_column")]


def test_a_representative_evaluation_has_a_panel_member_column() -> None:
    header = _header(PANEL)
    assert header[6] == "评议代表"
    member = str(uuid4())
    rows = [
        header,
        ["Q-1", "2026-05-01 10:00", "", "", "", "", member, "满意", "基本满意"],
        ["Q-2", "2026-05-01 10:00", "", "", "", "", "", "满意", ""],
    ]
    sheet = parse_questionnaires(csv_bytes(rows), "问卷.csv", PANEL)
    assert [(n, q["respondent_id"], q["ratings"]) for n, q in sheet.rows] == [
        (2, member, {EDU: "满意", HEALTH: "基本满意"})
    ]
    assert [(e.row, e.column, e.field, e.code) for e in sheet.errors] == [
        (3, "评议代表", "respondent_id", "missing_value")
    ]


# ---------------------------------------------------------------------------- columns


def test_each_field_is_traced_to_the_column_it_came_from() -> None:
    full = UploadLayout(
        units=UNITS[:2],
        dimensions=[("attitude", "服务态度")],
        opinions=True,
        recommendations=True,
    )
    header = [
        "问卷编号",
        "采集时间",
        "区卫健委|意见建议",
        "区教育局",
        "意见建议",
        "推荐重点评议对象",
    ]
    row = ["Q-1", "2026-05-01 10:00", "太慢", "满意", "总体好", "区教育局"]
    sheet = parse_questionnaires(csv_bytes([header, row]), "问卷.csv", full)
    assert sheet.errors == []
    [(_, item)] = sheet.rows
    assert [o["text"] for o in item["opinions"]] == ["总体好", "太慢"]
    assert sheet.column(2, f"ratings.{EDU}") == "区教育局"
    assert sheet.column(2, "collected_at") == "采集时间"
    assert sheet.column(2, "opinions.0.text") == "意见建议"
    assert sheet.column(2, "opinions.1.unit_id") == "区卫健委|意见建议"
    assert sheet.column(2, "recommended_key_targets.0") == "推荐重点评议对象"
    assert sheet.column(2, "ratings") is None
    assert sheet.column(2, f"ratings.{HEALTH}") is None  # a unit of no column


def test_a_text_cell_starting_with_equals_is_text_not_a_formula() -> None:
    """A text cell that merely starts with "=" (as exports store them) is text, not a
    formula: it is read as typed."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["Q-1", *ROW[1:], "满意"])
    sheet["C2"].value = "=P01"
    sheet["C2"].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    parsed = parse_questionnaires(out.getvalue(), "问卷.xlsx", PLAIN)
    assert parsed.errors == []
    assert parsed.rows[0][1]["survey_point"] == "=P01"
