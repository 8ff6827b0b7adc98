"""The uploaded bytes as rows: which format they are (the Content-Type decides when it names
one), and, in a workbook, the cells whose text the kernel's reader cannot give.

The kernel (`shared.tabular`) reads a workbook for the values Excel saved with its formulas,
as a person sees them. A formula saved without a value (a workbook written by a program and
never opened in Excel, e.g. `=1+1` from openpyxl) or whose value is an error (#DIV/0!,
#N/A) reads as an empty cell there, or as the error's text: a rating would silently be
"not rated". So the sheet's XML is also scanned, only when it holds a formula or an error
at all, for those cells: they are reported (`bad_cell`), never read as empty.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing
from typing import IO
from xml.etree.ElementTree import Element, iterparse

from shared.tabular import (
    DAMAGED_WORKBOOK,
    XLSX,
    RawRow,
    TableFormat,
    UnreadableFile,
    declared_format,
    iter_rows,
)
from shared.web.echo import clip

Marks = dict[int, str]
"""0-based column → why the cell's value cannot be read."""

_ZIP_MAGIC = b"PK\x03\x04"
_CSV_MEDIA = frozenset({"text/csv", "application/csv", "text/plain", "text/tab-separated-values"})
_ANY_MEDIA = frozenset({"", "application/octet-stream", "application/vnd.ms-excel"})
"""Media types that say nothing about the table's format: the file name and the bytes do
(Windows labels a .csv application/vnd.ms-excel)."""
# An <f> element (any namespace prefix) or an error-typed cell: what the scan looks for.
_MARK = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st="e"')
_CHUNK = 1 << 20
_FORMULA = (
    "公式没有保存计算结果，请在 Excel 中打开并保存，或粘贴为数值 "
    "(a formula saved without its value: open and save the file in Excel, or paste values)"
)


def sheet_format(data: bytes, content_type: str | None, filename: str | None) -> TableFormat:
    """CSV (in its declared charset, if any) or XLSX, by the kernel's rule for an upload sent
    as the request body, as registry's imports read theirs (`declared_format`): the
    Content-Type decides; one that names no format (none, octet-stream, curl's form default,
    what Windows calls a .csv) leaves it to the file name and the bytes; any other is 415;
    a body that is not what its type says is 422 naming Content-Type."""
    return declared_format(data, content_type, filename)


def marked_rows(
    data: bytes, kind: str, max_columns: int, encoding: str | None = None
) -> Generator[tuple[RawRow, Marks], None, None]:
    """Every row that is not blank, with its unreadable cells (a row whose only cells are
    formulas without values is blank to the kernel's reader, and is kept). Close the
    generator when stopping early."""
    with (
        closing(iter_rows(data, kind, max_columns=max_columns, encoding=encoding)) as rows,
        closing(_marks(data) if kind == XLSX else _none()) as marks,
    ):
        pending = next(marks, None)
        for row in rows:
            while pending is not None and pending[0] < row.number:
                # A row the kernel's reader did not give (out of the sheet's order): its
                # unreadable cells are reported all the same.
                yield from _unread(pending, max_columns)
                pending = next(marks, None)
            found: Marks = {}
            if pending is not None and pending[0] == row.number:
                found = _within(pending[1], max_columns)
                pending = next(marks, None)
            if found or not row.blank:
                yield row, found
        while pending is not None:  # rows past those the kernel's reader gave
            yield from _unread(pending, max_columns)
            pending = next(marks, None)


def _within(marks: Marks, max_columns: int) -> Marks:
    return {col: why for col, why in marks.items() if col < max_columns}


def _unread(pending: tuple[int, Marks], max_columns: int) -> Iterator[tuple[RawRow, Marks]]:
    found = _within(pending[1], max_columns)
    if found:
        yield RawRow(pending[0], []), found


def _none() -> Generator[tuple[int, Marks], None, None]:
    yield from ()


def _marks(data: bytes) -> Generator[tuple[int, Marks], None, None]:
    """(row number, marks) of every row of the first worksheet holding a formula saved
    without its value or an error value, in the sheet's order."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _first_worksheet(data)
            if path is None or not _has_marks(archive, path):
                return
            with archive.open(path) as source:
                yield from _scan(source)
    except (InvalidFileException, *DAMAGED_WORKBOOK):
        raise UnreadableFile("the XLSX sheet is damaged (工作表已损坏)", field="file") from None


def _first_worksheet(data: bytes) -> str | None:
    """The part the kernel reads (openpyxl's first worksheet), found as openpyxl finds it."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True)
    with closing(reader.archive):
        reader.read_manifest()
        reader.read_workbook()
        for _, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return str(rel.target)
    return None


def _has_marks(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the part holds a formula or an error at all: a read through the inflated
    bytes, far cheaper than parsing them, and most sheets hold neither."""
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(_CHUNK):
            if _MARK.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _scan(source: IO[bytes]) -> Iterator[tuple[int, Marks]]:
    row = 0
    col = 0
    marks: Marks = {}
    for event, element in iterparse(source, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                number = element.get("r", "")
                row = int(number) if number.isdigit() else row + 1
                col, marks = 0, {}
            continue
        if tag == "c":
            col = _column(element.get("r"), col)
            why = _unreadable(element)
            if why is not None:
                marks[col - 1] = why
        elif tag == "row":
            if marks:
                yield row, marks
            element.clear()


def _unreadable(cell: Element) -> str | None:
    children = {_local(child.tag): child for child in cell}
    if cell.get("t") == "e":
        value = children["v"].text if "v" in children else None
        return f"单元格是错误值 {clip(value or '')} (the cell holds an error value)"
    if "f" not in children:
        return None
    value = children["v"].text if "v" in children else None
    # Excel saves a formula whose result is "" as an empty string value (t="str"); openpyxl
    # and other writers save none, or an empty <v/> of no type: no value was computed.
    if not value and cell.get("t") != "str":
        return _FORMULA
    return None


def _column(reference: str | None, previous: int) -> int:
    """The 1-based column of a cell reference such as "AB12"; a cell without one follows
    the one before it."""
    letters = (reference or "").rstrip("0123456789")
    if not letters.isalpha() or not letters.isascii():
        return previous + 1
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
