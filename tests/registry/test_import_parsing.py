"""Reading spreadsheets: encodings, XLSX, header variants, row numbers (no registry needed)."""

from __future__ import annotations

import codecs
import io

import openpyxl
import pytest
from pydantic import BaseModel, Field

from services.registry.domain import InvalidRegistration
from services.registry.importing.columns import CellError, Column
from services.registry.importing.rows import Row, Spec, parse_file, rejection_from
from shared.tabular import (
    CSV,
    XLSX,
    Sheet,
    UnreadableFile,
    to_csv,
    to_xlsx,
)
from tests.registry.import_helpers import csv_bytes

ROWS = [
    ["单位名称", "单位类型", "类别"],
    ["区发改局(区统计局)", "政府部门", "经济和社会事业发展类"],
    ["中国移动开发区分公司", "公共服务企业", "公共服务企业类"],
]


class Thing(BaseModel):
    name: str = Field(max_length=20)
    kind: str
    category: str
    note: str | None = None


def kind(text: str) -> str:
    if text not in ("政府部门", "公共服务企业"):
        raise CellError("unknown kind")
    return text


SPEC = Spec(
    columns=[
        Column("单位名称", "name", required=True),
        Column("单位类型", "kind", required=True, parse=kind),
        Column("类别", "category", required=True),
        Column("上级单位(名称)", "note"),
    ],
    model=Thing,
)


def names(data: bytes, content_type: str | None = CSV) -> list[tuple[int, str]]:
    parsed = parse_file(data, content_type, None, SPEC)
    assert parsed.errors == [], parsed.errors
    return [(row.number, row.values["name"]) for row in parsed.rows]


EXPECTED = [(2, "区发改局(区统计局)"), (3, "中国移动开发区分公司")]


def test_utf8_with_and_without_bom() -> None:
    plain = csv_bytes(ROWS)
    assert names(plain) == EXPECTED
    assert names(codecs.BOM_UTF8 + plain) == EXPECTED


def test_gb18030_as_written_by_chinese_excel() -> None:
    data = csv_bytes(ROWS, "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert names(data, "application/vnd.ms-excel") == EXPECTED


def test_utf16_tab_separated_unicode_text() -> None:
    text = "\r\n".join("\t".join(row) for row in ROWS)
    assert names(text.encode("utf-16"), "text/plain") == EXPECTED


def test_xlsx_first_sheet_or_a_named_one() -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["说明: 第二页是名单"])
    second = workbook.create_sheet("名单")
    for row in ROWS:
        second.append(row)
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_file(out.getvalue(), XLSX, "名单", SPEC)
    assert [(r.number, r.values["name"]) for r in parsed.rows] == EXPECTED
    assert (
        parse_file(out.getvalue(), XLSX, None, SPEC)
        .errors[0]["reason"]
        .startswith("未找到表头 (no header row found")
    )
    with pytest.raises(UnreadableFile) as missing:
        parse_file(out.getvalue(), XLSX, "没有这页", SPEC)
    assert "名单" in missing.value.reason and missing.value.field == "sheet"


def test_xlsx_is_read_as_declared_or_by_its_bytes_when_nothing_is_declared() -> None:
    data = to_xlsx(Sheet("名单", ROWS[0], ROWS[1:]))
    assert names(data, XLSX) == EXPECTED
    assert names(data, "application/octet-stream") == EXPECTED
    with pytest.raises(UnreadableFile) as caught:  # test_import_formats.py has the rest
        names(data, CSV)
    assert caught.value.field == "Content-Type"


def test_header_variants_title_rows_and_blank_rows() -> None:
    rows = [
        ["2017年度参评单位名单", "", ""],
        [],
        [" 单位名称* ", "单位类型（必填）", "类　别", "上级单位（名称）", "序号"],
        ["区教育局", "政府部门", "经济和社会事业发展类", "", "1"],
        [],
        ["区民政局", "政府部门", "经济和社会事业发展类", "区政府", "2"],
    ]
    parsed = parse_file(csv_bytes(rows), CSV, None, SPEC)
    assert parsed.errors == [] and parsed.warnings == []
    assert [(r.number, r.values["name"], r.values["note"]) for r in parsed.rows] == [
        (4, "区教育局", None),
        (6, "区民政局", "区政府"),
    ]


def test_unknown_and_repeated_columns() -> None:
    rows = [["单位名称", "单位类型", "类别", "备注", "名称"], ["区教育局", "政府部门", "x", "", ""]]
    rows[0][4] = "单位名称 "
    parsed = parse_file(csv_bytes(rows), CSV, None, SPEC)
    assert parsed.warnings == [
        {"row": 1, "column": "备注", "reason": "未知列, 已忽略 (unknown column, ignored)"}
    ]
    assert parsed.errors[0]["row"] == 1 and "twice" in parsed.errors[0]["reason"]


def test_text_in_a_column_without_a_header_is_reported_once_not_dropped_silently() -> None:
    """A note typed to the right of the table, or under a blank header cell, is not read:
    a warning per such column names the first row holding text there, without quoting it
    (it may be a contact)."""
    rows = [
        ["单位名称", "单位类型", "", "类别"],
        ["区教育局", "政府部门", "", "x"],
        ["区民政局", "政府部门", "13800138000", "x", "", "已撤并?"],
        ["区司法局", "政府部门", "又一条", "x", "", "再一条"],
    ]
    parsed = parse_file(csv_bytes(rows), CSV, None, SPEC)
    assert parsed.errors == [] and len(parsed.rows) == 3
    assert [(w["row"], w.get("column")) for w in parsed.warnings] == [(3, None), (3, None)]
    assert [
        "第3列无表头" in parsed.warnings[0]["reason"],
        "第6列无表头" in parsed.warnings[1]["reason"],
    ] == [True, True]
    assert "13800138000" not in str(parsed.warnings)


def test_cell_and_model_errors_name_row_and_column() -> None:
    rows = [*ROWS, ["名" * 21, "局", ""]]
    parsed = parse_file(csv_bytes(rows), CSV, None, SPEC)
    assert sorted((e["row"], e["column"]) for e in parsed.errors) == [
        (4, "单位名称"),
        (4, "单位类型"),
        (4, "类别"),
    ]
    by_column = {e["column"]: e for e in parsed.errors}
    assert by_column["单位类型"] == {
        "row": 4,
        "column": "单位类型",
        "reason": "unknown kind",
        "value": "局",
    }
    assert by_column["类别"]["reason"] == "必填 (required)"
    assert "20" in by_column["单位名称"]["reason"]
    assert len(parsed.rows) == 2


def test_exports_defuse_formulas_and_imports_restore_the_text() -> None:
    sheet = Sheet("名单", ROWS[0], [["=HYPERLINK(1)", "政府部门", "@类"]])
    data = to_csv(sheet)
    assert data.startswith(codecs.BOM_UTF8) and b"'=HYPERLINK" in data
    parsed = parse_file(data, CSV, None, SPEC)
    assert parsed.rows[0].values["name"] == "=HYPERLINK(1)"
    assert parsed.rows[0].values["category"] == "@类"
    xlsx = openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet)))
    cell = xlsx.worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_a_command_error_about_item_i_names_item_is_row() -> None:
    rows = [Row(2, {"name": "甲"}), Row(5, {"name": "乙"})]
    error = InvalidRegistration("the parent unit exists only from 2017-06-01", field="units.1.kind")
    assert rejection_from(error, SPEC, rows) == {
        "row": 5,
        "column": "单位类型",
        "reason": "the parent unit exists only from 2017-06-01",
    }
    assert rejection_from(InvalidRegistration("x", field="Idempotency-Key"), SPEC, rows) is None
    assert rejection_from(InvalidRegistration("x", field="units.7.kind"), SPEC, rows) is None


def test_control_characters_in_cells_are_reported_by_row_and_column() -> None:
    """Cells are request strings: the Line rule applies before any parser or lookup sees
    them, and each bad cell is its own issue."""
    rows = [
        ROWS[0],
        ["区发改局\x1b", "政府部门", "经济和社会事业发展类"],
        ["区统计局", "政府\x07部门", "经济和社会\u2028事业发展类"],
        ["区教育局", "政府部门", "经济和社会事业发展类"],
    ]
    parsed = parse_file(csv_bytes(rows), CSV, None, SPEC)
    found = {(e["row"], e["column"]): e["reason"] for e in parsed.errors}
    assert set(found) == {(2, "单位名称"), (3, "单位类型"), (3, "类别")}
    assert "U+001B" in found[(2, "单位名称")]
    assert "U+0007" in found[(3, "单位类型")]  # not "unknown kind": the parser never ran
    assert "one line" in found[(3, "类别")]
    assert [row.number for row in parsed.rows] == [4]


def test_a_line_separator_in_an_xlsx_cell_is_reported() -> None:
    """XML cannot carry most control characters, but U+2028 is legal in a workbook."""
    data = to_xlsx(Sheet("名单", ROWS[0], [["区发改局\u2028区统计局", "政府部门", "经济类"]]))
    parsed = parse_file(data, XLSX, None, SPEC)
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(2, "单位名称")]
    assert "one line" in parsed.errors[0]["reason"]
