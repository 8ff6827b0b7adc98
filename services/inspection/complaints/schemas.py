"""Complaint API models. A complainant's name and contact come in, and go out only masked
(to offices): never to units, never in a list."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.inspection.choices import ChannelIn, ComplaintKindIn, SatisfactionIn
from services.inspection.choices import OutcomeIn as ComplaintOutcomeIn
from services.inspection.complaints.application import NAME_MAX
from services.inspection.complaints.domain import (
    REASON_MAX,
    REPLY_MAX,
    ROUND_MAX,
    SUMMARY_MAX,
    TOPIC_MAX,
)
from services.inspection.schemas import YearOut
from services.inspection.workdays import Basis
from shared.types import Day, JsonInt, Line, Prose


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ComplainantIn(_In):
    name: Line = Field(min_length=1, max_length=NAME_MAX, examples=["张三"])
    contact: Line = Field(min_length=3, max_length=100, examples=["138 0000 5678"])


class ComplaintIn(_In):
    jurisdiction_id: UUID = Field(description="Where the complaint is taken in")
    unit_id: UUID | None = Field(default=None, description="The unit complained about, if named")
    campaign_id: UUID | None = None
    round: JsonInt | None = Field(default=None, ge=1, le=ROUND_MAX)
    channel: ChannelIn = Field(examples=["政风行风热线"])
    kind: ComplaintKindIn = Field(examples=["complaint"])
    summary: Prose = Field(
        min_length=1, max_length=SUMMARY_MAX, examples=["办理社保转移窗口推诿，三次往返未办结"]
    )
    received_on: Day = Field(examples=["2026-05-12"])
    deadline_days: JsonInt | None = Field(
        default=None,
        ge=0,
        le=366,
        description="Working days to answer; by default 0/5/15/15 for emergency/consultation/"
        "complaint/suggestion, and only within the bounds of its kind",
    )
    complainant: ComplainantIn | None = Field(
        default=None, description="Null for an anonymous complaint (匿名)"
    )


class DispatchIn(_In):
    unit_id: UUID


class ReplyIn(_In):
    reply: Prose = Field(
        min_length=1, max_length=REPLY_MAX, examples=["已约谈窗口负责人，当日为群众办结"]
    )


class OutcomeIn(_In):
    outcome: ComplaintOutcomeIn = Field(examples=["verified"])
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["经调取监控核实属实"])


class OutcomeCorrectionIn(_In):
    outcome: ComplaintOutcomeIn = Field(examples=["partly_verified"])
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["复核发现部分情况与事实不符"]
    )


class CallbackIn(_In):
    satisfaction: SatisfactionIn = Field(examples=["满意"])


class HotlineAppearanceIn(_In):
    unit_id: UUID
    campaign_id: UUID | None = None
    round: JsonInt | None = Field(default=None, ge=1, le=ROUND_MAX)
    appeared_on: Day = Field(examples=["2026-06-03"])
    topic: Line | None = Field(default=None, max_length=TOPIC_MAX, examples=["社保服务专场"])


class ComplainantOut(BaseModel):
    name: str | None = Field(description="Masked, e.g. 张*")
    contact: str | None = Field(description="Masked, e.g. 138****5678")


class ComplaintHistoryEntry(BaseModel):
    event: Literal[
        "received", "dispatched", "replied", "concluded", "outcome_corrected", "called_back"
    ]
    at: str = Field(description="When it was recorded (the stored event's time)")
    actor: str
    reason: str | None = Field(description="A conclusion's or correction's reason")
    unit_id: UUID | None = Field(description="The unit the complaint concerned after this step")
    previous_unit_id: UUID | None = Field(
        description="On a dispatch: the unit named before it (at intake), if any"
    )
    outcome: str | None
    satisfaction: str | None


class ComplaintListItem(BaseModel):
    """A complaint as `GET /complaints` lists it: as it stands, without its complainant or
    its history."""

    complaint_id: UUID
    jurisdiction_id: UUID
    unit_id: UUID | None
    campaign_id: UUID | None
    round: int | None
    channel: str
    kind: str
    summary: str
    received_on: str
    deadline_days: int
    anonymous: bool
    status: str
    dispatched_on: str | None
    due_on: str | None = Field(
        description="Once dispatched, the deadline in force: `deadline_days` after "
        "`dispatched_on` recounted on today's calendar, never before `stored_due_on` "
        "(docs/inspection.md)"
    )
    stored_due_on: str | None = Field(
        default=None,
        description="Once dispatched, the deadline as counted at the dispatch and stored; "
        "differs from `due_on` once a calendar supplied later moved it",
    )
    deadline_basis: Basis | None = Field(
        default=None,
        description="Once dispatched, calendar: every day from the dispatch to `due_on` lies "
        "in a year the working-day calendar knows; weekdays_only: some lie in a year it does "
        "not know (counted Monday to Friday, holidays unknown), as of today's calendar "
        "(docs/inspection.md)",
    )
    deadline_years: list[YearOut] | None = Field(
        default=None,
        description="Once dispatched, the years counted in, from the day after the dispatch "
        "to `due_on`, each with the source of its holidays in today's calendar",
    )
    reply: str | None
    replied_on: str | None
    outcome: str | None
    outcome_reason: str | None
    satisfaction: str | None
    received_by: str
    version: int


class ComplaintOut(ComplaintListItem):
    """A complaint as it stands, with its history (its own GET and every command's answer)
    and, but for the unit's keys, its complainant masked."""

    complainant: ComplainantOut | None = Field(
        default=None,
        description="Masked, for offices and inspectors; null for the unit's keys and for an "
        "anonymous complaint",
    )
    history: list[ComplaintHistoryEntry] | None = Field(
        default=None,
        description="Every step, oldest first; null only in a retry's answer stored before "
        "complaints answered their history",
    )


class HotlineAppearanceOut(BaseModel):
    appearance_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None
    appeared_on: str
    topic: str | None
    recorded_by: str
