"""What a workbook's sheet says besides its values, as the kernel's reader reads it
(`shared.tabular.sheets`): merged cells, cells whose value cannot be read, where the rows
end whatever the sheet's dimension claims, hidden sheets, which sheets a workbook has; and a
CSV separated by semicolons. Each is what a county office's spreadsheet holds."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from contextlib import closing

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from shared.tabular import (
    CSV,
    FORMULA_WITHOUT_VALUE,
    XLSX,
    RawRow,
    SheetInfo,
    UnreadableFile,
    header_elsewhere,
    iter_rows,
    read_rows,
    sheet_names,
)

HEADER = ["区县", "单位名称", "类别"]


def saved(build: Callable[[Workbook], None]) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table(data: bytes, sheet: str | None = None) -> list[tuple[int, list[str]]]:
    rows, more = read_rows(data, XLSX, sheet, 1000)
    assert not more
    return [(row.number, row.cells) for row in rows]


def rewritten(data: bytes, edit: Callable[[str], str]) -> bytes:
    """The workbook with its first sheet's XML edited as some other writer would save it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = edit(body.decode()).encode()
            target.writestr(item, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def merged_county(book: Workbook) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年参评单位名单"])
    sheet.append(HEADER)
    sheet.append(["临颍县", "县教育局", "社会类"])
    sheet.append([None, "县民政局", "社会类"])
    sheet.append([None, "县供电公司", "公共服务企业类"])
    sheet.append(["舞阳县", "县教育局", "社会类"])
    sheet.append([None, "县卫健委", "社会类"])
    sheet.merge_cells("A1:C1")  # a title across the table: one cell, not three
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("A6:A7")


def test_a_county_merged_down_over_its_units_is_each_rows_county() -> None:
    assert table(saved(merged_county)) == [
        (1, ["2026年参评单位名单"]),
        (2, HEADER),
        (3, ["临颍县", "县教育局", "社会类"]),
        (4, ["临颍县", "县民政局", "社会类"]),
        (5, ["临颍县", "县供电公司", "公共服务企业类"]),
        (6, ["舞阳县", "县教育局", "社会类"]),
        (7, ["舞阳县", "县卫健委", "社会类"]),
    ]


def test_a_blank_row_under_a_merge_stays_blank_and_a_merge_is_filled_in_its_first_column_only() -> (
    None
):
    def build(book: Workbook) -> None:
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(["临颍县", None, "社会类"])
        sheet.append([None, None, None])
        sheet.append([None, None, "社会类"])
        sheet.merge_cells("A2:B4")  # two columns, three rows: the county is column A's

    assert table(saved(build)) == [
        (1, HEADER),
        (2, ["临颍县", "", "社会类"]),
        (4, ["临颍县", "", "社会类"]),
    ]


def test_a_formula_saved_without_its_value_and_an_error_value_are_named_not_read_as_text() -> None:
    def build(book: Workbook) -> None:
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(["临颍县", "县教育局", '="社会"&"类"'])  # openpyxl saves no value
        sheet.append(["临颍县", "=A2", "社会类"])
        sheet.append(["临颍县", "县民政局", "社会类"])

    def error_value(xml: str) -> str:
        cell = re.search(r'<c r="C4"[^>]*>.*?</c>', xml)
        assert cell is not None
        return xml.replace(cell.group(0), '<c r="C4" t="e"><v>#N/A</v></c>')

    with closing(iter_rows(rewritten(saved(build), error_value), XLSX)) as rows:
        found = {row.number: (row.cells, dict(row.unreadable)) for row in rows}
    assert found[2] == (["临颍县", "县教育局"], {2: FORMULA_WITHOUT_VALUE})
    assert found[3] == (["临颍县", "", "社会类"], {1: FORMULA_WITHOUT_VALUE})
    assert found[4][1] == {2: "单元格是错误值 #N/A (the cell holds an error value)"}
    assert not RawRow(5, [], {0: FORMULA_WITHOUT_VALUE}).blank  # a row of formulas is a row


def test_every_row_is_read_when_the_sheets_dimension_claims_fewer() -> None:
    def build(book: Workbook) -> None:
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        for n in range(1, 6):
            sheet.append(["临颍县", f"单位{n}", "社会类"])

    def claims_two_rows(xml: str) -> str:
        return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C2"/>', xml)

    data = rewritten(saved(build), claims_two_rows)
    assert [number for number, _ in table(data)] == [1, 2, 3, 4, 5, 6]


FORMATTED = 200_000
"""Formatted empty rows below the table (an office formats whole columns down to the end of
the sheet, 1,048,576 rows; fewer keep the test quick, and still span several chunks)."""


def formatted_down(rows_below: int, last: list[str] | None = None) -> bytes:
    def build(book: Workbook) -> None:
        sheet = book.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(["临颍县", "县教育局", "社会类"])

    end = rows_below + 2

    def formatted(xml: str) -> str:
        empty = "".join(f'<row r="{n}" s="1" customFormat="1" ht="15"/>' for n in range(3, end + 1))
        if last is not None:
            cells = "".join(
                f'<c r="{letter}{end + 1}" t="inlineStr"><is><t>{text}</t></is></c>'
                for letter, text in zip("ABC", last, strict=False)
            )
            empty += f'<row r="{end + 1}">{cells}</row>'
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C1048576"/>', xml)
        return xml.replace("</sheetData>", empty + "</sheetData>")

    return rewritten(saved(build), formatted)


def test_formatted_empty_rows_to_the_end_of_the_sheet_are_not_read_one_by_one() -> None:
    data = formatted_down(FORMATTED)
    with closing(iter_rows(data, XLSX)) as rows:
        numbers = [row.number for row in rows]
    assert numbers == [1, 2]  # not 200,002 rows parsed and padded to 60 cells each


def test_a_row_after_formatted_empty_rows_is_still_read() -> None:
    data = formatted_down(FORMATTED, last=["舞阳县", "县卫健委", "社会类"])
    assert table(data) == [
        (1, HEADER),
        (2, ["临颍县", "县教育局", "社会类"]),
        (FORMATTED + 3, ["舞阳县", "县卫健委", "社会类"]),
    ]


def two_sheets(first_hidden: bool) -> bytes:
    def build(book: Workbook) -> None:
        notes = book.active
        assert notes is not None
        notes.title = "说明"
        notes.append(["填表说明：每行一个参评单位"])
        listed = book.create_sheet("单位名单")
        listed.append(HEADER)
        listed.append(["临颍县", "县教育局", "社会类"])
        book.create_sheet("字典").append(["社会类", "经济类"])
        if first_hidden:
            notes.sheet_state = "hidden"
            book.active = 1

    return saved(build)


def test_a_hidden_first_sheet_is_refused_naming_the_sheets_not_read_behind_the_offices_back() -> (
    None
):
    data = two_sheets(first_hidden=True)
    with pytest.raises(UnreadableFile) as refused:
        read_rows(data, XLSX, None, 10)
    assert refused.value.field == "sheet"
    assert "'说明' is hidden" in refused.value.reason
    assert "说明、单位名单、字典" in refused.value.reason
    assert table(data, "单位名单")[1] == (2, ["临颍县", "县教育局", "社会类"])


def has_header(rows: list[RawRow]) -> bool:
    return any("单位名称" in row.cells for row in rows)


def test_the_sheets_a_workbook_has_and_the_one_whose_header_is_expected() -> None:
    data = two_sheets(first_hidden=False)
    assert sheet_names(data) == [
        SheetInfo("说明", False),
        SheetInfo("单位名单", False),
        SheetInfo("字典", False),
    ]
    said = header_elsewhere(data, None, has_header)
    assert "说明、单位名单、字典" in said
    # One Chinese sentence, then one English bracket: not the caller's bracket and another.
    assert said.endswith(
        "; 表头在工作表“单位名单”中，请用 sheet 参数指定 "
        "(the header is on that sheet: name it with the `sheet` parameter)"
    )
    moved = header_elsewhere(
        data, None, has_header, choose="请将其移为第一个工作表 (move it first)"
    )
    assert moved.endswith("中，请将其移为第一个工作表 (the header is on that sheet: move it first)")
    assert header_elsewhere(data, "单位名单", has_header).count("表头在") == 0
    one_sheet = saved(merged_county)
    assert header_elsewhere(one_sheet, None, has_header) == ""
    assert header_elsewhere(b"a,b\r\n", None, has_header) == ""


def test_a_csv_separated_by_semicolons_is_read_by_its_columns() -> None:
    """Excel where the decimal mark is a comma saves "CSV" with semicolons."""
    text = '单位名称;类别;备注\r\n县教育局;社会类;"甲,乙"\r\n县民政局;社会类;\r\n'
    rows, _ = read_rows(text.encode("gb18030"), CSV, None, 10)
    assert [row.cells for row in rows] == [
        ["单位名称", "类别", "备注"],
        ["县教育局", "社会类", "甲,乙"],
        ["县民政局", "社会类", ""],
    ]
    commas = '单位名称,推荐对象\r\n县教育局,"甲;乙;丙"\r\n'.encode()
    rows, _ = read_rows(commas, CSV, None, 10)
    assert rows[1].cells == ["县教育局", "甲;乙;丙"]
