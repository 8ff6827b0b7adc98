"""Finding the header row and what each of its columns fills.

A header problem is the file's, not a row's: an unknown, repeated or ambiguous column would
have its cells dropped or misread in every row, and a missing required column refuses every
row. So the file is refused whole (`SheetRejected`, 422) with every header problem listed,
and nothing is recorded. Leaving out a unit's columns is no problem: no row rates that unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from services.survey.domain.errors import SurveyError
from services.survey.uploads.layout import Columns, Slot, header_key
from shared.errors import InvalidError
from shared.tabular import RawRow
from shared.web.echo import clip

HEADER_SEARCH_ROWS = 10
HEADER_FIELD = "header"
IGNORED = frozenset({"序号", "#"})


class SheetRejected(SurveyError, InvalidError):
    """The sheet as a whole cannot be read as questionnaires (no header, a wrong header, no
    data rows): nothing was recorded; the body lists every problem in the shape of a
    batch's problems, each naming its `column`."""

    code: ClassVar[str] = "sheet_rejected"

    def __init__(self, reason: str, problems: list[dict[str, Any]]) -> None:
        super().__init__(reason, field="file")
        self.problems = problems

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "reason": self.reason, "detail": self.problems}


def file_problem(row: int, column: str, reason: str, code: str) -> dict[str, Any]:
    return {
        "row": row,
        "questionnaire_id": None,
        "field": HEADER_FIELD,
        "column": column,
        "reason": reason,
        "code": code,
    }


def rejected(problems: list[dict[str, Any]]) -> SheetRejected:
    return SheetRejected(
        f"表头有 {len(problems)} 处问题, 未录入任何问卷 "
        f"({len(problems)} problem(s) in the sheet's header; nothing was recorded)",
        problems,
    )


@dataclass
class Header:
    row: int
    positions: list[tuple[int, Slot, str]] = field(default_factory=list)  # index, slot, typed
    ignored: set[int] = field(default_factory=set)  # columns read by no one on purpose (序号)

    def typed(self, kind: str) -> str:
        return next((typed for _, slot, typed in self.positions if slot.kind == kind), kind)


def locate(rows: Iterator[tuple[RawRow, Any]], columns: Columns) -> Header:
    """The header is the first row naming a known column among the first few rows."""
    first: int | None = None
    for _ in range(HEADER_SEARCH_ROWS):
        found = next(rows, None)
        if found is None:
            break
        row = found[0]
        first = row.number if first is None else first
        if any(header_key(cell) in columns.index for cell in row.cells if cell):
            return _header(row, columns)
    expected = "、".join(slot.header for slot in columns.slots if slot.required)
    reason = f"未找到表头，应有列 {clip(expected)} (no header row found)"
    raise rejected([file_problem(first or 1, "", reason, "missing_header")])


def _header(row: RawRow, columns: Columns) -> Header:
    header = Header(row.number)
    problems: list[dict[str, Any]] = []
    seen: dict[Slot, str] = {}
    maybe: set[Slot] = set()  # named by an ambiguous header: not reported missing as well

    def bad(column: str, reason: str, code: str) -> None:
        problems.append(file_problem(row.number, column, reason, code))

    for index, text in enumerate(row.cells):
        key = header_key(text)
        if key in IGNORED:
            header.ignored.add(index)
            continue
        if not key:
            continue  # cells under it are reported, if any (`cells.py`)
        typed = clip(text)
        slots = columns.index.get(key, [])
        if not slots:
            bad(typed, "未知的列 (unknown column)", "unknown_column")
        elif len(slots) > 1:
            maybe.update(slots)
            choices = "、".join(clip(slot.header) for slot in slots)
            reason = (
                f"列名有歧义（同名单位或列），请改用其中之一：{choices} "
                f"(ambiguous header: several units or columns have this name; use their ids)"
            )
            bad(typed, reason, "ambiguous_column")
        elif slots[0] in seen:
            bad(typed, f"与列“{seen[slots[0]]}”重复 (column appears twice)", "duplicate_column")
        else:
            seen[slots[0]] = typed
            header.positions.append((index, slots[0], typed))
    for slot in columns.slots:
        if slot.required and slot not in seen and slot not in maybe:
            bad(slot.header, "缺少必需的列 (required column is missing)", "missing_column")
    if columns.unit_order and not any(slot.kind == "rating" for slot in (*seen, *maybe)):
        reason = "至少需要一个参评单位的列 (no column rates a unit of the wave)"
        bad("", reason, "missing_column")
    if problems:
        raise rejected(problems)
    return header
