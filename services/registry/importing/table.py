"""Spreadsheet bytes → rows of text cells, each with the row number Excel would show.

Offices send what their tools produce: CSV from Excel in UTF-8 (with a BOM) or in GB18030
(what a Chinese Windows Excel writes as "CSV"), sometimes tab-separated, or XLSX. The
format is taken from the bytes first and the Content-Type second, because browsers and
scripts label uploads unreliably (Windows calls a .csv "application/vnd.ms-excel").
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError

from services.registry.importing.errors import FileTooLarge, UnreadableFile, UnsupportedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MAX_COLUMNS = 60
MAX_UNPACKED = 100 * 1024 * 1024  # a 5 MB workbook may not unpack into gigabytes
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_CSV_TYPES = {
    "",
    "text/csv",
    "text/plain",
    "text/tab-separated-values",
    "application/csv",
    "application/octet-stream",
    "application/vnd.ms-excel",
}


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based, as Excel shows it; blank rows count
    cells: list[str]


def read_rows(
    data: bytes, content_type: str | None, sheet: str | None, limit: int
) -> tuple[list[RawRow], bool]:
    """The non-blank rows (at most `limit`) and whether more were left unread."""
    if not data.strip():
        raise UnreadableFile("the file is empty (文件为空)", field="file")
    kind = file_kind(data, content_type)
    rows = _xlsx_rows(data, sheet) if kind == XLSX else _csv_rows(data)
    found: list[RawRow] = []
    with closing(rows):
        for row in rows:
            if not any(row.cells):
                continue
            if len(found) == limit:
                return found, True
            found.append(row)
    return found, False


def file_kind(data: bytes, content_type: str | None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if data.startswith(_OLE_MAGIC):
        raise UnsupportedFile(
            "legacy .xls is not supported; save as .xlsx or CSV (请另存为 .xlsx 或 CSV)",
            field="Content-Type",
        )
    if media == XLSX:
        raise UnreadableFile("the body is not an XLSX workbook (不是 XLSX 文件)", field="file")
    if media in _CSV_TYPES:
        return CSV
    raise UnsupportedFile(f"send CSV ({CSV}) or XLSX ({XLSX}), not {media}", field="Content-Type")


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030, which covers GBK and GB2312."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "gb18030")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the text is neither UTF-8 nor GB18030 (byte {exc.start}); save it as UTF-8 CSV",
            field="file",
        ) from None


def _csv_rows(data: bytes) -> Generator[RawRow, None, None]:
    text = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile("the CSV contains NUL bytes; is it really text?", field="file")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # One record is one spreadsheet row even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            yield RawRow(number, [cell.strip() for cell in record[:MAX_COLUMNS]])
    except csv.Error as exc:
        raise UnreadableFile(f"malformed CSV: {exc}", field="file") from None


# What a damaged workbook raises, on opening or while its sheets are read lazily: broken
# zip or deflate data, malformed XML (xml.etree's ParseError is a SyntaxError), unknown
# compression methods, missing parts.
_DAMAGED_WORKBOOK = (
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


def _xlsx_rows(data: bytes, sheet: str | None) -> Generator[RawRow, None, None]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_zip_bomb(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, *_DAMAGED_WORKBOOK):
        raise UnreadableFile("the XLSX workbook cannot be opened", field="file") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = "、".join(workbook.sheetnames)
            reason = f"no sheet named {sheet!r}; the workbook has {names}"
            raise UnreadableFile(reason, field="sheet")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        values: Iterable[tuple[Any, ...]] = worksheet.iter_rows(
            max_col=MAX_COLUMNS, values_only=True
        )
        yield from _numbered(values)
    except _DAMAGED_WORKBOOK:
        # Sheet XML is parsed lazily, row by row: damage shows up only while iterating.
        raise UnreadableFile("the XLSX sheet is damaged (工作表已损坏)", field="file") from None
    finally:
        workbook.close()


def _numbered(values: Iterable[tuple[Any, ...]]) -> Generator[RawRow, None, None]:
    for number, record in enumerate(values, start=1):
        cells = [cell_text(value) for value in record]
        while cells and not cells[-1]:
            cells.pop()  # max_col pads every row to the limit
        yield RawRow(number, cells)


def _refuse_zip_bomb(data: bytes) -> None:
    # zipfile never inflates a member past its declared size, so the declared sizes bound it.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile("the XLSX workbook cannot be opened", field="file") from None
    if unpacked > MAX_UNPACKED:
        raise FileTooLarge("the workbook unpacks to more than 100 MB", field="file")


def cell_text(value: Any) -> str:
    """Excel's typed cell as the text a person typed: 13800138000 not 13800138000.0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
