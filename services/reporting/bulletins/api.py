"""Bulletins for the offices that supervise tasks (督办, seed 001): 每周一报 for an ISO week
and 每月双报 for a month, over a jurisdiction and everything below it, generated from
inspection's published task facts (the `task_bulletins` view)."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request

from services.reporting.bulletins.compose import Names, Period, monthly, weekly
from services.reporting.bulletins.views import BEIJING, FACTS, TASKS
from services.reporting.errors import (
    BAD_MONTH,
    BAD_WEEK,
    NO_SUCH_JURISDICTION,
    BadPeriod,
    JurisdictionNotFound,
)
from shared.policy import Policy, PolicyRouter, allow, query
from shared.registry_view import RegistryView
from shared.types import Line
from shared.views import Document, ViewReader

router = PolicyRouter(tags=["reporting: bulletins (每周一报, 每月双报)"])
READ = Policy.read("office", scope=query("jurisdiction_id", "jurisdiction", "defer"))
Jurisdiction = Annotated[UUID, Query(description="The jurisdiction; its subtree is included")]


def _today() -> date:
    return datetime.now(BEIJING).date()


def _week(value: str) -> tuple[date, date]:
    # ASCII digits only: `\d` would take ２０２６ or ٢٠٢٦ for a year.
    found = re.fullmatch(r"([0-9]{4})-W([0-9]{2})", value)
    try:
        if found is None:
            raise ValueError(value)
        start = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        # The last ISO weeks of 9999 end in a year `date` cannot hold.
        return start, start + timedelta(days=6)
    except (ValueError, OverflowError):
        raise BadPeriod(BAD_WEEK, field="query.week") from None


def _month(value: str) -> tuple[date, date]:
    found = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        raise BadPeriod(BAD_MONTH, field="query.month")
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _period(start: date, end: date) -> Period:
    # While the period runs, the bulletin is as of today: nothing is overdue in advance.
    return Period(start, end, min(end, max(start, _today())))


def _reads(
    views: ViewReader, jurisdiction_id: UUID
) -> tuple[str, Names, list[Document], list[Document]]:
    """(the jurisdiction's name, unit names, tasks, facts) of its subtree, as one state of
    the views: a task assigned (or completed) between the tasks' read and the facts' would
    otherwise be counted in the facts and missing from the tasks (the assignment of a task the
    bulletin does not list), and a unit renamed meanwhile named two ways."""
    with views.snapshot() as snap:
        registry = RegistryView(snap)
        found = registry.jurisdiction(str(jurisdiction_id))
        if found is None:
            raise JurisdictionNotFound(NO_SUCH_JURISDICTION, field="query.jurisdiction_id")
        within = {"jurisdiction_id": registry.subtree(str(jurisdiction_id))}
        tasks = snap.everything(TASKS, where=within)
        facts = snap.everything(FACTS, where=within)
        units = registry.units_by_id({doc["unit_id"] for doc in [*tasks, *facts]})

    def names(unit_id: str) -> str:
        unit = units.get(unit_id)
        return unit_id if unit is None else str(unit["name"])

    return str(found.get("name") or ""), names, tasks, facts


# No length bound here: a value of the wrong length (2026-5, 2026-W9) is a bad period like any
# other, answered as `invalid_period` with the form it must take, not a count of characters.
Week = Annotated[Line, Query(description="ISO week, 2026-W09")]
Month = Annotated[Line, Query(description="2026-05")]


def weekly_of(views: ViewReader, jurisdiction_id: UUID, week: str) -> dict[str, Any]:
    start, end = _week(week)
    name, names, tasks, facts = _reads(views, jurisdiction_id)
    year, number, _ = start.isocalendar()
    title = f"{name}督办工作每周一报（{year}年第{number}周）"
    return weekly(
        title,
        _period(start, end),
        tasks,
        facts,
        names,
    ) | {"jurisdiction_id": str(jurisdiction_id), "week": week}


def monthly_of(views: ViewReader, jurisdiction_id: UUID, month: str) -> dict[str, Any]:
    start, end = _month(month)
    name, names, tasks, facts = _reads(views, jurisdiction_id)
    title = f"{name}督办工作每月双报（{start.year}年{start.month}月）"
    return monthly(
        title,
        month,
        _period(start, end),
        tasks,
        facts,
        names,
    ) | {"jurisdiction_id": str(jurisdiction_id)}


@router.get("/bulletins/weekly", **allow(READ))
def weekly_bulletin(request: Request, jurisdiction_id: Jurisdiction, week: Week) -> dict[str, Any]:
    """每周一报: the week's supervision, reports, milestones, completions and
    accountability; the tasks overdue; 进度最好 and 末位 units by on-time milestones."""
    return weekly_of(request.app.state.runtime.views, jurisdiction_id, week)


@router.get("/bulletins/monthly", **allow(READ))
def monthly_bulletin(
    request: Request, jurisdiction_id: Jurisdiction, month: Month
) -> dict[str, Any]:
    """每月双报: each open task's 推进专报 and 困难专报 for the month, the tasks that have not
    reported, the difficulties raised, the tasks overdue, and 进度最好 and 末位 units."""
    return monthly_of(request.app.state.runtime.views, jurisdiction_id, month)
