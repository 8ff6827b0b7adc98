"""Supervised tasks (督办): a task or key project (重点项目) an office assigns to an owner
unit, with milestones and the supervision methods planned for it.

Status: started (assigned) -> in_progress (the unit's first monthly report, or a milestone
reported or confirmed) -> completed (the office confirms completion, with a reason).
Overdue is derived, never stored: a task not completed is overdue on a day when one of its
milestones not yet confirmed, or its own due date, lies before that day. Dates are held as
ISO text (the event store has no date transcoding). Nothing is edited: a report's
correction is a further event with its reason, and every event names who made it.

Split by subject (rules, task). Every name stays importable from here, and events stored
before the split under this module's topics (`services.inspection.tasks.domain:
SupervisedTask.Assigned`, …) still resolve through these re-exports, so they load as they
did.
"""

from __future__ import annotations

from services.inspection.errors import InspectionError
from services.inspection.tasks.domain.rules import (
    CHINA,
    MILESTONES_MAX,
    MONTH,
    NAME_MAX,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Context,
    InvalidTask,
    MilestoneConfirmedAlready,
    MilestoneNotFound,
    MilestoneReportedAlready,
    ReportExists,
    ReportNotFound,
    Status,
    TaskCompletedAlready,
    TaskNotFound,
)
from services.inspection.tasks.domain.task import SupervisedTask

__all__ = [
    "CHINA",
    "MILESTONES_MAX",
    "MONTH",
    "NAME_MAX",
    "REASON_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "Context",
    "InspectionError",
    "InvalidTask",
    "MilestoneConfirmedAlready",
    "MilestoneNotFound",
    "MilestoneReportedAlready",
    "ReportExists",
    "ReportNotFound",
    "Status",
    "SupervisedTask",
    "TaskCompletedAlready",
    "TaskNotFound",
]
