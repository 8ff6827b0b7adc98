"""Inspection API models."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.inspection.domain import REASON_MAX, SUMMARY_MAX, Method
from shared.types import Moment, Prose


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FindingIn(_In):
    unit_id: UUID
    method: Method = Field(examples=["暗访"])
    summary: Prose = Field(
        min_length=1,
        max_length=SUMMARY_MAX,
        examples=["窗口工作人员上班时间玩手机，群众等候二十分钟无人办理"],
    )
    found_at: Moment = Field(examples=["2026-05-12T10:30:00+08:00"])


class CorrectionIn(_In):
    summary: Prose = Field(min_length=1, max_length=SUMMARY_MAX)
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["原记录等候时间有误"])


class WithdrawalIn(_In):
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["经核实不属于该单位"])


class HistoryEntry(BaseModel):
    event: Literal["recorded", "corrected", "withdrawn"]
    at: str
    actor: str
    summary: str | None
    reason: str | None


class FindingOut(BaseModel):
    finding_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    method: str
    summary: Prose = Field(description="Current summary, after any correction")
    found_at: str
    recorded_by: str
    recorded_at: str
    status: Literal["active", "withdrawn"]
    withdrawn_reason: str | None
    version: int
    history: list[HistoryEntry] | None = Field(
        default=None, description="Every recorded, corrected and withdrawn event, oldest first"
    )
