"""Working days (工作日) for deadlines: 整改 in N working days, complaints by type.

Mainland public holidays and the make-up working days (调休) come from the `chinesecalendar`
library, which carries the State Council's notices (2004 to its latest release). A year it
does not know yet, or a local adjustment, comes from a data file named by
`PINGYI_INSPECTION_CALENDAR` (YAML: `holidays: [dates]`, `workdays: [dates]`), which wins
over the library; beyond both, Monday to Friday are working days. Nothing is typed into code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

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


class WorkingDays(PublishingApplication):
    """The calendar every inspection area counts deadlines on (a mixin of the application):
    read once from `PINGYI_INSPECTION_CALENDAR` in the application's environment."""

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        named = self.env.get(CALENDAR_ENV)
        return WorkCalendar.from_file(Path(named) if named else None)
