"""Rows of a sheet → validated command inputs, with every problem reported by row and column.

Nothing here touches the registry: a `Spec` brings the columns (whose parsers may look things
up), the pydantic model each row must satisfy and the whole-file checks; the result is the
same report for a dry run and for a refused import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from services.registry.importing.columns import (
    HEADER_SEARCH_ROWS,
    CellError,
    Column,
    Issue,
    Layout,
    groups,
    issue,
    locate,
)
from shared.errors import PingyiError
from shared.reasons import reason_of
from shared.tabular import (
    RawRow,
    cell_text_problem,
    declared_format,
    header_elsewhere,
    read_rows,
    too_many_rows,
    unquote,
)
from shared.web.echo import problems

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
PREVIEW_ROWS = 10
_BATCH_FIELD = re.compile(r"^\w+\.(\d+)\.(\w+)")


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, Any]  # what the command gets
    shown: dict[str, Any] = field(default_factory=dict)  # the same as JSON, for previews


@dataclass(frozen=True)
class Spec:
    columns: list[Column]
    model: type[BaseModel]
    extra: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ("序号",)
    checks: Callable[[list[Row]], list[Issue]] = lambda rows: []
    preview: Callable[[Row], dict[str, Any]] | None = None
    read_ahead: Callable[[dict[str, list[str]]], None] | None = None
    """Given every filled cell's text by column header before any row is parsed: reads what
    the columns' parsers will look up, many at a time (an optimisation: it refuses nothing,
    and each parser still judges its own cell)."""

    def header_of(self, field_name: str) -> str | None:
        return next((c.header for c in self.columns if c.field == field_name), None)


@dataclass
class Parsed:
    spec: Spec
    total: int = 0
    rows: list[Row] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def report(self, dry_run: bool) -> dict[str, Any]:
        """Lists the first LIST_LIMIT problems of each kind and counts the rest."""
        errors, errors_omitted = problems(self.errors)
        warnings, warnings_omitted = problems(self.warnings)
        return {
            "dry_run": dry_run,
            "rows": self.total,
            "valid": len(self.rows),
            "errors": errors,
            "errors_omitted": errors_omitted,
            "warnings": warnings,
            "warnings_omitted": warnings_omitted,
            "preview": [self._preview(row) for row in self.rows[:PREVIEW_ROWS]],
        }

    def _preview(self, row: Row) -> dict[str, Any]:
        if self.spec.preview is not None:
            return {"row": row.number} | self.spec.preview(row)
        return {"row": row.number} | row.shown


def parse_file(data: bytes, content_type: str | None, sheet: str | None, spec: Spec) -> Parsed:
    """The sheet's report. The Content-Type names the format (`declared_format`: 415 for
    another type, 422 for a body that is not what it says); the bytes decide only when it
    names none (application/octet-stream, curl's default, no Content-Type at all)."""
    found = declared_format(data, content_type)
    limit = MAX_ROWS + HEADER_SEARCH_ROWS + 1
    raw, truncated = read_rows(data, found.kind, sheet, limit, encoding=found.encoding)

    def headed(rows: Sequence[RawRow]) -> bool:
        return isinstance(locate(rows, spec.columns, spec.ignored), Layout)

    def elsewhere() -> str:
        """The workbook's other sheets, and the one with the header (`header_elsewhere`)."""
        return header_elsewhere(data, sheet, headed, search_rows=HEADER_SEARCH_ROWS)

    return parse_rows(raw, truncated, spec, elsewhere)


def parse_rows(
    raw: Sequence[RawRow], truncated: bool, spec: Spec, elsewhere: Callable[[], str] | None = None
) -> Parsed:
    parsed = Parsed(spec)
    layout = locate(raw, spec.columns, spec.ignored)
    if not isinstance(layout, Layout):
        if elsewhere is not None:
            layout = issue(layout["row"], None, layout["reason"] + elsewhere())
        parsed.errors.append(layout)
        return parsed
    data = [row for row in raw if row.number > layout.header_row]
    if truncated or len(data) > MAX_ROWS:
        raise too_many_rows(MAX_ROWS)
    parsed.total = len(data)
    parsed.errors.extend(layout.errors)
    parsed.warnings.extend(layout.warnings)
    if not data:
        parsed.errors.append(issue(layout.header_row, None, "没有数据行 (no data rows)"))
    missing = {c.field for c in layout.missing}
    parsed.warnings.extend(_unheaded(data, layout))
    if spec.read_ahead is not None:
        spec.read_ahead(_texts(data, layout))
    for row in data:
        values, problems = _cells(row, layout)
        skip = missing | {f for f, _ in problems}
        valid, more = _validate(row.number, values, spec, skip)
        problems += more
        parsed.errors.extend(found for _, found in problems)
        if valid is not None and not problems and not missing:
            parsed.rows.append(Row(row.number, valid.model_dump(), valid.model_dump(mode="json")))
    checked = spec.checks(parsed.rows)
    if checked:
        parsed.errors.extend(checked)
        flagged = {found["row"] for found in checked}
        parsed.rows = [row for row in parsed.rows if row.number not in flagged]
    parsed.errors.sort(key=lambda e: (e["row"] or 0, e["row"] is not None))
    return parsed


def _unheaded(data: Sequence[RawRow], layout: Layout) -> list[Issue]:
    """Text in a column whose header cell is blank is not read: said once per column (at
    its first such row), so it is never dropped without a word. The text is not quoted: the
    column may hold what a sheet never echoes (a representative's contact)."""
    found: dict[int, Issue] = {}
    for row in data:
        for index, cell in enumerate(row.cells):
            if index in layout.headed or index in found or not unquote(cell):
                continue
            reason = (
                f"第{index + 1}列无表头, 已忽略 (column {index + 1} has no header, so its cells "
                "are ignored: give it a header this import reads, or delete it)"
            )
            found[index] = issue(row.number, None, reason)
    return [found[index] for index in sorted(found)]


def _texts(data: Sequence[RawRow], layout: Layout) -> dict[str, list[str]]:
    """Each known column's filled, readable cells, as `_cells` hands them to its parser."""
    found: dict[str, list[str]] = {}
    for column, index in layout.positions:
        cells = (
            unquote(row.cells[index])
            for row in data
            if index < len(row.cells) and index not in row.unreadable
        )
        found[column.header] = [
            text for text in cells if text and cell_text_problem(text, column.text) is None
        ]
    return found


def _cells(row: RawRow, layout: Layout) -> tuple[dict[str, Any], list[tuple[str, Issue]]]:
    values: dict[str, Any] = {}
    problems: list[tuple[str, Issue]] = []
    filled: set[str] = set()
    for column, index in layout.positions:
        unreadable = row.unreadable.get(index)
        if unreadable is not None:  # a formula without its value, #N/A: never read as empty
            problems.append((column.field, issue(row.number, column.header, unreadable)))
            continue
        text = unquote(row.cells[index]) if index < len(row.cells) else ""
        if not text:
            if column.required:
                problems.append((column.field, issue(row.number, column.header, "必填 (required)")))
            continue
        filled.add(column.header)
        shown = None if column.sensitive else text
        # Cells are request strings like any other: the same rule as Line/Prose fields,
        # reported here so that a lookup or parser never sees a control character.
        problem = cell_text_problem(text, column.text)
        if problem is not None:
            problems.append((column.field, issue(row.number, column.header, problem, shown)))
            continue
        try:
            value = column.parse(text) if column.parse else text
        except CellError as exc:
            problems.append((column.field, issue(row.number, column.header, str(exc), shown)))
            continue
        if values.get(column.field, value) != value:
            reason = "与同行其它列不符 (names another record than this row's other columns)"
            problems.append((column.field, issue(row.number, column.header, reason, shown)))
        values[column.field] = value
    for members in groups(column for column, _ in layout.positions).values():
        if not filled & {c.header for c in members}:
            either = " 或 ".join(c.header for c in members)
            found = issue(row.number, members[0].header, f"必填: {either} (required)")
            problems.append((members[0].field, found))
    return values, problems


def _validate(
    number: int, values: dict[str, Any], spec: Spec, skip: set[str]
) -> tuple[BaseModel | None, list[tuple[str, Issue]]]:
    try:
        return spec.model.model_validate(spec.extra | values), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            if name in skip:
                continue
            problems.append((name, issue(number, spec.header_of(name), reason_of(error))))
        return None, problems


def rejection_from(error: PingyiError, spec: Spec, rows: Sequence[Row]) -> Issue | None:
    """An application error about item i of the batch, as an issue about that item's row."""
    found = _BATCH_FIELD.match(error.field or "")
    if found is None or int(found.group(1)) >= len(rows):
        return None
    row = rows[int(found.group(1))]
    return issue(row.number, spec.header_of(found.group(2)), error.reason)
