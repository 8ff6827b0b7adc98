"""每周一报 and 每月双报 worked out from the `task_bulletins` view: pure functions of the
tasks, their dated facts, the period and the day the bulletin is as of (the period's last
day, or today while the period is still running).

On a day D a milestone is overdue when its due date is before D and it was not confirmed
reached on or before D; a task is overdue when a milestone is, or its own due date is before
D and it was not completed by D. A unit's standing is the share of its milestones due by D
that were confirmed reached on or before their due date (按期完成率), then fewer overdue
tasks: the units at the top are 进度最好, those at the bottom 末位 (neither when all are
level); units level on both are listed by name in pinyin order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from services.reporting.bulletins.views import KIND_NAMES
from shared.text_order import pinyin_key
from shared.views import Document

_CTX = Context(prec=28, rounding=ROUND_HALF_UP)
_HUNDREDTH = Decimal("0.01")
Names = Callable[[str], str]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    as_of: date

    def holds(self, day: str) -> bool:
        return self.start.isoformat() <= day <= self.end.isoformat()


def _on_or_before(value: str | None, day: date) -> bool:
    return value is not None and value <= day.isoformat()


def overdue_milestones(task: Document, day: date) -> list[Document]:
    return [
        {"name": ms["name"], "due_on": ms["due_on"]}
        for ms in task["milestones"]
        if ms["due_on"] < day.isoformat() and not _on_or_before(ms["confirmed_on"], day)
    ]


def is_overdue(task: Document, day: date) -> bool:
    late = task["due_on"] < day.isoformat() and not _on_or_before(task["completed_on"], day)
    return late or bool(overdue_milestones(task, day))


def status(task: Document, day: date) -> str:
    if _on_or_before(task["completed_on"], day):
        return "已办结"
    started = any(_on_or_before(r["reported_on"], day) for r in task["reports"].values()) or any(
        _on_or_before(ms["reported_on"], day) or _on_or_before(ms["confirmed_on"], day)
        for ms in task["milestones"]
    )
    return "推进中" if started else "已交办"


def standings(tasks: Iterable[Document], day: date, names: Names) -> list[Document]:
    """Every unit with a milestone due by `day`, best first."""
    due: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for task in tasks:
        unit = task["unit_id"]
        overdue[unit] += is_overdue(task, day)
        for ms in task["milestones"]:
            if ms["due_on"] <= day.isoformat():
                due[unit] += 1
                reached = ms["confirmed_on"]
                on_time[unit] += _on_or_before(reached, day) and reached <= ms["due_on"]
    rows: list[Document] = [
        {
            "unit_id": unit,
            "unit_name": names(unit),
            "milestones_due": count,
            "on_time": on_time[unit],
            "on_time_rate": str(
                _CTX.divide(Decimal(on_time[unit] * 100), Decimal(count)).quantize(
                    _HUNDREDTH, context=_CTX
                )
            ),
            "overdue_tasks": overdue[unit],
        }
        for unit, count in due.items()
    ]
    # Units level on both counts are listed as a reader looks a name up (pinyin), not by
    # code point; the id keeps two units of the same name apart.
    rows.sort(key=lambda r: (*_standing(r), pinyin_key(r["unit_name"]), r["unit_id"]))
    return rows


def _standing(row: Document) -> tuple[Decimal, int]:
    """Lower is better: the on-time rate, highest first, then fewer overdue tasks."""
    return -Decimal(row["on_time_rate"]), row["overdue_tasks"]


def best_and_last(rows: list[Document]) -> tuple[list[Document], list[Document]]:
    """进度最好 and 末位: the units level at the top and at the bottom, none of either when
    every unit is level (naming them all 进度最好 would commend units that did nothing)."""
    if not rows:
        return [], []
    top, bottom = _standing(rows[0]), _standing(rows[-1])
    if top == bottom:
        return [], []
    return [r for r in rows if _standing(r) == top], [r for r in rows if _standing(r) == bottom]


def _overdue_list(tasks: list[Document], day: date, names: Names) -> list[Document]:
    return [
        {
            "task_id": t["task_id"],
            "title": t["title"],
            "unit_name": names(t["unit_id"]),
            "due_on": t["due_on"],
            "overdue_milestones": overdue_milestones(t, day),
        }
        for t in tasks
        if is_overdue(t, day)
    ]


def _common(
    period: Period, tasks: list[Document], facts: list[Document], names: Names
) -> dict[str, Any]:
    known = [t for t in tasks if t["assigned_on"] <= period.as_of.isoformat()]
    titles = {t["task_id"]: t["title"] for t in tasks}
    shown = [
        f | {"title": titles.get(f["task_id"], ""), "unit_name": names(f["unit_id"])}
        for f in facts
        if period.holds(f["on"]) and f["on"] <= period.as_of.isoformat()
    ]
    rows = standings(known, period.as_of, names)
    best, last = best_and_last(rows)
    kinds = Counter(f["kind"] for f in shown)
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "as_of": period.as_of.isoformat(),
        },
        "tasks": known,
        "counts": {
            "tasks": len(known),
            "assigned": kinds["assigned"],
            "supervised": dict(Counter(f["method"] for f in shown if f["kind"] == "supervised")),
            "reports": kinds["report"] + kinds["report_corrected"],
            "milestones_confirmed": kinds["milestone_confirmed"],
            "completed": kinds["completed"],
            "accountability": kinds["accountability"],
            "overdue": sum(is_overdue(t, period.as_of) for t in known),
        },
        "facts": [{k: v for k, v in f.items() if k != "sort"} for f in shown],
        "overdue": _overdue_list(known, period.as_of, names),
        "standings": rows,
        "best": best,
        "last_place": last,
    }


def weekly(
    title: str, period: Period, tasks: list[Document], facts: list[Document], names: Names
) -> Document:
    """每周一报: the week's facts, what is overdue, and the units' standings."""
    found = _common(period, tasks, facts, names)
    found.pop("tasks")
    return {"bulletin": "每周一报", "title": title, **found}


def monthly(
    title: str,
    month: str,
    period: Period,
    tasks: list[Document],
    facts: list[Document],
    names: Names,
) -> Document:
    """每月双报: each open task's 推进专报 and 困难专报 for the month, who has not reported,
    the difficulties raised, what is overdue, and the units' standings."""
    found = _common(period, tasks, facts, names)
    start = period.start.isoformat()
    open_tasks = [
        t for t in found.pop("tasks") if t["completed_on"] is None or t["completed_on"] >= start
    ]
    rows = [_report_row(t, month, period.as_of, names) for t in open_tasks]
    return {
        "bulletin": "每月双报",
        "title": title,
        "month": month,
        "reports": rows,
        "not_reported": [r for r in rows if not r["reported"]],
        "difficulties": [r for r in rows if r["reported"] and r["difficulties"].strip()],
        **found,
    }


def _report_row(task: Document, month: str, day: date, names: Names) -> Document:
    report = task["reports"].get(month)
    return {
        "task_id": task["task_id"],
        "title": task["title"],
        "kind": KIND_NAMES.get(task["kind"], task["kind"]),
        "unit_id": task["unit_id"],
        "unit_name": names(task["unit_id"]),
        "status": status(task, day),
        "overdue": is_overdue(task, day),
        "reported": report is not None,
        "progress": "" if report is None else report["progress"],
        "difficulties": "" if report is None else report["difficulties"],
        "correction_reason": None if report is None else report["correction_reason"],
    }
