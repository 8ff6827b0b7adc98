"""What a county office's workbook holds besides a plain table, as an import reads it
(services.registry.importing.rows over the kernel's reader): an instructions sheet first,
a county merged down over its units' rows, a formula saved without its value."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.workbook.workbook import Workbook

from services.registry.importing.rows import parse_file
from shared.tabular import XLSX
from tests.registry.test_import_parsing import SPEC

HEADER = ["单位名称", "单位类型", "类别", "上级单位(名称)"]


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_instructions_first() -> bytes:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["填表说明：每行一个参评单位，单位类型填 政府部门 或 公共服务企业"])
    listed = book.create_sheet("单位名单")
    listed.append(HEADER)
    listed.append(["区教育局", "政府部门", "社会类"])
    return saved(book)


def test_no_header_on_the_first_sheet_names_the_workbooks_sheets_and_the_one_with_it() -> None:
    parsed = parse_file(with_instructions_first(), XLSX, None, SPEC)
    (refusal,) = parsed.errors
    assert "未找到表头" in refusal["reason"]
    assert "说明、单位名单" in refusal["reason"]
    assert "表头在工作表“单位名单”中" in refusal["reason"]
    assert "sheet" in refusal["reason"]
    chosen = parse_file(with_instructions_first(), XLSX, "单位名单", SPEC)
    assert chosen.errors == []
    assert [row.values["name"] for row in chosen.rows] == ["区教育局"]


def test_a_value_merged_down_is_each_rows_and_a_formula_without_value_is_reported() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["区教育局", "政府部门", "社会类", "区政府"])
    sheet.append(["区民政局", "政府部门", None, None])
    sheet.append(["区供电公司", "公共服务企业", "公共服务企业类", '="区"&"国资委"'])
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:D3")
    parsed = parse_file(saved(book), XLSX, None, SPEC)
    assert [(row.number, row.values["category"], row.values["note"]) for row in parsed.rows] == [
        (2, "社会类", "区政府"),
        (3, "社会类", "区政府"),
    ]
    assert [(e["row"], e["column"]) for e in parsed.errors] == [(4, "上级单位(名称)")]
    assert "formula" in parsed.errors[0]["reason"]
