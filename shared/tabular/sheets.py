"""What a workbook's sheets hold besides their cells' values, found in the sheet's XML.

openpyxl's read-only mode (the one that never holds a large sheet whole) streams a sheet's
rows as they are parsed; what the XML says after the rows is not known while they are read.
So the part is read once more, as bytes, before its rows are (`scan`): its inflated bytes
are searched, far more cheaply than parsed (a 5,000-row sheet: a few milliseconds, see
`tests/shared/test_tabular_sheets.py`), and parsed only where the search finds something:

- merged cells (`<mergeCell ref="A2:A6"/>`, after the rows): a county name merged down over
  its units' rows is meant for each of those rows (`Merges`, filled down by the reader);
- cells whose value cannot be read: a formula saved without its value (a workbook written
  by a program and never opened in Excel) or an error value (#N/A, #DIV/0!). openpyxl reads
  the first as an empty cell and the second as the error's text: a value lost, or a
  category "#N/A", without a word (`Unreadable`, the reason by cell).

Which sheets a workbook has, for a refusal that says where the table might be instead, is
`workbook_sheets` (`sheet_names`, `header_elsewhere`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element, iterparse

from shared.web.echo import clip

Position = tuple[int, int]
"""(row, column), both 1-based, as Excel numbers them."""

_CHUNK = 1 << 20
_OVERLAP = 512  # longer than any tag the search looks for
_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Za-z]+)(\d+):([A-Za-z]+)(\d+)"'
)
_UNREADABLE = (b"<f", b":f>", b":f ", b't="e"')
"""What an <f> element (any namespace prefix) or an error-typed cell contains: searched as
bytes, a regular expression costs ten times more. A false alarm (<filterColumn>) only costs
the parse that finds nothing."""
FORMULA_WITHOUT_VALUE = (
    "公式没有保存计算结果，请在 Excel 中打开并保存，或粘贴为数值 "
    "(a formula saved without its value: open and save the file in Excel, or paste values)"
)


@dataclass
class Merges:
    """Vertically merged ranges: each row below a range's first takes the first row's value
    in the range's first column (what the office means by merging a county name down over
    its units' rows). Merges within one row (a title across columns) change nothing: the
    value belongs to one column, not to the others it spans."""

    ranges: list[tuple[int, int, int]] = field(default_factory=list)
    """(first row, last row, column) of each merge spanning rows."""

    def add(self, first: Position, last: Position) -> None:
        (top, left), (bottom, _) = first, last
        self.ranges.append((top, bottom, left))

    def fill(self) -> Callable[[int, list[str]], None]:
        """A function filling each row, given in order, from the merges above it. However
        many merges a sheet declares, a row looks at one per column (a valid sheet never
        overlaps them)."""
        pending = sorted(self.ranges, reverse=True)  # popped from the end: by first row
        active: dict[int, tuple[int, str]] = {}  # column → (the merge's last row, its text)

        def filled(number: int, cells: list[str]) -> None:
            for column, (bottom, text) in list(active.items()):
                if bottom < number:
                    del active[column]
                elif text and any(cells) and not (column <= len(cells) and cells[column - 1]):
                    # A blank row under a merge stays blank; a cell of its own stays.
                    cells.extend([""] * (column - len(cells)))
                    cells[column - 1] = text
            while pending and pending[-1][0] <= number:
                top, bottom, column = pending.pop()
                if top == number:
                    active[column] = (bottom, cells[column - 1] if column <= len(cells) else "")

        return filled

    def __bool__(self) -> bool:
        return bool(self.ranges)


@dataclass
class SheetScan:
    merges: Merges = field(default_factory=Merges)
    unreadable: dict[int, dict[int, str]] = field(default_factory=dict)
    """row → 0-based column → why the cell's value cannot be read."""
    last_row: int | None = None
    """The last row holding a value or a formula; every row after it is blank, however many
    formatted rows the sheet declares (a format applied down to row 1,048,576 is a million
    <row> elements openpyxl would parse one by one). None: not known, read them all."""


def scan(archive: zipfile.ZipFile, part: str, max_columns: int) -> SheetScan:
    """The sheet part's merges and unreadable cells (within `max_columns`)."""
    found = SheetScan()
    marked = False
    tail = b""
    last = _LastRow()
    with archive.open(part) as source:
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            last.read(text)
            end = 0
            for match in _MERGE.finditer(text) if b"mergeCell" in text else ():
                end = match.end()
                top, left, bottom, right = _bounds(match)
                if left <= max_columns and bottom > top:
                    found.merges.add((top, left), (bottom, right))
            marked = marked or any(token in text for token in _UNREADABLE)
            tail = text[max(end, len(text) - _OVERLAP) :]
    found.last_row = last.row
    if marked:
        with archive.open(part) as source:
            for (row, col), why in _unreadable(source):
                if col <= max_columns:
                    found.unreadable.setdefault(row, {})[col - 1] = why
    return found


_VALUES = (b"<v", b":v>", b":v ", b"<is", b":is>", b"<f", b":f>", b":f ")
"""What a cell with a value (or a formula) holds: a value, an inline string, a formula."""
_ROWS = (b"<row", b":row")
_ROW_NUMBER = re.compile(rb'row\s[^>]*?\br="(\d+)"')
_UNKNOWN = -1


class _LastRow:
    """Follows the chunks of a sheet part for the row of the last value: the <row> that
    opens last before the last value. Unknown (None) once such a row is without its
    number (openpyxl then counts rows itself)."""

    def __init__(self) -> None:
        self.row: int | None = 0
        self.opened = 0  # the number of the last row opened so far

    def read(self, text: bytes) -> None:
        """`text`: the next chunk, after the tail of the one before."""
        if self.row is None:
            return
        value = max(text.rfind(token) for token in _VALUES)
        if value >= 0:
            before = _row_before(text, value)
            self.row = self.opened if before is None else before
        opened = _row_before(text, len(text))
        if opened is not None:
            self.opened = opened
        if self.row == _UNKNOWN or self.opened == _UNKNOWN:
            self.row = None


def _row_before(text: bytes, end: int) -> int | None:
    """The number of the last complete <row> tag starting before `end`; None: none there;
    _UNKNOWN: one without a number."""
    while end > 0:
        start = max(text.rfind(token, 0, end) for token in _ROWS)
        if start < 0:
            return None
        after = text[start + 4 : start + 5]
        if after.isspace() or after in (b">", b"/"):
            if text.find(b">", start) < 0:  # cut off at the chunk's end: the one before
                end = start
                continue
            found = _ROW_NUMBER.match(text, start + 1)
            return int(found.group(1)) if found else _UNKNOWN
        end = start  # <rowBreaks>, <rows…>: not a row
    return None


def _bounds(match: re.Match[bytes]) -> tuple[int, int, int, int]:
    left, top, right, bottom = match.groups()
    first, last = int(top), int(bottom)
    a, b = _column(left.decode()), _column(right.decode())
    return min(first, last), min(a, b), max(first, last), max(a, b)


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _unreadable(source: IO[bytes]) -> Iterator[tuple[Position, str]]:
    row = 0
    col = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                number = element.get("r", "")
                row = int(number) if number.isdigit() else row + 1
                col = 0
            continue
        if tag == "c":
            reference = (element.get("r") or "").rstrip("0123456789")
            col = _column(reference) if reference.isalpha() and reference.isascii() else col + 1
            why = _why(element)
            if why is not None:
                yield (row, col), why
        elif tag == "row":
            element.clear()


def _why(cell: Element) -> str | None:
    children = {_local(child.tag): child for child in cell}
    value = children["v"].text if "v" in children else None
    if cell.get("t") == "e":
        return f"单元格是错误值 {clip(value or '')} (the cell holds an error value)"
    # Excel saves a formula whose result is "" as an empty string value (t="str"); other
    # writers save none, or an empty <v/> of no type: no value was computed.
    if "f" in children and not value and cell.get("t") != "str":
        return FORMULA_WITHOUT_VALUE
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def cell_name(row: int, column: int) -> str:
    """B7 for (7, 2)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def part_of(worksheet: Any) -> str | None:
    """The zip member an openpyxl read-only worksheet is read from."""
    path = getattr(worksheet, "_worksheet_path", None)
    return path if isinstance(path, str) else None
