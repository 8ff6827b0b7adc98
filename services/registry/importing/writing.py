"""Sheets → CSV (UTF-8 with a BOM, so Excel shows the Chinese) or XLSX.

Text that Excel would evaluate as a formula (=, +, -, @) is neutralised: in CSV with a
leading ', which the importer strips again; in XLSX by storing the cell as a string.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from services.registry.importing.table import CSV, XLSX

MIN_WIDTH = 6
MAX_WIDTH = 60
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # and at most 31 characters, says Excel


@dataclass(frozen=True)
class Sheet:
    title: str  # sheet name and file name stem, Chinese
    headers: list[str]
    rows: list[list[str]]


def render(sheet: Sheet, fmt: str) -> tuple[bytes, str, dict[str, str]]:
    """The file's bytes, its media type and a Content-Disposition naming it."""
    if fmt == "xlsx":
        return to_xlsx(sheet), XLSX, disposition(f"{sheet.title}.xlsx")
    return to_csv(sheet), f"{CSV}; charset=utf-8", disposition(f"{sheet.title}.csv")


def to_csv(sheet: Sheet) -> bytes:
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


def disposition(filename: str) -> dict[str, str]:
    # HTTP headers are latin-1: an ASCII fallback name, the Chinese one per RFC 6266/5987.
    # Only a safe ASCII set: user-chosen names must not inject CR/LF or quotes into headers.
    fallback = re.sub(r"[^A-Za-z0-9._-]", "", filename) or "export"
    if fallback.startswith("."):
        fallback = "export" + fallback
    return {
        "Content-Disposition": f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename)}"
    }


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text
