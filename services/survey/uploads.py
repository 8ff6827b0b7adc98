"""An uploaded sheet of questionnaires (CSV or XLSX) → the survey batch API's JSON items.

Pure: no store is read or written. The caller builds an `UploadLayout` from the wave (its
units in order, the template's dimensions, whether it asks opinions and recommendations),
calls `parse_questionnaires`, validates each returned item with the same pydantic model as a
JSON push, and reports the `RowError`s (and any validation errors, mapped to the returned row
numbers) in one list. Answers are passed on as typed: whether they belong to the wave's
scale is the wave's decision, not the sheet's.

The sheet: one header row (the first row naming a known column, so a title line above it
does no harm), then one questionnaire per row. Columns, matched on NFKC-normalised text
without whitespace or a trailing "*", case-insensitively:

- 问卷编号 / questionnaire_id (required): the agency's id of the questionnaire;
- 采集时间 / collected_at (required): ISO 8601 with an offset, or a local time such as
  "2026-05-01 10:00" or "2026/5/1 10:00" (as Excel writes it in CSV), read as Asia/Shanghai;
- 测评点 / survey_point: the point's code; 群体 / group, 设备 / device: codes, passed on;
- 渠道 / channel: a channel code (survey_point, paper, ...) or its label in `CHANNEL_LABELS`;
- <unit name> or <unit id> (required): the unit's overall rating; empty: not rated;
- <unit>|<dimension name or code> (optional): the unit's rating on that evaluation content;
- 意见建议 / opinion: an opinion not tagged to a unit, and <unit>|意见建议, one about that
  unit (when the template asks for opinions);
- 推荐重点评议对象 / recommended_key_targets: unit names or ids separated by 、 or ; (when the
  template asks for recommendations).

When two units share a name (or a name equals another column's header), their name is
ambiguous: headers must then name them by id, which `layout_template` does by itself. Every
problem found is reported: header problems on the header's row, cell problems on the
cell's row, each with the header as typed. Rows with a problem are not returned.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from shared.contracts.survey import CHANNEL_LABELS, Channel
from shared.tabular import (
    RawRow,
    Sheet,
    cell_text_problem,
    check_size,
    iter_rows,
    to_csv,
    to_xlsx,
    too_many_rows,
    unquote,
)
from shared.web.echo import clip

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
SEPARATOR = "|"
OPINION_HEADER = "意见建议"
RECOMMENDATION_HEADER = "推荐重点评议对象"
TEMPLATE_TITLE = "问卷录入"

SlotKind = Literal[
    "questionnaire_id",
    "collected_at",
    "survey_point",
    "channel",
    "group",
    "device",
    "rating",
    "dimension",
    "opinion",
    "recommendations",
]

_FIXED: tuple[tuple[SlotKind, str, tuple[str, ...], bool], ...] = (
    ("questionnaire_id", "问卷编号", ("questionnaire_id",), True),
    ("collected_at", "采集时间", ("collected_at",), True),
    ("survey_point", "测评点", ("survey_point",), False),
    ("channel", "渠道", ("channel",), False),
    ("group", "群体", ("group",), False),
    ("device", "设备", ("device",), False),
)
_OPINION_ALIASES = (OPINION_HEADER, "opinion", "opinions")
_IGNORED = frozenset({"序号", "#"})
_SPACE = re.compile(r"\s+")
_LIST_SEPARATOR = re.compile(r"[、;；]")
_MOMENT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T\s]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class UploadLayout:
    """What the wave expects, built by the caller from the wave and its template."""

    units: Sequence[tuple[str, str]]  # (unit_id, unit name) in the wave's order
    dimensions: Sequence[tuple[str, str]]  # (code, name) of the template's dimensions
    opinions: bool  # the template asks for opinions
    recommendations: bool  # the template asks for key-target recommendations


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based spreadsheet row number as the agency sees it (header is row 1)
    field: str  # column header text as typed, or the field's name
    reason: str
    code: str  # bad_cell, missing_value, duplicate_id, unknown_column, missing_column, ...


@dataclass(frozen=True)
class _Slot:
    """One column the layout expects: what it fills and the header the template writes."""

    order: int
    kind: SlotKind
    header: str
    unit_id: str | None = None
    code: str | None = None
    required: bool = False


@dataclass
class _Columns:
    slots: list[_Slot]
    index: dict[str, list[_Slot]]  # header key → the slots it may name
    unit_keys: dict[str, list[str]]  # unit name or id key → unit ids (for recommendations)
    unit_order: list[str]


@dataclass
class _Header:
    row: int
    positions: list[tuple[int, _Slot, str]] = field(default_factory=list)  # index, slot, typed
    errors: list[RowError] = field(default_factory=list)


def header_key(text: str) -> str:
    """How headers and names are compared: NFKC (full-width ｜ is |), no whitespace, no
    required-marks, case-insensitive."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).strip("*").casefold()


# ---------------------------------------------------------------------------- the layout


def _labels(pairs: Sequence[tuple[str, str]], taken: set[str]) -> list[str]:
    """Each (id, name) by name, unless the name is shared with another entry (or with a
    header in `taken`): then by id."""
    counts: dict[str, int] = {}
    for ident, name in pairs:
        for key in {header_key(ident), header_key(name)}:
            counts[key] = counts.get(key, 0) + 1
    return [
        name if counts[header_key(name)] == 1 and header_key(name) not in taken else ident
        for ident, name in pairs
    ]


def _columns(layout: UploadLayout) -> _Columns:
    slots: list[_Slot] = []
    names: dict[_Slot, list[str]] = {}

    def add(slot: _Slot, *accepted: str) -> None:
        slots.append(slot)
        names[slot] = list(accepted)

    for kind, header, aliases, required in _FIXED:
        add(_Slot(len(slots), kind, header, required=required), header, *aliases)
    fixed = {header_key(n) for accepted in names.values() for n in accepted}
    fixed |= {header_key(n) for n in (*_OPINION_ALIASES, RECOMMENDATION_HEADER)}
    unit_labels = _labels(layout.units, fixed)
    opinion_keys = {header_key(n) for n in _OPINION_ALIASES} if layout.opinions else set()
    dimension_labels = _labels(layout.dimensions, opinion_keys)
    for (unit_id, name), unit_label in zip(layout.units, unit_labels, strict=True):
        # A name that is another column's header never names the unit: its id does.
        unit_names = (unit_id,) if header_key(name) in fixed else (unit_id, name)
        add(_Slot(len(slots), "rating", unit_label, unit_id, required=True), *unit_names)
        for (code, dimension), dimension_label in zip(
            layout.dimensions, dimension_labels, strict=True
        ):
            header = f"{unit_label}{SEPARATOR}{dimension_label}"
            slot = _Slot(len(slots), "dimension", header, unit_id, code, required=False)
            dimension_names = (
                (code,) if header_key(dimension) in opinion_keys else (code, dimension)
            )
            add(slot, *(f"{u}{SEPARATOR}{d}" for u in unit_names for d in dimension_names))
        if layout.opinions:
            header = f"{unit_label}{SEPARATOR}{OPINION_HEADER}"
            slot = _Slot(len(slots), "opinion", header, unit_id)
            add(slot, *(f"{u}{SEPARATOR}{o}" for u in unit_names for o in _OPINION_ALIASES))
    if layout.opinions:
        add(_Slot(len(slots), "opinion", OPINION_HEADER), *_OPINION_ALIASES)
    if layout.recommendations:
        slot = _Slot(len(slots), "recommendations", RECOMMENDATION_HEADER)
        add(slot, RECOMMENDATION_HEADER, "recommended_key_targets")
    index: dict[str, list[_Slot]] = {}
    for slot in slots:
        for key in {header_key(name) for name in names[slot]}:
            index.setdefault(key, []).append(slot)
    unit_keys: dict[str, list[str]] = {}
    for unit_id, name in layout.units:
        for key in {header_key(unit_id), header_key(name)}:
            unit_keys.setdefault(key, []).append(unit_id)
    return _Columns(slots, index, unit_keys, [unit_id for unit_id, _ in layout.units])


def layout_template(layout: UploadLayout, fmt: Literal["csv", "xlsx"]) -> bytes:
    """An empty sheet whose header row is every column the layout reads, in the order the
    parser expects them: the fixed columns, then per unit its rating, its dimensions and its
    opinion, then the general opinion and the recommendations. Units (dimensions) sharing a
    name are headed by id (code), so the template always parses back."""
    headers = [slot.header for slot in _columns(layout).slots]
    sheet = Sheet(TEMPLATE_TITLE, headers, [])
    return to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)


# ---------------------------------------------------------------------------- parsing


def parse_questionnaires(
    data: bytes, filename: str, layout: UploadLayout
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """The questionnaires of the sheet, each with its row number, as the batch API's JSON
    items, and every problem found. A file that is not a readable table at all (empty,
    damaged, another format, too large, more than MAX_ROWS rows) raises the kernel's
    `shared.tabular` errors instead."""
    check_size(data, MAX_BYTES)
    columns = _columns(layout)
    width = 2 * len(columns.slots) + 20  # room for unknown columns to be reported
    with closing(iter_rows(data, filename=filename, max_columns=width)) as rows:
        found = _non_blank(rows)
        header = _locate(found, columns)
        if isinstance(header, RowError):
            return [], [header]
        errors = list(header.errors)
        parsed: list[tuple[int, dict[str, Any]]] = []
        first_row: dict[str, int] = {}
        count = 0
        for row in found:
            count += 1
            if count > MAX_ROWS:
                raise too_many_rows(MAX_ROWS)
            item, problems = _questionnaire(row, header, columns)
            qid = None if item is None else item["questionnaire_id"]
            if qid is not None:
                if qid in first_row:
                    reason = (
                        f"问卷编号 {clip(qid)} 与第 {first_row[qid]} 行重复 "
                        f"(questionnaire_id repeats row {first_row[qid]})"
                    )
                    field = _typed(header, "questionnaire_id")
                    problems.append(RowError(row.number, field, reason, "duplicate_id"))
                else:
                    first_row[qid] = row.number
            if problems:
                errors.extend(problems)
            elif item is not None:
                parsed.append((row.number, item))
    if count == 0:
        errors.append(RowError(header.row, "", "没有数据行 (no data rows)", "no_rows"))
    return parsed, errors


def _non_blank(rows: Iterator[RawRow]) -> Generator[RawRow, None, None]:
    for row in rows:
        if not row.blank:
            yield row


def _locate(rows: Iterator[RawRow], columns: _Columns) -> _Header | RowError:
    """The header is the first row naming a known column among the first few rows."""
    first: int | None = None
    for _ in range(HEADER_SEARCH_ROWS):
        row = next(rows, None)
        if row is None:
            break
        first = row.number if first is None else first
        if any(header_key(cell) in columns.index for cell in row.cells if cell):
            return _header(row, columns)
    expected = "、".join(slot.header for slot in columns.slots if slot.required)
    reason = f"未找到表头，应有列 {clip(expected)} (no header row found)"
    return RowError(first or 1, "", reason, "missing_header")


def _header(row: RawRow, columns: _Columns) -> _Header:
    header = _Header(row.number)
    seen: dict[_Slot, str] = {}
    maybe: set[_Slot] = set()  # named by an ambiguous header: not reported missing as well
    for index, text in enumerate(row.cells):
        key = header_key(text)
        if not key or key in _IGNORED:
            continue
        typed = clip(text)
        slots = columns.index.get(key, [])
        if not slots:
            header.errors.append(
                RowError(row.number, typed, "未知的列 (unknown column)", "unknown_column")
            )
        elif len(slots) > 1:
            maybe.update(slots)
            choices = "、".join(clip(slot.header) for slot in slots)
            reason = (
                f"列名有歧义（同名单位或列），请改用其中之一：{choices} "
                f"(ambiguous header: several units or columns have this name; use their ids)"
            )
            header.errors.append(RowError(row.number, typed, reason, "ambiguous_column"))
        elif slots[0] in seen:
            reason = f"与列“{seen[slots[0]]}”重复 (column appears twice)"
            header.errors.append(RowError(row.number, typed, reason, "duplicate_column"))
        else:
            seen[slots[0]] = typed
            header.positions.append((index, slots[0], typed))
    for slot in columns.slots:
        if slot.required and slot not in seen and slot not in maybe:
            header.errors.append(
                RowError(
                    row.number,
                    slot.header,
                    "缺少必需的列 (required column is missing)",
                    "missing_column",
                )
            )
    return header


def _typed(header: _Header, kind: SlotKind) -> str:
    return next((typed for _, slot, typed in header.positions if slot.kind == kind), kind)


def _questionnaire(
    row: RawRow, header: _Header, columns: _Columns
) -> tuple[dict[str, Any] | None, list[RowError]]:
    item: dict[str, Any] = {
        "questionnaire_id": None,
        "collected_at": None,
        "survey_point": None,
        "channel": None,
        "group": None,
        "device": None,
        "ratings": {},
        "dimension_ratings": {},
        "opinions": [],
        "recommended_key_targets": [],
    }
    problems: list[RowError] = []
    opinions: list[tuple[int, dict[str, Any]]] = []

    def bad(typed: str, reason: str, code: str = "bad_cell") -> None:
        problems.append(RowError(row.number, typed, reason, code))

    for index, slot, typed in header.positions:
        text = unquote(row.cells[index]) if index < len(row.cells) else ""
        if not text:
            if slot.required and slot.kind in ("questionnaire_id", "collected_at"):
                bad(typed, "必填 (required)", "missing_value")
            continue
        problem = cell_text_problem(text, "prose" if slot.kind == "opinion" else "line")
        if problem is not None:
            bad(typed, problem)
            continue
        if slot.kind == "collected_at":
            moment = parse_moment(text)
            if isinstance(moment, str):
                bad(typed, moment)
            else:
                item["collected_at"] = moment.isoformat()
        elif slot.kind == "channel":
            channel = parse_channel(text)
            if channel is None:
                accepted = "、".join(
                    f"{label}/{code.value}" for code, label in CHANNEL_LABELS.items()
                )
                bad(typed, f"未知的渠道“{clip(text)}”，应为 {accepted} (unknown channel)")
            else:
                item["channel"] = channel.value
        elif slot.kind == "rating":
            item["ratings"][slot.unit_id] = text
        elif slot.kind == "dimension":
            item["dimension_ratings"].setdefault(slot.unit_id, {})[slot.code] = text
        elif slot.kind == "opinion":
            opinions.append((slot.order, {"unit_id": slot.unit_id, "text": text}))
        elif slot.kind == "recommendations":
            targets, reasons = _targets(text, columns)
            for reason in reasons:
                bad(typed, reason)
            item["recommended_key_targets"] = targets
        else:  # questionnaire_id, survey_point, group, device: text as typed
            item[slot.kind] = text
    # The general opinion first, then the units' in the wave's order, whatever the columns'.
    general = [o for o in opinions if o[1]["unit_id"] is None]
    tagged = sorted((o for o in opinions if o[1]["unit_id"] is not None), key=lambda o: o[0])
    item["opinions"] = [opinion for _, opinion in (*general, *tagged)]
    item["dimension_ratings"] = {
        unit_id: item["dimension_ratings"][unit_id]
        for unit_id in columns.unit_order
        if unit_id in item["dimension_ratings"]
    }
    return (None if problems else item), problems


def _targets(text: str, columns: _Columns) -> tuple[list[str], list[str]]:
    targets: list[str] = []
    reasons: list[str] = []
    for part in _LIST_SEPARATOR.split(text):
        name = part.strip()
        if not name:
            continue
        units = columns.unit_keys.get(header_key(name), [])
        if not units:
            reasons.append(f"“{clip(name)}”不是本轮参评单位 (not a unit of this wave)")
        elif len(units) > 1:
            reasons.append(
                f"有 {len(units)} 个单位名为“{clip(name)}”，请填写单位编号 "
                f"(several units have this name; write its id)"
            )
        elif units[0] not in targets:
            targets.append(units[0])
    return targets, reasons


def parse_channel(text: str) -> Channel | None:
    """A channel from its code (survey_point) or its Chinese label (测评点)."""
    key = header_key(text)
    for channel, label in CHANNEL_LABELS.items():
        if key in (header_key(channel.value), header_key(label)):
            return channel
    return None


def parse_moment(text: str) -> datetime | str:
    """An instant with its offset, or why the text is not one. ISO 8601 with an offset as
    sent by systems; a local time without one ("2026-05-01 10:00", "2026/5/1 10:00", as Excel
    writes dates in CSV, or an XLSX date cell) is Beijing time."""
    found = _MOMENT.fullmatch(text.strip())
    if found is None:
        return f"不是日期时间“{clip(text)}”，应如 2026-05-01 10:00 (not a date and time)"
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    if hour is None:
        return f"缺少时刻“{clip(text)}”，应如 2026-05-01 10:00 (a time of day is needed)"
    try:
        zone = SHANGHAI if offset is None else _offset(offset)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        return f"日期时间不存在“{clip(text)}” (no such date or time)"


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)
