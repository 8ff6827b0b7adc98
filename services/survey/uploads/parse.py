"""Reading a whole sheet: its header, then its rows, each with the columns it came from."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from services.survey.uploads.cells import RowError, questionnaire
from services.survey.uploads.header import (
    HEADER_SEARCH_ROWS,
    Header,
    SheetRejected,
    file_problem,
    locate,
    rejected,
)
from services.survey.uploads.layout import OPINIONS, Columns, UploadLayout, columns_of, header_key
from services.survey.uploads.reading import Marks, marked_rows, sheet_format
from shared.tabular import RawRow, check_size, header_elsewhere, too_many_rows
from shared.web.echo import clip

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass
class ParsedSheet:
    """The questionnaires of a sheet (row number, the batch API's JSON item), the problems
    of the rows that are none, and which column each of a questionnaire's fields came from."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field → the header as typed
    opinion_columns: dict[int, list[str]] = field(default_factory=dict)  # row → per opinion
    partial: list[tuple[int, dict[str, Any], list[tuple[str, ...]]]] = field(default_factory=list)
    """(row, item, the fields its bad cells fill) of each row with a cell problem, as far
    as it read: refused, yet still checked for the rest (`schemas.batch_rows.parse_apart`)."""

    def column(self, row: int, name: str) -> str | None:
        """The header of the column a problem's field (`ratings.<unit>`, `opinions.1.text`,
        `recommended_key_targets.0`) was read from; None for a field of no one column (a
        questionnaire without any rating, say)."""
        parts = name.split(".")
        if parts[0] == "opinions" and len(parts) > 1 and parts[1].isdigit():
            opinions = self.opinion_columns.get(row, [])
            index = int(parts[1])
            return opinions[index] if index < len(opinions) else None
        for end in range(len(parts), 0, -1):
            found = self.columns.get(".".join(parts[:end]))
            if found is not None:
                return found
        return None


def parse_questionnaires(
    data: bytes, filename: str | None, layout: UploadLayout, content_type: str | None = None
) -> ParsedSheet:
    """The questionnaires of the sheet and every problem of its rows. A file that is not a
    readable table at all (empty, damaged, another format, too large, more than MAX_ROWS
    rows) raises the kernel's `shared.tabular` errors; a sheet whose header is wrong, or
    that has no header or no data rows, raises `SheetRejected` (422)."""
    check_size(data, MAX_BYTES)
    table = sheet_format(data, content_type, filename)
    columns = columns_of(layout)
    width = 2 * len(columns.slots) + 20  # room for unknown columns to be reported
    with closing(marked_rows(data, table.kind, width, table.encoding)) as found:
        try:
            header = locate(found, columns)
        except SheetRejected as refused:
            raise _elsewhere(refused, data, columns) from None
        sheet = ParsedSheet(columns=_columns(header))
        count = _read_rows(found, header, columns, layout, sheet)
    if count == 0:
        raise rejected([file_problem(header.row, "", "没有数据行 (no data rows)", "no_rows")])
    return sheet


def _elsewhere(refused: SheetRejected, data: bytes, columns: Columns) -> SheetRejected:
    """A sheet without a header: the workbook's other sheets said, and the one with the
    header if exactly one has it (the first sheet is read: move the table there)."""
    if [p["code"] for p in refused.problems] != ["missing_header"]:
        return refused

    def headed(rows: Sequence[RawRow]) -> bool:
        return any(header_key(c) in columns.index for row in rows for c in row.cells if c)

    choose = "请将其移为第一个工作表 (move it to be the first sheet)"
    said = header_elsewhere(data, None, headed, search_rows=HEADER_SEARCH_ROWS, choose=choose)
    problem = refused.problems[0]
    return rejected([problem | {"reason": problem["reason"] + said}])


def _columns(header: Header) -> dict[str, str]:
    return {slot.field: typed for _, slot, typed in header.positions if slot.kind != "opinion"}


def _read_rows(
    found: Iterator[tuple[RawRow, Marks]],
    header: Header,
    columns: Columns,
    layout: UploadLayout,
    sheet: ParsedSheet,
) -> int:
    first_row: dict[str, int] = {}
    count = 0
    for row, marks in found:
        count += 1
        if count > MAX_ROWS:
            raise too_many_rows(MAX_ROWS)
        parsed = questionnaire(row, marks, header, columns, layout)
        problems = parsed.problems
        qid = None if parsed.item is None else parsed.item["questionnaire_id"]
        if qid is not None:
            if qid in first_row:
                problems.append(_repeated(row.number, qid, first_row[qid], header))
            else:
                first_row[qid] = row.number
        sheet.errors.extend(problems)
        read = parsed.partial if parsed.partial is not None else parsed.item
        if problems and read is not None:
            # Refused (a cell that could not be read, an id the sheet repeats), yet the rest
            # of the row is still checked, so every problem of it comes in one answer.
            sheet.partial.append((row.number, read, _places(problems)))
        elif parsed.item is not None:
            sheet.rows.append((row.number, parsed.item))
        if parsed.opinion_columns:
            sheet.opinion_columns[row.number] = parsed.opinion_columns
    return count


def _places(problems: list[RowError]) -> list[tuple[str, ...]]:
    """The fields the row's problems leave out of it. Not a broken opinion cell's: it never
    entered the row's opinions (each cell is one, numbered as read), so the others keep
    their numbers and are still checked."""
    return [tuple(p.field.split(".", 2)) for p in problems if p.field and p.field != OPINIONS]


def _repeated(row: int, qid: str, first: int, header: Header) -> RowError:
    reason = f"问卷编号 {clip(qid)} 与第 {first} 行重复 (questionnaire_id repeats row {first})"
    column = header.typed("questionnaire_id")
    # `repeated`, as a JSON push and a sheet's ids in another width are answered: one mistake,
    # one code (a "duplicate" is what a push calls a questionnaire counted once already).
    return RowError(row, column, reason, "repeated", "questionnaire_id", clip(qid))
