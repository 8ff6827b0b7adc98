"""Spreadsheet bytes → numbered rows of text cells: CSV (UTF-8 with or without a BOM,
GB18030, UTF-16 with a BOM; comma, tab or semicolon separated) and XLSX (read-only, damaged
files and zip bombs refused).

In a workbook: the first sheet unless one is named (a hidden first sheet is refused rather
than read behind the office's back); every row the sheet holds, whatever its `dimension`
claims (writers that get it wrong would otherwise lose rows); a vertically merged cell's
value in every row of the merge; a cell whose value cannot be read (a formula saved without
its value, an error value) named in `RawRow.unreadable`, never passed off as empty or as
text (`sheets`).

Reading yields `RawRow`s: the row number Excel would show (blank rows count) and the cells as
the text a person typed. What the columns mean is the caller's business; a cell is checked as
a request string with `cell_text_problem` (the same rule as `Line`/`Prose` fields) before any
parser sees it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Generator, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from shared.tabular.cells import cell_text
from shared.tabular.decoding import decode_text
from shared.tabular.formats import XLSX, file_kind
from shared.tabular.limits import FileTooLarge, UnreadableFile
from shared.tabular.sheets import SheetScan, part_of, scan
from shared.types import TextKind, text_problem

MAX_COLUMNS = 60
"""Columns read per row unless the caller asks for more (wide sheets: one column per unit)."""
MAX_UNPACKED = 100 * 1024 * 1024  # a 5 MB workbook may not unpack into gigabytes
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based, as Excel shows it; blank rows count
    cells: list[str]
    unreadable: Mapping[int, str] = field(default_factory=dict)
    """0-based column → why the cell's value cannot be read (a workbook's formula saved
    without its value, an error value); its text in `cells` is not what the sheet shows."""

    @property
    def blank(self) -> bool:
        return not any(self.cells) and not self.unreadable


def read_rows(
    data: bytes,
    content_type: str | None,
    sheet: str | None,
    limit: int,
    *,
    filename: str | None = None,
    max_columns: int = MAX_COLUMNS,
    encoding: str | None = None,
) -> tuple[list[RawRow], bool]:
    """The non-blank rows (at most `limit`) and whether more were left unread."""
    found: list[RawRow] = []
    rows = iter_rows(
        data, content_type, sheet, filename=filename, max_columns=max_columns, encoding=encoding
    )
    with closing(rows):
        for row in rows:
            if row.blank:
                continue
            if len(found) == limit:
                return found, True
            found.append(row)
    return found, False


def iter_rows(
    data: bytes,
    content_type: str | None = None,
    sheet: str | None = None,
    *,
    filename: str | None = None,
    max_columns: int = MAX_COLUMNS,
    encoding: str | None = None,
) -> Generator[RawRow, None, None]:
    """Every row in order, blank ones included, one at a time (XLSX is read in openpyxl's
    read-only mode, so a large sheet is never held whole). Close the generator when stopping
    early (`contextlib.closing`), which closes the workbook. A damaged file raises
    `UnreadableFile` here or while iterating; an empty or unsupported one, here.

    The format is `file_kind`'s (the bytes first): a caller bound to the Content-Type asks
    `formats.declared_format` first and passes its kind and `encoding` (a CSV's declared
    charset; None: found from the bytes, `decode_text`)."""
    if not data.strip():
        raise UnreadableFile("文件为空 (the file is empty)", field="file")
    kind = file_kind(data, content_type, filename)
    if kind == XLSX:
        return _xlsx_rows(data, sheet, max_columns)
    return _csv_rows(data, max_columns, encoding)


def _csv_rows(data: bytes, max_columns: int, encoding: str | None) -> Generator[RawRow, None, None]:
    text = decode_text(data, encoding)
    if "\x00" in text:
        raise UnreadableFile(
            "CSV 中含有 NUL 字节, 不像文本文件 (the CSV contains NUL bytes; is it really text?)",
            field="file",
        )
    return _csv_records(text, delimiter_of(text), max_columns)


_QUOTED = re.compile(r'"[^"]*"')
DELIMITERS = (",", "\t", ";")


def delimiter_of(text: str) -> str:
    """The separator the first non-blank line uses most, outside quotes: a comma unless
    tabs (a sheet copied out of Excel) or semicolons (Excel where the decimal mark is a
    comma) are more."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = _QUOTED.sub("", first_line)
    return max(DELIMITERS, key=lambda d: (unquoted.count(d), d == ","))


def _csv_records(text: str, delimiter: str, max_columns: int) -> Generator[RawRow, None, None]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # One record is one spreadsheet row even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            yield RawRow(number, [cell.strip() for cell in record[:max_columns]])
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 格式有误 (malformed CSV: {exc})", field="file") from None


# What a damaged workbook raises, on opening or while its sheets are read lazily: broken
# zip or deflate data, malformed XML (xml.etree's ParseError is a SyntaxError), unknown
# compression methods, missing parts.
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile,
    ParseError,
    SyntaxError,
    zlib.error,
    EOFError,
    NotImplementedError,
    KeyError,
    OSError,
    ValueError,
)


def _xlsx_rows(data: bytes, sheet: str | None, max_columns: int) -> Generator[RawRow, None, None]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_zip_bomb(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, *DAMAGED_WORKBOOK):
        raise UnreadableFile(
            "无法打开此 XLSX 工作簿 (the XLSX workbook cannot be opened)", field="file"
        ) from None
    try:
        worksheet = _worksheet(workbook, sheet)
        part = part_of(worksheet)
        found = SheetScan() if part is None else scan(workbook._archive, part, max_columns)
    except DAMAGED_WORKBOOK:
        workbook.close()
        raise UnreadableFile("工作表已损坏 (the XLSX sheet is damaged)", field="file") from None
    except BaseException:
        workbook.close()
        raise
    return _workbook_rows(workbook, worksheet, found, max_columns)


def _worksheet(workbook: Any, sheet: str | None) -> Any:
    names = "、".join(workbook.sheetnames)
    if sheet is not None and sheet not in workbook.sheetnames:
        reason = (
            f"工作簿中没有名为“{sheet}”的工作表, 现有: {names} "
            f"(no sheet named {sheet!r}; the workbook has {names})"
        )
        raise UnreadableFile(reason, field="sheet")
    if sheet is not None:
        return workbook[sheet]
    if not workbook.worksheets:
        raise UnreadableFile("工作簿中没有工作表 (the workbook has no worksheet)", field="file")
    first = workbook.worksheets[0]
    if first.sheet_state != "visible":
        # What the office sees first is another sheet: reading this one would import rows
        # nobody looked at (an old copy, a lookup list), without a word.
        reason = (
            f"第一个工作表“{first.title}”是隐藏的，请指定要读取的工作表 "
            f"(the first sheet {first.title!r} is hidden; name the sheet to read, or unhide "
            f"it or move the table to the first sheet; the workbook has {names})"
        )
        raise UnreadableFile(reason, field="sheet")
    return first


def _workbook_rows(
    workbook: Any, worksheet: Any, found: SheetScan, max_columns: int
) -> Generator[RawRow, None, None]:
    try:
        if hasattr(worksheet, "reset_dimensions"):
            # The rows the sheet holds, not those its <dimension> claims: read-only mode
            # stops at the claimed last row, and some writers claim too few.
            worksheet.reset_dimensions()
        # Cells, not values: a midnight datetime needs its number format (`cell_text`).
        records: Iterable[tuple[Any, ...]] = worksheet.iter_rows(max_col=max_columns)
        yield from _numbered(records, found)
    except DAMAGED_WORKBOOK:
        # Sheet XML is parsed lazily, row by row: damage shows up only while iterating.
        raise UnreadableFile("工作表已损坏 (the XLSX sheet is damaged)", field="file") from None
    finally:
        workbook.close()


def _numbered(
    records: Iterable[tuple[Any, ...]], found: SheetScan | None = None
) -> Generator[RawRow, None, None]:
    found = found or SheetScan()
    fill = found.merges.fill()
    for number, record in enumerate(records, start=1):
        if found.last_row is not None and number > found.last_row:
            return  # blank to the end (`SheetScan.last_row`)
        cells = [cell_text(cell.value, cell.number_format) for cell in record]
        while cells and not cells[-1]:
            cells.pop()  # max_col pads every row to the limit
        fill(number, cells)
        marks = found.unreadable.get(number, {})
        yield RawRow(number, cells, marks)


def _refuse_zip_bomb(data: bytes) -> None:
    # zipfile never inflates a member past its declared size, so the declared sizes bound it.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(
            "无法打开此 XLSX 工作簿 (the XLSX workbook cannot be opened)", field="file"
        ) from None
    if unpacked > MAX_UNPACKED:
        raise FileTooLarge(
            "工作簿解压后超过 100 MB (the workbook unpacks to more than 100 MB)", field="file"
        )


def unquote(text: str) -> str:
    """Exports put a ' before text Excel would run as a formula; importing takes it off."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


def cell_text_problem(text: str, kind: TextKind = "line") -> str | None:
    """Why a cell cannot be a request string of this kind (control characters, a line
    separator in a one-line cell, a lone surrogate), or None: the rule of `Line`/`Prose`."""
    return text_problem(text, kind)
