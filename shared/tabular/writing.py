"""Rows → CSV or XLSX bytes, for downloads. Text Excel would evaluate as a formula (=, +,
-, @) is neutralised: in CSV with a leading ', which `reading.unquote` strips again on
reading; in XLSX by storing the cell as a string."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from shared.tabular.reading import FORMULA_START

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # and at most 31 characters, says Excel
MIN_WIDTH = 6
MAX_WIDTH = 60


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
    return "'" + text if text.startswith(FORMULA_START) else text
