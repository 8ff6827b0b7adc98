"""One sheet row → one questionnaire (the batch API's JSON item) and its cell problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from services.survey.schemas.choices import CHANNELS
from services.survey.uploads.header import Header
from services.survey.uploads.layout import Columns, Slot, UploadLayout, header_key
from services.survey.uploads.reading import Marks
from shared.contracts.survey import Channel
from shared.tabular import RawRow, cell_text_problem, unquote
from shared.web.echo import clip

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
_LIST_SEPARATOR = re.compile(r"[、;；]")
_MOMENT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T\s]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based spreadsheet row number as the agency sees it (header is row 1)
    column: str  # the column's header as typed ("" for none; a column letter if it has none)
    reason: str
    code: str  # bad_cell, missing_value, repeated, district
    field: str = ""  # the questionnaire field, as the JSON push names it (`ratings.<unit>`)
    questionnaire_id: str | None = None  # the row's, when it has a readable one


@dataclass
class Parsed:
    """A row read: the item (None if a cell was bad), its problems, and the column each of
    the item's opinions came from, in the item's order. `partial`: a row with a cell
    problem, as far as it read (its bad cells' fields left out or as far as they read:
    each problem's `field` names them), for the wave to judge the rest of it."""

    item: dict[str, Any] | None
    problems: list[RowError]
    opinion_columns: list[str]
    partial: dict[str, Any] | None = None


def questionnaire(
    row: RawRow, marks: Marks, header: Header, columns: Columns, layout: UploadLayout
) -> Parsed:
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
    opinions: list[tuple[int, dict[str, Any], str]] = []

    def bad(slot: Slot, typed: str, reason: str, code: str = "bad_cell") -> None:
        problems.append(RowError(row.number, typed, reason, code, slot.field))

    for index, slot, typed in header.positions:
        if index in marks:
            bad(slot, typed, marks[index])
            continue
        text = unquote(row.cells[index]) if index < len(row.cells) else ""
        if not text:
            if slot.required:
                bad(slot, typed, "必填 (required)", "missing_value")
            continue
        problem = cell_text_problem(text, "prose" if slot.kind == "opinion" else "line")
        if problem is not None:
            bad(slot, typed, problem)
            continue
        if slot.kind == "opinion":
            opinions.append((slot.order, {"unit_id": slot.unit_id, "text": text}, typed))
            continue
        for reason in _fill(item, slot, text, columns, layout):
            # A district outside the wave is what the JSON push calls it, not a bad cell.
            bad(slot, typed, reason, "district" if slot.kind == "district" else "bad_cell")
    problems += _headless(row, marks, header)
    # The general opinion first, then the units' in the wave's order, whatever the columns'.
    general = [o for o in opinions if o[1]["unit_id"] is None]
    tagged = sorted((o for o in opinions if o[1]["unit_id"] is not None), key=lambda o: o[0])
    ordered = [*general, *tagged]
    item["opinions"] = [opinion for _, opinion, _ in ordered]
    item["dimension_ratings"] = {
        unit_id: item["dimension_ratings"][unit_id]
        for unit_id in columns.unit_order
        if unit_id in item["dimension_ratings"]
    }
    qid = None if item["questionnaire_id"] is None else clip(item["questionnaire_id"])
    problems = [replace(p, questionnaire_id=qid) for p in problems]
    opinion_columns = [typed for _, _, typed in ordered]
    if problems:
        return Parsed(None, problems, opinion_columns, item)
    return Parsed(item, problems, opinion_columns)


def _fill(
    item: dict[str, Any], slot: Slot, text: str, columns: Columns, layout: UploadLayout
) -> list[str]:
    """Puts the cell's value in the item; or says why it cannot be one."""
    if slot.kind == "collected_at":
        moment = parse_moment(text)
        if isinstance(moment, str):
            return [moment]
        item["collected_at"] = moment.isoformat()
    elif slot.kind == "channel":
        channel = parse_channel(text)
        if channel is None:
            return [f"未知的渠道“{clip(text)}”，应为 {CHANNELS.listed} (unknown channel)"]
        item["channel"] = channel.value
    elif slot.kind == "rating":
        item["ratings"][slot.unit_id] = text
    elif slot.kind == "dimension":
        item["dimension_ratings"].setdefault(slot.unit_id, {})[slot.code] = text
    elif slot.kind == "recommendations":
        targets, reasons = _targets(text, columns)
        item["recommended_key_targets"] = targets
        return reasons
    elif slot.kind == "district":
        district = _district(text, layout)
        if district is None or district.startswith("!"):
            return [_district_reason(text, district)]
        item["district_id"] = district
    elif slot.kind == "respondent":
        item["respondent_id"] = text  # an id, checked as the JSON push's is
    elif slot.kind == "group":  # a code, or the group's name (服务对象), checked as JSON's
        item["group"] = layout.groups.get(header_key(text), text)
    else:  # questionnaire_id, survey_point, device: text as typed
        item[slot.kind] = text
    return []


def _district(text: str, layout: UploadLayout) -> str | None:
    """The district's id: the cell's, or the id of the one jurisdiction of the wave with
    that name; "!n" when n of them have it, None when none has."""
    try:
        return str(UUID(text))
    except ValueError:
        pass
    found = layout.districts.get(header_key(text), ())
    if len(found) == 1:
        return found[0]
    return f"!{len(found)}" if found else None


def _district_reason(text: str, district: str | None) -> str:
    if district is None:
        return (
            f"“{clip(text)}”不是本轮测评辖区内的区县，请填写区县名称或编号 "
            "(not a jurisdiction of the wave: write its name or id)"
        )
    return (
        f"有 {district[1:]} 个区县名为“{clip(text)}”，请填写其编号 "
        "(several jurisdictions have this name; write its id)"
    )


def _headless(row: RawRow, marks: Marks, header: Header) -> list[RowError]:
    """Cells under a column with no header: read by no one, so reported, never dropped."""
    read = {index for index, _, _ in header.positions} | header.ignored
    found: list[RowError] = []
    for index in sorted(set(range(len(row.cells))) | marks.keys()):
        text = row.cells[index] if index < len(row.cells) else ""
        if index in read or not (text or index in marks):
            continue
        reason = marks.get(index, "此列没有表头 (a value under a column without a header)")
        found.append(RowError(row.number, _letter(index), reason, "bad_cell"))
    return found


def _letter(index: int) -> str:
    """The column's letter as Excel shows it (0 → A, 26 → AA)."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _targets(text: str, columns: Columns) -> tuple[list[str], list[str]]:
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
    """A channel from its code (survey_point) or its Chinese label (测评点): the names a
    JSON push takes too (`CHANNELS`), read as a header is (a required-mark * ignored)."""
    found: Channel | None = CHANNELS.of(header_key(text))
    return found


def parse_moment(text: str) -> datetime | str:
    """An instant with its offset, or why the text is not one. ISO 8601 with an offset as
    sent by systems; a local time without one ("2026-05-01 10:00", "2026/5/1 10:00", as Excel
    writes dates in CSV, or an XLSX date cell) is Beijing time."""
    found = _MOMENT.fullmatch(text.strip())
    if found is None:
        return f"不是日期时间“{clip(text)}”，应如 2026-05-01 10:00 (not a date and time)"
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    if hour is None:
        return _without_time(text, int(year), int(month), int(day))
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


def _without_time(text: str, year: int, month: int, day: int) -> str:
    """Why a date without a time of day is not a moment: an impossible date (2017-13-01)
    is told first, as well as the missing time, or its writer fixes the time only to be
    told of the date next."""
    try:
        date(year, month, day)
    except ValueError:
        return (
            f"日期不存在“{clip(text)}”，且缺少时刻，应如 2026-05-01 10:00 "
            f"(no such date, and a time of day is needed)"
        )
    return f"缺少时刻“{clip(text)}”，应如 2026-05-01 10:00 (a time of day is needed)"


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)
