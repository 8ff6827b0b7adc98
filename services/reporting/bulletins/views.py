"""The `task_bulletins` view: every supervised task (督办) as inspection published it, and
one document per fact with the date it happened on (the business date the fact states:
supervised, reached, completed; else the day it was recorded, in Beijing time), so a
bulletin can take a week's or a month's facts in one indexed query and work out each task's
state on any day. Nothing is derived here: overdue and rankings are worked out when read."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts import IntegrationMessage
from shared.contracts.inspection_tasks import (
    AccountabilityRecorded,
    MilestoneConfirmed,
    MilestoneReported,
    ProgressReportCorrected,
    ProgressReportSubmitted,
    SupervisionRecorded,
    TaskAssigned,
    TaskCompleted,
)
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

TASKS = "bulletin_tasks"
FACTS = "bulletin_facts"
BEIJING = ZoneInfo("Asia/Shanghai")
KIND_NAMES = {"task": "工作任务", "key_project": "重点项目"}


def recorded_on(m: IntegrationMessage) -> date:
    return m.occurred_at.astimezone(BEIJING).date()


def _fact(
    tx: ViewTransaction,
    task: Document,
    m: IntegrationMessage,
    kind: str,
    on: date,
    text: str,
    **extra: Any,
) -> None:
    tx.put(
        FACTS,
        str(m.event_id),
        {
            "task_id": task["task_id"],
            "unit_id": task["unit_id"],
            "jurisdiction_id": task["jurisdiction_id"],
            "kind": kind,
            "on": on.isoformat(),
            "text": text,
            "sort": f"{on.isoformat()}/{m.position:012d}",
        }
        | extra,
    )


def _task(tx: ViewTransaction, task_id: Any) -> Document | None:
    return tx.get(TASKS, str(task_id))


def on_assigned(tx: ViewTransaction, p: TaskAssigned, m: IntegrationMessage) -> None:
    task: Document = {
        "task_id": str(p.task_id),
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
        "title": p.title,
        "kind": p.kind,
        "due_on": p.due_on.isoformat(),
        "methods": list(p.methods),
        "milestones": [
            {"name": ms.name, "due_on": ms.due_on.isoformat()}
            | {"reported_on": None, "confirmed_on": None}
            for ms in p.milestones
        ],
        "assigned_on": recorded_on(m).isoformat(),
        "supervision": [],
        "reports": {},
        "completed_on": None,
        "accountability": [],
        "sort": f"{recorded_on(m).isoformat()}/{m.position:012d}",
    }
    tx.put(TASKS, task["task_id"], task)
    _fact(tx, task, m, "assigned", recorded_on(m), f"交办{KIND_NAMES[p.kind]}“{p.title}”")


def _record(
    tx: ViewTransaction,
    task: Document,
    m: IntegrationMessage,
    fact: tuple[str, date, str],
    extra: Document | None = None,
    **changes: Any,
) -> None:
    """The task with `changes`, and the fact (kind, date, text, and `extra`) that changed it."""
    updated = task | changes
    tx.put(TASKS, task["task_id"], updated)
    _fact(tx, updated, m, *fact, **(extra or {}))


# A fact about a task this view has not seen is skipped: inspection's log starts every task
# with its assignment, and the view is built from the start of that log.


def on_supervised(tx: ViewTransaction, p: SupervisionRecorded, m: IntegrationMessage) -> None:
    if (task := _task(tx, p.task_id)) is None:
        return
    entry = {"method": p.method, "on": p.supervised_on.isoformat(), "note": p.note}
    # 指导/电话/跟踪 read as 指导督办 …; 实地督办 already says it.
    method = p.method if p.method.endswith("督办") else f"{p.method}督办"
    fact = ("supervised", p.supervised_on, f"{method}：{p.note}")
    extra = {"method": p.method}
    _record(tx, task, m, fact, extra, supervision=[*task["supervision"], entry])


def _report(tx: ViewTransaction, p: Any, m: IntegrationMessage, corrected: bool) -> None:
    if (task := _task(tx, p.task_id)) is None:
        return
    report = {
        "progress": p.progress,
        "difficulties": p.difficulties,
        "reported_on": recorded_on(m).isoformat(),
        "correction_reason": p.reason if corrected else None,
    }
    kind, verb = ("report_corrected", "更正") if corrected else ("report", "报送")
    year, month = p.month.split("-")
    fact = (kind, recorded_on(m), f"{verb}{year}年{int(month)}月推进专报和困难专报")
    _record(tx, task, m, fact, reports=task["reports"] | {p.month: report})


def on_report(tx: ViewTransaction, p: ProgressReportSubmitted, m: IntegrationMessage) -> None:
    _report(tx, p, m, corrected=False)


def on_report_corrected(
    tx: ViewTransaction, p: ProgressReportCorrected, m: IntegrationMessage
) -> None:
    _report(tx, p, m, corrected=True)


def _milestone(tx: ViewTransaction, p: Any, m: IntegrationMessage, confirmed: bool) -> None:
    task = _task(tx, p.task_id)
    if task is None or not 0 <= p.index < len(task["milestones"]):
        return
    milestones = [dict(ms) for ms in task["milestones"]]
    milestones[p.index]["confirmed_on" if confirmed else "reported_on"] = p.reached_on.isoformat()
    kind, verb = ("milestone_confirmed", "确认") if confirmed else ("milestone_reported", "报告")
    fact = (kind, p.reached_on, f"{verb}节点“{milestones[p.index]['name']}”完成")
    _record(tx, task, m, fact, milestones=milestones)


def on_milestone_reported(tx: ViewTransaction, p: MilestoneReported, m: IntegrationMessage) -> None:
    _milestone(tx, p, m, confirmed=False)


def on_milestone_confirmed(
    tx: ViewTransaction, p: MilestoneConfirmed, m: IntegrationMessage
) -> None:
    _milestone(tx, p, m, confirmed=True)


def on_completed(tx: ViewTransaction, p: TaskCompleted, m: IntegrationMessage) -> None:
    if (task := _task(tx, p.task_id)) is None:
        return
    fact = ("completed", p.completed_on, f"任务办结：{p.reason}")
    _record(tx, task, m, fact, completed_on=p.completed_on.isoformat())


def on_accountability(
    tx: ViewTransaction, p: AccountabilityRecorded, m: IntegrationMessage
) -> None:
    if (task := _task(tx, p.task_id)) is None:
        return
    entry = {"person": p.person, "measure": p.measure, "reason": p.reason}
    fact = ("accountability", recorded_on(m), f"问责专报：{p.person}，{p.measure}（{p.reason}）")
    _record(tx, task, m, fact, accountability=[*task["accountability"], entry])


TASK_BULLETINS_VIEW = View(
    "task_bulletins",
    1,
    (
        Collection(TASKS, index=("jurisdiction_id", "unit_id"), sort="sort"),
        Collection(FACTS, index=("jurisdiction_id", "task_id"), sort="sort"),
    ),
    {
        "inspection": {
            TaskAssigned: on_assigned,
            SupervisionRecorded: on_supervised,
            ProgressReportSubmitted: on_report,
            ProgressReportCorrected: on_report_corrected,
            MilestoneReported: on_milestone_reported,
            MilestoneConfirmed: on_milestone_confirmed,
            TaskCompleted: on_completed,
            AccountabilityRecorded: on_accountability,
        }
    },
    "Supervised tasks (督办) and their dated facts, for 每周一报 and 每月双报.",
)
