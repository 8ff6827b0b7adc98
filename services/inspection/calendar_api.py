"""Which years the working-day calendar knows, and from where: `GET /calendar`, and the
warning said at start when this year or the next is known to neither source.

The kernel offers a service no readiness check of its own (and an unknown year is no reason
to take a replica out of rotation), so the coverage is a read route of inspection's; the
warning is said by the API process when it starts (`ServiceDefinition.on_start`): opening
inspection's log elsewhere (a consumer in another service, the relay process) says
nothing."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any

from fastapi import Depends
from pydantic import BaseModel, Field

from services.inspection.schemas import YearOut
from services.inspection.workdays import (
    CALENDAR_ENV,
    WorkCalendar,
    WorkingDays,
    china_today,
    unknown_years_warning,
)
from shared.http import application_of
from shared.policy import Policy, PolicyRouter, allow
from shared.runtime import ServiceRuntime

log = logging.getLogger("pingyi.inspection.calendar")

router = PolicyRouter(tags=["inspection"])
CalendarApp = Annotated[WorkingDays, Depends(application_of(WorkingDays))]


class CalendarOut(BaseModel):
    today: str = Field(description="Today in China, around which the years are taken")
    setting: str = Field(description="The setting naming the calendar file")
    file: bool = Field(description="Whether a calendar file is in use")
    years: list[YearOut] = Field(description="Last year, this year and next year")


@router.get("/calendar", response_model=CalendarOut, **allow(Policy.read("office", "inspector")))
def read_calendar(app: CalendarApp) -> dict[str, Any]:
    """Which source the working days of last year, this year and next year come from, so a
    year whose deadlines count weekdays only is seen before a deadline falls on 春节."""
    calendar = app.work_calendar
    today = china_today()
    return {
        "today": today.isoformat(),
        "setting": CALENDAR_ENV,
        "file": bool(app.env.get(CALENDAR_ENV)),
        "years": [{"year": y, "source": s} for y, s in calendar.coverage(today).items()],
    }


def warn_at_start(runtime: ServiceRuntime) -> None:
    """The service's `on_start`: said by the API process when it starts."""
    application = runtime.application
    assert isinstance(application, WorkingDays)
    warn_of_unknown_years(application.work_calendar, china_today())


def warn_of_unknown_years(calendar: WorkCalendar, today: date) -> None:
    warning = unknown_years_warning(calendar, today)
    if warning is not None:
        log.warning(warning, extra={"setting": CALENDAR_ENV})
