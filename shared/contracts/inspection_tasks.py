"""Published inspection facts: supervised tasks (督办).

A task or key project (重点项目) is assigned by an office to an owner unit with milestones
and the supervision methods planned for it; then supervision actions (指导/电话/跟踪/实地督办),
the unit's monthly dual reports (每月双报: progress and difficulties) and their corrections,
milestones reported by the unit and confirmed by the office, the office's confirmation of
completion, and accountability records (问责专报). Every fact names the unit, the
jurisdiction the task was assigned in, and the campaign and round it counts toward, if any.
Overdue is not a fact: it is derived from the milestones' due dates and today.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.envelope import IntegrationPayload

SupervisionMethod = Literal["指导", "电话", "跟踪", "实地督办"]
"""How a task is supervised: 指导督办, 电话督办, 跟踪督办, 实地督办."""
SUPERVISION_METHODS: tuple[str, ...] = get_args(SupervisionMethod)

TaskKind = Literal["task", "key_project"]
"""A supervised work task (工作任务) or a key project (重点项目)."""
TASK_KINDS: tuple[str, ...] = get_args(TaskKind)


class Milestone(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    due_on: date


class _TaskFact(IntegrationPayload):
    task_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None = None
    round: int | None = None
    actor: str
    version: int
    """The task's version after this fact (the assignment is version 1)."""


class TaskAssigned(_TaskFact):
    event_type = "inspection.tasks.assigned"
    title: str
    kind: TaskKind
    due_on: date
    milestones: tuple[Milestone, ...]
    methods: tuple[SupervisionMethod, ...]
    reporter_id: UUID | None = None
    """The unit's key that reports for it (None: only the office and admins act)."""


class SupervisionRecorded(_TaskFact):
    event_type = "inspection.tasks.supervision_recorded"
    method: SupervisionMethod
    supervised_on: date
    note: str


class ProgressReportSubmitted(_TaskFact):
    """每月双报: the month's 推进专报 (progress) and 疑难问题及困难专报 (difficulties)."""

    event_type = "inspection.tasks.report_submitted"
    month: str
    progress: str
    difficulties: str


class ProgressReportCorrected(_TaskFact):
    event_type = "inspection.tasks.report_corrected"
    month: str
    progress: str
    difficulties: str
    reason: str


class MilestoneReported(_TaskFact):
    """The unit says a milestone was reached; it counts once the office confirms it."""

    event_type = "inspection.tasks.milestone_reported"
    index: int
    reached_on: date
    note: str


class MilestoneConfirmed(_TaskFact):
    event_type = "inspection.tasks.milestone_confirmed"
    index: int
    reached_on: date
    note: str


class TaskCompleted(_TaskFact):
    event_type = "inspection.tasks.completed"
    completed_on: date
    reason: str


class AccountabilityRecorded(_TaskFact):
    """问责专报: who was held to account, by what measure, and why."""

    event_type = "inspection.tasks.accountability_recorded"
    person: str
    measure: str
    reason: str
