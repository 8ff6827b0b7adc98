"""Supervised tasks' request and response models."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from services.inspection.choices import NAMED, TaskKindIn, states
from services.inspection.choices import SupervisionIn as SupervisionMethodIn
from services.inspection.tasks.domain import NAME_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX
from shared.contracts.inspection_tasks import SupervisionMethod, TaskKind
from shared.types import Day, JsonInt, Line, Prose

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month(value: object) -> object:
    # The pattern's own refusal quotes a regular expression, which no office reads; text
    # that is no month is said in words first (other input is left to the types below).
    if isinstance(value, str) and not re.match(MONTH, value.strip()):
        raise ValueError("须为年月, 如 2026-05 (must be a year and month, e.g. 2026-05)")
    return value


Month = Annotated[Line, StringConstraints(pattern=MONTH), BeforeValidator(_month)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MilestoneIn(_In):
    name: Line = Field(min_length=1, max_length=NAME_MAX, examples=["完成四级便民服务网络选址"])
    due_on: Day = Field(examples=["2026-06-30"])


class TaskIn(_In):
    title: Line = Field(min_length=1, max_length=TITLE_MAX, examples=["四级便民服务网络建设"])
    kind: TaskKindIn = Field(default="task", examples=["key_project"])
    unit_id: UUID
    campaign_id: UUID | None = None
    round: JsonInt | None = Field(default=None, ge=1, le=1000)
    due_on: Day = Field(examples=["2026-12-31"])
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=50)
    methods: list[SupervisionMethodIn] = Field(min_length=1, max_length=4, examples=[["跟踪"]])
    reporter_id: UUID | None = Field(
        default=None,
        description="Only for a legacy unit key (one naming no unit), the one that reports for "
        "the task; keys naming the unit reach its tasks without it",
    )


class SupervisionIn(_In):
    method: SupervisionMethodIn = Field(examples=["实地督办"])
    supervised_on: Day = Field(examples=["2026-05-12"])
    note: Prose = Field(min_length=1, max_length=TEXT_MAX, examples=["到现场查看选址进度"])


class ReportIn(_In):
    month: Month = Field(examples=["2026-05"])
    progress: Prose = Field(min_length=1, max_length=TEXT_MAX, examples=["已完成三个社区选址"])
    difficulties: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["两个乡镇用房尚未落实"]
    )


class ReportCorrectionIn(_In):
    progress: Prose = Field(min_length=1, max_length=TEXT_MAX)
    difficulties: Prose = Field(min_length=1, max_length=TEXT_MAX)
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["进度数字填报有误"])


class MilestoneReachedIn(_In):
    reached_on: Day = Field(examples=["2026-06-28"])
    note: Prose = Field(default="", max_length=TEXT_MAX, examples=["选址已全部完成"])


class CompletionIn(_In):
    completed_on: Day = Field(examples=["2026-12-20"])
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["经实地核验，任务已全部完成"]
    )


class AccountabilityIn(_In):
    person: Line = Field(min_length=1, max_length=NAME_MAX, examples=["某局分管副局长"])
    measure: Line = Field(min_length=1, max_length=NAME_MAX, examples=["诫勉谈话"])
    reason: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["推进不力，节点任务逾期两个月"]
    )


Status = Literal["started", "in_progress", "completed"]
STATUSES = states(*get_args(Status))
StatusIn = Annotated[
    Status,
    BeforeValidator(STATUSES.read),
    WithJsonSchema(STATUSES.schema(f"状态 (status): {NAMED}")),
]


class MilestoneOut(BaseModel):
    index: int
    name: str
    due_on: str
    reported_on: str | None = Field(description="The day the unit reported it reached")
    reported_note: str | None = None
    reported_by: str | None = None
    confirmed_on: str | None = Field(description="The day the office confirmed it reached")
    confirmed_note: str | None = None
    confirmed_by: str | None = None


class SupervisionOut(BaseModel):
    method: SupervisionMethod
    supervised_on: str
    note: str
    actor: str


class CorrectionOut(BaseModel):
    progress: str | None
    difficulties: str | None
    reason: str
    actor: str


class ReportOut(BaseModel):
    month: str
    progress: str | None = None
    difficulties: str | None = None
    actor: str
    corrections: list[CorrectionOut]


class CompletionOut(BaseModel):
    completed_on: str
    reason: str
    actor: str


class AccountabilityOut(BaseModel):
    person: str
    measure: str
    reason: str
    actor: str


class TaskOut(BaseModel):
    task_id: UUID
    title: str
    kind: TaskKind
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None
    reporter_id: UUID | None
    due_on: str
    methods: list[SupervisionMethod]
    status: Status
    overdue: bool = Field(description="A milestone or the task past due and not reached, today")
    next_due_on: str | None
    milestones: list[MilestoneOut]
    supervision: list[SupervisionOut]
    reports: list[ReportOut]
    completion: CompletionOut | None
    accountability: list[AccountabilityOut]
    created_by: str
    created_at: str
    version: int


class TaskListItem(BaseModel):
    task_id: UUID
    title: str
    kind: TaskKind
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None
    reporter_id: UUID | None
    due_on: str
    status: Status
    overdue: bool
    next_due_on: str | None
    last_report_month: str | None
    supervision_count: int
    accountability_count: int
    version: int
