"""Supervised tasks as they stand, from inspection's own published log, so GET /tasks is
one indexed query per page.

Overdue depends on today, which a view handler must not read; so a document keeps
`due_order`: the earliest due date still open (a milestone not confirmed, else the task's
own) as ISO text, or "~" once completed (after every date). Ordered by it, the tasks overdue
today come first, and the route tells them apart as it answers.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts import inspection_tasks as c
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

TASKS = "supervised_tasks"
DONE = "~"


def kind_status(kind: str, status: str) -> str:
    return f"{kind}:{status}"


def _due_order(doc: Document) -> str:
    if doc["status"] == "completed":
        return DONE
    open_dues: list[str] = [m["due_on"] for m in doc["milestones"] if m["confirmed_on"] is None]
    return min([*open_dues, str(doc["due_on"])])


def _put(tx: ViewTransaction, doc: Document, m: IntegrationMessage) -> None:
    doc = doc | {
        "kind_status": kind_status(doc["kind"], doc["status"]),
        "due_order": _due_order(doc),
        "position": m.position,
    }
    tx.put(TASKS, doc["task_id"], doc)


def _assigned(tx: ViewTransaction, p: c.TaskAssigned, m: IntegrationMessage) -> None:
    doc: Document = {
        "task_id": str(p.task_id),
        "title": p.title,
        "kind": p.kind,
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
        "round": p.round,
        "reporter_id": None if p.reporter_id is None else str(p.reporter_id),
        "due_on": p.due_on.isoformat(),
        "methods": list(p.methods),
        "status": "started",
        "milestones": [
            {"name": x.name, "due_on": x.due_on.isoformat(), "confirmed_on": None}
            for x in p.milestones
        ],
        "last_report_month": None,
        "supervision_count": 0,
        "accountability_count": 0,
        "created_by": p.actor,
        "created_at": m.occurred_at.isoformat(),
        "version": p.version,
    }
    _put(tx, doc, m)


def _change(tx: ViewTransaction, p: Any, m: IntegrationMessage, **change: Any) -> Document:
    doc = tx.get(TASKS, str(p.task_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"task {p.task_id} was never assigned")
    return doc | change | {"version": p.version}


def _supervised(tx: ViewTransaction, p: c.SupervisionRecorded, m: IntegrationMessage) -> None:
    doc = _change(tx, p, m)
    _put(tx, doc | {"supervision_count": doc["supervision_count"] + 1}, m)


def _under_way(doc: Document) -> Document:
    """In progress once reported on or a milestone is reported or confirmed (as the task
    itself derives it)."""
    return doc | {"status": "in_progress"} if doc["status"] == "started" else doc


def _submitted(tx: ViewTransaction, p: c.ProgressReportSubmitted, m: IntegrationMessage) -> None:
    doc = _change(tx, p, m)
    last = doc["last_report_month"]
    month = p.month if last is None else max(last, p.month)
    _put(tx, _under_way(doc | {"last_report_month": month}), m)


def _report_corrected(
    tx: ViewTransaction, p: c.ProgressReportCorrected, m: IntegrationMessage
) -> None:
    _put(tx, _change(tx, p, m), m)


def _milestone_reported(tx: ViewTransaction, p: c.MilestoneReported, m: IntegrationMessage) -> None:
    _put(tx, _under_way(_change(tx, p, m)), m)


def _confirmed(tx: ViewTransaction, p: c.MilestoneConfirmed, m: IntegrationMessage) -> None:
    doc = _change(tx, p, m)
    milestones = [dict(x) for x in doc["milestones"]]
    if 0 <= p.index < len(milestones):
        milestones[p.index]["confirmed_on"] = p.reached_on.isoformat()
    _put(tx, _under_way(doc | {"milestones": milestones}), m)


def _completed(tx: ViewTransaction, p: c.TaskCompleted, m: IntegrationMessage) -> None:
    _put(tx, _change(tx, p, m, status="completed"), m)


def _accountability(
    tx: ViewTransaction, p: c.AccountabilityRecorded, m: IntegrationMessage
) -> None:
    doc = _change(tx, p, m)
    _put(tx, doc | {"accountability_count": doc["accountability_count"] + 1}, m)


HANDLERS: dict[Any, ViewHandler] = {
    c.TaskAssigned: _assigned,
    c.SupervisionRecorded: _supervised,
    c.ProgressReportSubmitted: _submitted,
    c.ProgressReportCorrected: _report_corrected,
    c.MilestoneReported: _milestone_reported,
    c.MilestoneConfirmed: _confirmed,
    c.TaskCompleted: _completed,
    c.AccountabilityRecorded: _accountability,
}

TASKS_VIEW = View(
    "supervised_tasks",
    2,  # 2: a milestone reported or confirmed puts a task in progress
    (
        Collection(
            TASKS,
            index=("jurisdiction_id", "unit_id", "kind_status", "reporter_id"),
            sort="due_order",
        ),
    ),
    {"inspection": HANDLERS},
    "Every supervised task (督办) as it stands, from inspection's own published log.",
)
