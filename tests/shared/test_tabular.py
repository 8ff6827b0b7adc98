"""The kernel's table reader and writer (shared.tabular): encodings, XLSX, damaged files,
limits. What columns mean is each service's business and tested there."""

from __future__ import annotations

import codecs
import io
import zipfile
from contextlib import closing
from datetime import date

import openpyxl
import pytest

from shared.tabular import (
    CSV,
    MAX_UNPACKED,
    XLSX,
    FileTooLarge,
    Sheet,
    UnreadableFile,
    UnsupportedFile,
    cell_text_problem,
    check_size,
    decode_text,
    file_kind,
    iter_rows,
    read_rows,
    to_csv,
    to_xlsx,
    unquote,
)

ROWS = [["单位名称", "类别"], ["区发改局(区统计局)", "经济类"], ["区教育局", "社会类"]]


def csv_text(rows: list[list[str]]) -> str:
    return "\r\n".join(",".join(row) for row in rows) + "\r\n"


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cells(
    data: bytes, content_type: str | None = CSV, max_columns: int = 60
) -> list[tuple[int, list[str]]]:
    rows, more = read_rows(data, content_type, None, 100, max_columns=max_columns)
    assert not more
    return [(row.number, row.cells) for row in rows]


@pytest.mark.parametrize(
    "encoded",
    [
        csv_text(ROWS).encode("utf-8"),
        codecs.BOM_UTF8 + csv_text(ROWS).encode("utf-8"),
        csv_text(ROWS).encode("gb18030"),
        csv_text(ROWS).replace(",", "\t").encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-tab"],
)
def test_csv_in_every_encoding_excel_writes(encoded: bytes) -> None:
    assert cells(encoded) == [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]


def test_gb18030_is_not_utf8_and_still_reads() -> None:
    data = "问卷编号,满意\r\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == "问卷编号,满意\r\n"


def test_blank_rows_keep_their_numbers_and_trailing_blank_rows_vanish() -> None:
    data = csv_text([ROWS[0], [], ROWS[1], [], [",,"], []]).encode()
    assert cells(data) == [(1, ROWS[0]), (3, ROWS[1])]
    numbered = list(iter_rows(data, CSV))
    assert [row.number for row in numbered if not row.blank] == [1, 3]


def test_typed_xlsx_cells_read_as_typed_text() -> None:
    # A date typed in Excel: a date-formatted cell (openpyxl formats a `date` so).
    data = workbook([["a", "b", "c", "d", "e"], [2017, "政府部门", 1.5, date(2017, 5, 15), True]])
    rows, _ = read_rows(data, XLSX, None, 10)
    assert rows[1].cells == ["2017", "政府部门", "1.5", "2017-05-15", "是"]


def test_a_number_past_excels_fifteen_digits_reads_as_excel_shows_it() -> None:
    """A credit code typed into a number cell is stored as a double: its last digits are
    gone from the file, so it must not read as other digits that look typed."""
    data = workbook([["代码", "号码", "整"], [914403001234567890.0, 138001380001234.0, 1e16]])
    rows, _ = read_rows(data, XLSX, None, 10)
    assert rows[1].cells == ["9.14403E+17", "138001380001234", "1E+16"]


def test_wide_sheets_read_as_many_columns_as_asked() -> None:
    wide = [[f"列{i}" for i in range(200)], [str(i) for i in range(200)]]
    for data in (workbook(list(wide)), csv_text(wide).encode()):
        assert len(cells(data, content_type=None)[1][1]) == 60
        assert len(cells(data, content_type=None, max_columns=300)[1][1]) == 200


def test_the_kind_comes_from_the_bytes_then_the_name_then_the_media_type() -> None:
    xlsx = to_xlsx(Sheet("名单", ROWS[0], ROWS[1:]))
    assert file_kind(xlsx, CSV) == XLSX
    assert file_kind(xlsx, None, "名单.csv") == XLSX
    assert file_kind(b"a,b", None, "名单.CSV") == CSV
    assert file_kind(b"a,b", "application/vnd.ms-excel") == CSV
    with pytest.raises(UnreadableFile):
        file_kind(b"a,b", None, "名单.xlsx")
    with pytest.raises(UnsupportedFile):
        file_kind(b"a,b", None, "名单.xls")
    with pytest.raises(UnsupportedFile):
        file_kind(b"%PDF-1.4", None, "名单.pdf")
    with pytest.raises(UnsupportedFile):
        file_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", None, "名单.xlsx")


def test_empty_files_and_foreign_types() -> None:
    with pytest.raises(UnreadableFile):
        read_rows(b"  \r\n", CSV, None, 10)
    with pytest.raises(UnsupportedFile):
        read_rows(b"<html></html>", "text/html", None, 10)
    with pytest.raises(UnreadableFile):
        read_rows(b"\x81\x30\xff\xff", CSV, None, 10)
    with pytest.raises(UnreadableFile):
        read_rows(b"a,b\x00", CSV, None, 10)


def test_a_workbook_that_unpacks_into_too_much_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_UNPACKED + 1))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(FileTooLarge):
        read_rows(out.getvalue(), XLSX, None, 10)


def test_damaged_workbooks_are_unreadable_not_server_errors() -> None:
    whole = workbook([[f"单位{i:04d}", f"类别{i * 7919 % 1000}"] for i in range(300)])
    with pytest.raises(UnreadableFile):
        read_rows(whole[: len(whole) // 2], XLSX, None, 1000)
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # the sheet's XML stops half way
            archive.writestr(name, content)
    with pytest.raises(UnreadableFile) as damaged:
        read_rows(out.getvalue(), XLSX, None, 1000)
    assert damaged.value.code == "unreadable_file" and damaged.value.status_code == 422


def test_rows_stream_and_closing_early_closes_the_workbook() -> None:
    data = workbook([[str(i)] for i in range(1, 2001)])
    with closing(iter_rows(data, XLSX)) as rows:
        first = [next(rows) for _ in range(3)]
    assert [row.cells for row in first] == [["1"], ["2"], ["3"]]
    found, more = read_rows(data, XLSX, None, 5)
    assert len(found) == 5 and more


def test_size_limits() -> None:
    check_size(b"x" * 10, 10)
    with pytest.raises(FileTooLarge) as too_big:
        check_size(b"x" * 11, 10)
    assert too_big.value.status_code == 413


def test_exports_defuse_formulas_and_unquote_restores_them() -> None:
    sheet = Sheet("名单", ROWS[0], [["=HYPERLINK(1)", "@类"]])
    data = to_csv(sheet)
    assert data.startswith(codecs.BOM_UTF8) and b"'=HYPERLINK" in data
    rows, _ = read_rows(data, CSV, None, 10)
    assert [unquote(cell) for cell in rows[1].cells] == ["=HYPERLINK(1)", "@类"]
    assert unquote("'abc") == "'abc"
    cell = openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet))).worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_cells_follow_the_request_string_rules() -> None:
    assert cell_text_problem("满意") is None
    assert "U+001B" in (cell_text_problem("满\x1b意") or "")
    assert cell_text_problem("第一行\n第二行", "prose") is None
    assert "one line" in (cell_text_problem("第一行\u2028第二行") or "")
