"""Working days (工作日) for deadlines: 整改 in N working days, complaints by type.

Mainland public holidays and the make-up working days (调休) come from the `chinesecalendar`
library, which carries the State Council's notices (2004 to its latest release). A year it
does not know yet, or a local adjustment, comes from a data file named by
`PINGYI_INSPECTION_CALENDAR` (YAML: `holidays: [dates]`, `workdays: [dates]`), which wins
over the library; beyond both, Monday to Friday are working days. Nothing is typed into code.

Which years each source knows is said, not hidden (docs/inspection.md, "Years the calendar
does not know"): `WorkCalendar.source(year)`, a warning at start for this year or the next
known to neither, and `deadline_basis` on every deadline answered.

A deadline is stored as counted when it was set, with what it was counted from (the day and
the working days); the deadline answered is recounted from those on the calendar in force
(`WorkCalendar.recount`), so a year's calendar supplied later moves the deadlines counted
before it on weekdays only, without changing anything stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import Literal, TypedDict

import chinese_calendar
import yaml

from shared.contracts.registry import china_date
from shared.service.application import PublishingApplication

MAX_WORKING_DAYS = 366
CALENDAR_ENV = "PINGYI_INSPECTION_CALENDAR"


def china_today() -> date:
    """The day in China: deadlines, dispatches and overdue-ness are counted on it."""
    return china_date(datetime.now(UTC))


class CalendarFileError(ValueError):
    """The calendar file cannot be used: said at start (the settings read it), rather than
    as a 500 on the first deadline counted, or a misspelt key silently counting nothing."""


CALENDAR_KEYS = ("holidays", "workdays")

Source = Literal["library", "file", "weekdays_only"]
Basis = Literal["calendar", "weekdays_only"]


class YearSource(TypedDict):
    year: int
    source: Source


@cache
def library_knows(year: int) -> bool:
    """Probed rather than typed in: a release of `chinesecalendar` raises NotImplementedError
    for a year its notices do not reach, so installing a newer one is all it takes."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        """The file's holidays and make-up working days; a file that cannot be read, or
        holds anything but lists of days under `holidays:` and `workdays:`, is refused with
        a `CalendarFileError` naming what is wrong."""
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
            raise CalendarFileError(f"{CALENDAR_ENV} {path}: {error}") from None
        data = {} if data is None else data
        if not isinstance(data, dict) or not set(data) <= set(CALENDAR_KEYS):
            raise CalendarFileError(
                f"{CALENDAR_ENV} {path}: holds only `holidays:` and `workdays:`, each a list "
                "of days (YYYY-MM-DD)"
            )
        return cls(*(frozenset(_days(path, data, key)) for key in CALENDAR_KEYS))

    def is_workday(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def source(self, year: int) -> Source:
        """Where the year's holidays come from. The file covers a year when it lists 1
        January (元旦) of it among `holidays:`: every State Council notice starts with it, so
        a file carrying a year's notice lists it, while a file adding one local day off or a
        调休 for a year does not make the year's national holidays known."""
        if library_knows(year):
            return "library"
        if date(year, 1, 1) in self.holidays:
            return "file"
        return "weekdays_only"

    def coverage(self, today: date) -> dict[int, Source]:
        """Last year, this year and next year (around `today`, China's) by source."""
        return {year: self.source(year) for year in range(today.year - 1, today.year + 2)}

    def deadline_basis(self, start: date, due: date) -> Basis:
        """`weekdays_only` when a day counted from `start` (not itself counted) up to `due`
        lies in a year neither source knows: the deadline may fall on, or count, a holiday."""
        first = start + timedelta(days=1)
        years = range(first.year, due.year + 1)
        unknown = any(self.source(year) == "weekdays_only" for year in years)
        return "weekdays_only" if unknown else "calendar"

    def years_counted(self, start: date, due: date) -> list[YearSource]:
        """The years the days after `start` up to `due` lie in, each with its source: which
        calendar a deadline was read on (`deadline_years`)."""
        first = start + timedelta(days=1)
        return [
            {"year": year, "source": self.source(year)}
            for year in range(first.year, max(first.year, due.year) + 1)
        ]

    def recount(self, start: date, days: int, stored: date) -> date:
        """The deadline in force: `days` working days after `start` on this calendar, never
        before `stored`, the day counted when it was set (and told to the unit). A year's
        holidays supplied after a deadline was counted on its weekdays move it later; a
        make-up working day (调休) supplied later does not bring a day already told forward,
        so no unit is overdue before the day it was given."""
        return max(stored, self.add_working_days(start, days))

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (start itself not counted): a notice
        served on Friday with 1 working day is due on the next working day."""
        if not 0 <= days <= MAX_WORKING_DAYS:
            raise ValueError(f"between 0 and {MAX_WORKING_DAYS} working days")
        day = start
        remaining = days
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def _days(path: Path, data: dict[str, object], key: str) -> list[date]:
    listed = data.get(key)
    if listed is None:
        return []
    if not isinstance(listed, list):
        raise CalendarFileError(f"{CALENDAR_ENV} {path}: `{key}:` must be a list of days")
    days = []
    for item in listed:
        try:
            days.append(item if type(item) is date else date.fromisoformat(str(item)))
        except ValueError:
            raise CalendarFileError(
                f"{CALENDAR_ENV} {path}: `{key}:` holds {item!r}, not a day (YYYY-MM-DD)"
            ) from None
    return days


def unknown_years_warning(calendar: WorkCalendar, today: date) -> str | None:
    """What the service says at start when this year or the next is known to neither
    source; None when both are known."""
    years = [y for y in (today.year, today.year + 1) if calendar.source(y) == "weekdays_only"]
    if not years:
        return None
    named = ", ".join(str(year) for year in years)
    return (
        f"工作日历不知道 {named} 年的节假日和调休, 这些年的整改和投诉期限只按周一至周五计算; "
        f"请在 {CALENDAR_ENV} 指定的日历文件中列出该年的 holidays: (含 1 月 1 日) 和 workdays: "
        f"(the working-day calendar does not know the holidays and make-up days of {named}: "
        "deadlines counted in them count Monday to Friday only; list the year's holidays "
        f"(1 January among them) and workdays in the file {CALENDAR_ENV} names)"
    )


class WorkingDays(PublishingApplication):
    """The calendar every inspection area counts deadlines on (a mixin of the application):
    read once from `PINGYI_INSPECTION_CALENDAR` in the application's environment."""

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        named = self.env.get(CALENDAR_ENV)
        return WorkCalendar.from_file(Path(named) if named else None)
