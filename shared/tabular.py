"""Spreadsheet bytes ↔ rows of text cells: the format-level reading and writing every upload
and download of a table shares (registry imports, survey questionnaire uploads).

Offices send what their tools produce: CSV from Excel in UTF-8 (with a BOM) or in GB18030
(what a Chinese Windows Excel writes as "CSV"), sometimes tab-separated, or XLSX. The
format is taken from the bytes first, then the file name, then the Content-Type, because
browsers and scripts label uploads unreliably (Windows calls a .csv "application/vnd.ms-excel").

Reading yields `RawRow`s: the row number Excel would show (blank rows count) and the cells as
the text a person typed. What the columns mean is the caller's business; a cell is checked as
a request string with `cell_text_problem` (the same rule as `Line`/`Prose` fields) before any
parser sees it.

Writing neutralises text Excel would evaluate as a formula (=, +, -, @): in CSV with a
leading ', which `unquote` strips again on reading; in XLSX by storing the cell as a string.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, ClassVar
from xml.etree.ElementTree import ParseError

from shared.errors import InvalidError, PingyiError
from shared.types import TextKind, text_problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MAX_COLUMNS = 60
"""Columns read per row unless the caller asks for more (wide sheets: one column per unit)."""
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
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # and at most 31 characters, says Excel
MIN_WIDTH = 6
MAX_WIDTH = 60


class FileTooLarge(PingyiError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "file_too_large"


class TooManyRows(PingyiError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "too_many_rows"


class UnsupportedFile(PingyiError):
    status_code: ClassVar[int] = 415
    code: ClassVar[str] = "unsupported_file"


class UnreadableFile(InvalidError):
    """The bytes are of a supported type but cannot be read as a table."""

    code: ClassVar[str] = "unreadable_file"


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based, as Excel shows it; blank rows count
    cells: list[str]

    @property
    def blank(self) -> bool:
        return not any(self.cells)


# ---------------------------------------------------------------------------- limits


def too_large(max_bytes: int) -> FileTooLarge:
    """The error for a body over `max_bytes`, worded for people (in MB)."""
    megabytes = max_bytes // (1024 * 1024)
    reason = f"files are limited to {megabytes} MB (文件不得超过 {megabytes} MB)"
    return FileTooLarge(reason, field="file")


def check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise too_large(max_bytes)


def too_many_rows(max_rows: int) -> TooManyRows:
    return TooManyRows(f"at most {max_rows} rows per file (每个文件最多 {max_rows} 行)")


# ---------------------------------------------------------------------------- reading


def read_rows(
    data: bytes,
    content_type: str | None,
    sheet: str | None,
    limit: int,
    *,
    filename: str | None = None,
    max_columns: int = MAX_COLUMNS,
) -> tuple[list[RawRow], bool]:
    """The non-blank rows (at most `limit`) and whether more were left unread."""
    found: list[RawRow] = []
    with closing(
        iter_rows(data, content_type, sheet, filename=filename, max_columns=max_columns)
    ) as rows:
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
) -> Generator[RawRow, None, None]:
    """Every row in order, blank ones included, one at a time (XLSX is read in openpyxl's
    read-only mode, so a large sheet is never held whole). Close the generator when stopping
    early (`contextlib.closing`), which closes the workbook. A damaged file raises
    `UnreadableFile` here or while iterating; an empty or unsupported one, here."""
    if not data.strip():
        raise UnreadableFile("the file is empty (文件为空)", field="file")
    kind = file_kind(data, content_type, filename)
    if kind == XLSX:
        return _xlsx_rows(data, sheet, max_columns)
    return _csv_rows(data, max_columns)


def file_kind(data: bytes, content_type: str | None, filename: str | None = None) -> str:
    """XLSX or CSV, from the bytes first, then the file name's suffix, then the media type."""
    media = (content_type or "").split(";")[0].strip().lower()
    suffix = (filename or "").strip().lower()
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if data.startswith(_OLE_MAGIC) or suffix.endswith(".xls"):
        raise UnsupportedFile(
            "legacy .xls is not supported; save as .xlsx or CSV (请另存为 .xlsx 或 CSV)",
            field="Content-Type" if filename is None else "file",
        )
    if media == XLSX or suffix.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("the body is not an XLSX workbook (不是 XLSX 文件)", field="file")
    if suffix.endswith(_CSV_SUFFIXES) or (filename is not None and "." not in suffix):
        return CSV
    if media in _CSV_TYPES and filename is None:
        return CSV
    if filename is not None:
        raise UnsupportedFile(
            f"send a .csv or .xlsx file, not {filename} (请上传 CSV 或 XLSX 文件)", field="file"
        )
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


def _csv_rows(data: bytes, max_columns: int) -> Generator[RawRow, None, None]:
    text = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile("the CSV contains NUL bytes; is it really text?", field="file")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return _csv_records(text, delimiter, max_columns)


def _csv_records(text: str, delimiter: str, max_columns: int) -> Generator[RawRow, None, None]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # One record is one spreadsheet row even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            yield RawRow(number, [cell.strip() for cell in record[:max_columns]])
    except csv.Error as exc:
        raise UnreadableFile(f"malformed CSV: {exc}", field="file") from None


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
        raise UnreadableFile("the XLSX workbook cannot be opened", field="file") from None
    if sheet is not None and sheet not in workbook.sheetnames:
        names = "、".join(workbook.sheetnames)
        workbook.close()
        reason = f"no sheet named {sheet!r}; the workbook has {names}"
        raise UnreadableFile(reason, field="sheet")
    return _workbook_rows(workbook, sheet, max_columns)


def _workbook_rows(
    workbook: Any, sheet: str | None, max_columns: int
) -> Generator[RawRow, None, None]:
    try:
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        values: Iterable[tuple[Any, ...]] = worksheet.iter_rows(
            max_col=max_columns, values_only=True
        )
        yield from _numbered(values)
    except DAMAGED_WORKBOOK:
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


def unquote(text: str) -> str:
    """Exports put a ' before text Excel would run as a formula; importing takes it off."""
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def cell_text_problem(text: str, kind: TextKind = "line") -> str | None:
    """Why a cell cannot be a request string of this kind (control characters, a line
    separator in a one-line cell, a lone surrogate), or None: the rule of `Line`/`Prose`."""
    return text_problem(text, kind)


# ---------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Sheet:
    title: str  # sheet name and file name stem, Chinese
    headers: list[str]
    rows: list[list[str]]


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the Chinese; CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_defused(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = _SHEET_NAME_FORBIDDEN.sub("_", sheet.title)[:31] or "Sheet1"
    for col, header in enumerate(sheet.headers, start=1):
        worksheet.cell(row=1, column=col, value=header).font = Font(bold=True)
    for r, row in enumerate(sheet.rows, start=2):
        for col, value in enumerate(row, start=1):
            # Records stored before names were checked may hold characters XLSX cannot carry.
            text = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
            cell = worksheet.cell(row=r, column=col, value=text)
            cell.data_type = "s"  # never a formula, whatever the text starts with
    worksheet.freeze_panes = "A2"
    for col, header in enumerate(sheet.headers, start=1):
        cells = [header, *(row[col - 1] for row in sheet.rows if col - 1 < len(row))]
        width = max(display_width(text) for text in cells) + 2
        worksheet.column_dimensions[get_column_letter(col)].width = min(
            max(width, MIN_WIDTH), MAX_WIDTH
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def display_width(text: str) -> int:
    """Columns a text takes in Excel: a Chinese character is about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text
