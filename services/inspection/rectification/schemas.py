"""Rectification API models."""

from __future__ import annotations

from typing import Annotated, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from services.inspection.choices import NAMED, RatingIn, StepIn, VerdictIn, states
from services.inspection.rectification.domain import (
    MAX_FINDINGS,
    NAME_MAX,
    REASON_MAX,
    REPORT_MAX,
    REQUIREMENTS_MAX,
)
from services.inspection.schemas import YearOut
from services.inspection.workdays import MAX_WORKING_DAYS, Basis
from shared.contracts.inspection_rectification import EscalationStep, RectificationStatus, Rerating
from shared.types import Day, JsonInt, Line, Prose

OrderStatus = Literal[RectificationStatus, "withdrawn"]
"""An order's status here: the published ones, or withdrawn (撤销, said by its own message)."""
ORDER_STATUSES = states(*get_args(OrderStatus))
OrderStatusIn = Annotated[
    OrderStatus,
    BeforeValidator(ORDER_STATUSES.read),
    WithJsonSchema(ORDER_STATUSES.schema(f"状态 (status): {NAMED}")),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RectificationIn(_In):
    unit_id: UUID
    finding_ids: list[UUID] = Field(min_length=1, max_length=MAX_FINDINGS)
    working_days: JsonInt = Field(
        ge=1, le=MAX_WORKING_DAYS, description="限期: working days after the issue date"
    )
    requirements: Prose = Field(
        min_length=1,
        max_length=REQUIREMENTS_MAX,
        examples=["针对窗口工作人员上班玩手机问题，限期整改并书面报告整改情况"],
    )
    issued_on: Day | None = Field(
        default=None, description="The notice's date; today (China) if omitted"
    )
    campaign_id: UUID | None = None
    round: JsonInt | None = Field(default=None, ge=1, le=1000)
    unit_principal_id: UUID | None = Field(
        default=None,
        description="Only for a legacy unit key (one naming no unit), the one that sees and "
        "reports on this order; keys naming the unit reach its orders without it",
    )


class ReportIn(_In):
    text: Prose = Field(
        min_length=1,
        max_length=REPORT_MAX,
        examples=["已对相关人员批评教育，制定窗口纪律管理办法并张贴公示"],
    )
    reported_on: Day | None = Field(default=None, description="Today (China) if omitted")


class VerificationIn(_In):
    outcome: VerdictIn = Field(examples=["returned"])
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["整改措施未落实到位"])
    working_days: JsonInt | None = Field(
        default=None,
        ge=1,
        le=MAX_WORKING_DAYS,
        description="A new deadline (working days from today) for a return; required on a "
        "second return (二次办理)",
    )


class EscalationIn(_In):
    step: StepIn = Field(examples=["催办"])
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["逾期未报送整改情况"])
    person: Line | None = Field(
        default=None,
        max_length=NAME_MAX,
        examples=["张某某（局长）"],
        description="约谈: the responsible leader summoned (required for 约谈)",
    )


class ReratingIn(_In):
    rating: RatingIn = Field(examples=["基本满意"])
    raters: Line = Field(min_length=1, max_length=NAME_MAX, examples=["投诉人"])
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["电话回访投诉人"])


class WithdrawalIn(_In):
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["整改通知书误发，问题不属于该单位"]
    )


class HistoryEntry(BaseModel):
    event: Literal[
        "ordered", "reported", "accepted", "returned", "escalated", "rerated", "withdrawn"
    ]
    at: str
    actor: str
    detail: str | None
    reason: str | None
    deadline: str


class RectificationListItem(BaseModel):
    """An order as `GET /rectifications` lists it: as it stands, without its history."""

    order_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    finding_ids: list[UUID]
    campaign_id: UUID | None
    round: int | None
    unit_principal_id: UUID | None
    requirements: str
    issued_on: str
    working_days: int
    deadline: str = Field(
        description="The deadline in force: `working_days` after `issued_on` (or, once a "
        "return set a new deadline, its working days after the return) recounted on today's "
        "calendar, never before `stored_deadline` (a return stored before its working days "
        "were recorded stands as stored); docs/inspection.md"
    )
    stored_deadline: str | None = Field(
        default=None,
        description="The deadline as counted when it was set and stored; differs from "
        "`deadline` once a calendar supplied later moved it. None only in a retry's answer "
        "stored before it was said",
    )
    status: OrderStatus
    second_handling: bool
    returns: int
    report: str | None
    reported_on: str | None
    escalation: EscalationStep | None
    rating: Rerating | None
    ratings: int
    withdrawn_reason: str | None = Field(
        default=None, description="Why the order was withdrawn (status `withdrawn`)"
    )
    issued_by: str
    overdue: bool = Field(description="Owes a report and today (China) is past the deadline")
    overdue_working_days: int
    deadline_basis: Basis | None = Field(
        default=None,
        description="calendar: every day from the issue to the deadline lies in a year the "
        "working-day calendar knows; weekdays_only: some lie in a year it does not know "
        "(counted Monday to Friday, holidays unknown), as of today's calendar "
        "(docs/inspection.md); none only in a retry's answer stored before it was said",
    )
    deadline_years: list[YearOut] | None = Field(
        default=None,
        description="The years counted in, from the day after the issue to `deadline`, each "
        "with the source of its holidays in today's calendar (as `GET /calendar`)",
    )
    version: int
    withdrawn_finding_ids: list[UUID] = Field(
        default_factory=list, description="Its findings withdrawn since the order was issued"
    )
    findings_withdrawn: bool = Field(
        default=False,
        description="Every finding it was issued for is withdrawn: nothing is left to "
        "rectify, though the order itself stands as issued",
    )


class RectificationOut(RectificationListItem):
    """An order as it stands, with its history (its own GET and every command's answer)."""

    history: list[HistoryEntry] = Field(description="Every step, oldest first")
