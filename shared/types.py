"""Request field types with the bounds every service applies.

Dates and times in evaluation work lie in this century; anything else is a typo, and far
years would also overflow time-zone arithmetic (a 500 instead of a clear 422).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def _within_years(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def _bounded_moment(value: datetime) -> datetime:
    _within_years(value)
    return value


Day = Annotated[date, AfterValidator(_within_years)]
"""A calendar day in 2000–2100."""

Moment = Annotated[AwareDatetime, AfterValidator(_bounded_moment)]
"""A point in time with its UTC offset (e.g. +08:00), in 2000–2100."""
