"""The one rule for the days inspection records name (a notice issued, a task supervised, a
veto decided, a hotline appearance…): never after today in China, and never before the
record they follow (a finding before its visit, a notice before its findings, a report
before its task). Each area raises its own error, naming the field, with the same words.

Instants (`found_at`, `conducted_at`) keep their own rule in `domain._found_at`: a clock
tolerance, since they come from inspectors' devices; a day has none to allow for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.inspection.errors import InspectionError

FUTURE = "不能晚于今天 (lies in the future)"


@dataclass(frozen=True)
class Window:
    """The days a campaign round (or, with no round named, its whole cycle) covers."""

    starts_on: date
    ends_on: date

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def describe(self) -> str:
        return f"{self.starts_on.isoformat()} to {self.ends_on.isoformat()}"


def not_future(day: date, today: date, field: str, error: type[InspectionError]) -> date:
    if day > today:
        raise error(FUTURE, field=field)
    return day


def not_before(
    day: date, earliest: date, what: tuple[str, str], field: str, error: type[InspectionError]
) -> date:
    """`what`: the earlier record as the answer names it, in Chinese and in English
    (("走访计划日期", "the visit was planned"))."""
    if day < earliest:
        zh, en = what
        on = earliest.isoformat()
        raise error(f"不能早于{zh} {on} (lies before {en} ({on}))", field=field)
    return day


def within(day: date, window: Window | None, field: str, error: type[InspectionError]) -> date:
    if window is not None and not window.holds(day):
        span = window.describe()
        raise error(
            f"不在评议活动本轮期间 {span.replace(' to ', ' 至 ')} 内 "
            f"(lies outside the campaign round ({span}))",
            field=field,
        )
    return day
