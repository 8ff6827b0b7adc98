"""Inspection API models."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.inspection.choices import ContentIn, MethodIn, SeverityIn
from services.inspection.domain import EVIDENCE_MAX, REASON_MAX, SUMMARY_MAX
from services.inspection.workdays import Source
from shared.types import Day, DecimalNumber, Line, Moment, Prose

Sha256 = Annotated[Line, Field(pattern=r"^[0-9a-f]{64}$", min_length=64, max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FindingIn(_In):
    unit_id: UUID
    method: MethodIn = Field(examples=["暗访"])
    summary: Prose = Field(
        min_length=1,
        max_length=SUMMARY_MAX,
        examples=["窗口工作人员上班时间玩手机，群众等候二十分钟无人办理"],
    )
    found_at: Moment = Field(examples=["2026-05-12T10:30:00+08:00"])
    visit_id: UUID | None = Field(default=None, description="The conducted visit it was found on")
    item: ContentIn | None = Field(default=None, examples=["工作纪律"])
    severity: SeverityIn | None = Field(default=None, examples=["较重"])
    deduction: DecimalNumber | None = Field(
        default=None, description="Points deducted (0 to the cap per finding)", examples=["2"]
    )
    evidence: list[Sha256] = Field(
        default_factory=list, max_length=EVIDENCE_MAX, description="SHA-256 of uploaded files"
    )


class EvidenceIn(_In):
    evidence: list[Sha256] = Field(min_length=1, max_length=EVIDENCE_MAX)


class EvidenceOut(BaseModel):
    sha256: str
    size: int
    content_type: str


class VisitIn(_In):
    unit_id: UUID
    kind: MethodIn = Field(examples=["暗访"])
    planned_on: Day = Field(examples=["2026-06-03"])
    inspectors: list[UUID] = Field(min_length=1, max_length=20)
    checklist: list[ContentIn] = Field(
        default_factory=list, max_length=20, examples=[["工作纪律", "服务态度"]]
    )


class ConductIn(_In):
    conducted_at: Moment = Field(examples=["2026-06-03T09:40:00+08:00"])


class CancelIn(_In):
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["检查组人员调整，改期进行"]
    )


class VisitOut(BaseModel):
    visit_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    kind: str
    planned_on: str
    planned_by: str
    inspectors: list[UUID]
    checklist: list[str]
    status: Literal["planned", "conducted", "cancelled"]
    conducted_at: str | None
    conducted_by: str | None
    cancelled_reason: str | None
    version: int


class CorrectionIn(_In):
    summary: Prose = Field(min_length=1, max_length=SUMMARY_MAX)
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["原记录等候时间有误"])


class WithdrawalIn(_In):
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["经核实不属于该单位"])


class HistoryEntry(BaseModel):
    event: Literal["recorded", "corrected", "withdrawn", "evidence_attached"]
    at: str
    actor: str
    summary: str | None
    reason: str | None
    evidence: list[str] | None = None


class FindingListItem(BaseModel):
    """A finding as `GET /findings` lists it: as it stands, without its history."""

    finding_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    method: str
    visit_id: UUID | None = None
    item: str | None = None
    severity: str | None = None
    deduction: str | None = None
    evidence: list[str] = []
    summary: Prose = Field(description="Current summary, after any correction")
    found_at: str
    recorded_by: str
    recorded_at: str
    status: Literal["active", "withdrawn"]
    withdrawn_reason: str | None
    version: int


class FindingOut(FindingListItem):
    """A finding as it stands, with its history (its own GET and every command's answer)."""

    history: list[HistoryEntry] = Field(
        description="Every recorded, corrected and withdrawn event, oldest first"
    )


# A year of the working-day calendar and where its holidays come from (`GET /calendar`, and
# `deadline_years` of a deadline answered); no docstring, which would become its schema's.
class YearOut(BaseModel):
    year: int
    source: Source = Field(
        description="library: the chinesecalendar release installed (the file may adjust "
        "days); file: the calendar file lists 1 January of the year among its holidays; "
        "weekdays_only: neither, deadlines counted in it count Monday to Friday"
    )
