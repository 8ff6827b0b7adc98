"""Column specs and the matching of a sheet's header row against them.

Headers are typed by people: "单位名称 ", "单位名称*", "上级单位（名称或信用代码）" all mean
the same column. Matching compares NFKC-normalised text without whitespace or required-marks,
then again without a trailing parenthesised note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.tabular import RawRow
from shared.types import TextKind
from shared.web.echo import REASON_LIMIT, clip

Issue = dict[str, Any]
"""One problem: {"row": spreadsheet row or None, "column": Chinese header or None, "reason"}."""

HEADER_SEARCH_ROWS = 10
_SPACE = re.compile(r"\s+")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


class CellError(ValueError):
    """A cell's text cannot become the column's value; the message is the reason shown."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    parse: Callable[[str], Any] | None = None
    aliases: tuple[str, ...] = ()
    sensitive: bool = False  # never echoed back in reports
    one_of: str | None = None  # columns sharing a group: at least one must be filled
    text: TextKind = "line"  # what the cell may hold, checked before `parse` sees it

    def header_keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, *self.aliases)}


@dataclass
class Layout:
    """Where each known column sits in the sheet, and what the header row told us."""

    header_row: int
    positions: list[tuple[Column, int]]
    missing: list[Column] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    headed: set[int] = field(default_factory=set)
    """The positions whose header cell has a text (known, unknown or ignored columns)."""


def header_key(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).strip("*")


def issue(row: int | None, column: str | None, reason: str, value: str | None = None) -> Issue:
    """Quotes from the sheet (the value, a header typed there, a reason naming a cell) are
    clipped here, so a report stays small however large the cells are."""
    found: Issue = {
        "row": row,
        "column": None if column is None else clip(column),
        "reason": clip(reason, REASON_LIMIT),
    }
    if value is not None:
        found["value"] = clip(value)
    return found


def match(header: str, columns: Sequence[Column]) -> Column | None:
    key = header_key(header)
    for candidate in (key, _TRAILING_NOTE.sub("", key)):
        for column in columns:
            if candidate in column.header_keys():
                return column
    return None


def locate(
    rows: Sequence[RawRow], columns: Sequence[Column], ignored: Sequence[str]
) -> Layout | Issue:
    """The header row is the first row naming a known column, so a title line above the
    table (e.g. "2017年参评单位名单") does no harm."""
    for row in rows[:HEADER_SEARCH_ROWS]:
        if any(match(cell, columns) for cell in row.cells if cell):
            return _layout(row, columns, {header_key(h) for h in ignored})
    expected = "、".join(c.header for c in columns if c.required)
    first = rows[0].number if rows else None
    return issue(first, None, f"未找到表头 (no header row found; expected columns {expected})")


def _layout(row: RawRow, columns: Sequence[Column], ignored: set[str]) -> Layout:
    layout = Layout(header_row=row.number, positions=[])
    seen: dict[str, int] = {}
    for index, text in enumerate(row.cells):
        if text:
            layout.headed.add(index)
        if not text or header_key(text) in ignored:
            continue
        column = match(text, columns)
        if column is None:
            layout.warnings.append(
                issue(row.number, text, "未知列, 已忽略 (unknown column, ignored)")
            )
        elif column.header in seen:
            layout.errors.append(
                issue(row.number, text, f"重复的列 (column {column.header} appears twice)")
            )
        else:
            seen[column.header] = index
            layout.positions.append((column, index))
    for column in columns:
        if column.required and column.header not in seen:
            layout.missing.append(column)
            layout.errors.append(
                issue(row.number, column.header, "缺少必填列 (required column is missing)")
            )
    for members in groups(columns).values():
        if not any(c.header in seen for c in members):
            layout.missing.extend(members)
            either = " 或 ".join(c.header for c in members)
            reason = f"缺少必填列 (required column is missing: {either})"
            layout.errors.append(issue(row.number, members[0].header, reason))
    return layout


def groups(columns: Iterable[Column]) -> dict[str, list[Column]]:
    found: dict[str, list[Column]] = {}
    for column in columns:
        if column.one_of is not None:
            found.setdefault(column.one_of, []).append(column)
    return found
