"""Assessment API models."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.inspection.assessments.domain import (
    ASSESSOR_MAX,
    CODE_MAX,
    EVIDENCE_MAX,
    EVIDENCE_PATTERN,
    NAME_MAX,
    REASON_MAX,
    TEXT_MAX,
)
from shared.types import Day, DecimalNumber, JsonInt, Line, Prose

EvidenceHash = Annotated[Line, StringConstraints(pattern=EVIDENCE_PATTERN, max_length=71)]
Round = Annotated[JsonInt, Field(ge=1, le=1000, examples=[1])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AssessmentScoreIn(_In):
    unit_id: UUID
    campaign_id: UUID
    round: Round
    component_code: Line = Field(min_length=1, max_length=CODE_MAX, examples=["organisation"])
    component_name: Line = Field(min_length=1, max_length=NAME_MAX, examples=["组织领导与资料"])
    score: DecimalNumber = Field(ge=0, max_digits=10, decimal_places=4, examples=["8.5"])
    maximum: DecimalNumber = Field(gt=0, max_digits=10, decimal_places=4, examples=["10"])
    assessor: Line = Field(min_length=1, max_length=ASSESSOR_MAX, examples=["市评议考核组"])
    basis: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["查阅评议工作台账，组织机构健全，资料齐全"]
    )
    evidence: list[EvidenceHash] = Field(default_factory=list, max_length=EVIDENCE_MAX)
    reason: Prose = Field(min_length=1, max_length=REASON_MAX, examples=["年终集中评议考核"])


class ScoreCorrectionIn(_In):
    score: DecimalNumber = Field(ge=0, max_digits=10, decimal_places=4, examples=["7"])
    assessor: Line | None = Field(default=None, min_length=1, max_length=ASSESSOR_MAX)
    basis: Prose | None = Field(default=None, min_length=1, max_length=TEXT_MAX)
    evidence: list[EvidenceHash] | None = Field(default=None, max_length=EVIDENCE_MAX)
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["复核发现台账缺少整改记录"]
    )


class ReasonIn(_In):
    reason: Prose = Field(
        min_length=1, max_length=REASON_MAX, examples=["经复核，原评分依据不成立"]
    )


class VetoIn(_In):
    unit_id: UUID
    campaign_id: UUID
    round: Round
    basis: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["发生重大安全责任事故，依照评议办法一票否决"]
    )
    authority: Line = Field(min_length=1, max_length=ASSESSOR_MAX, examples=["县纪委监委"])
    decided_on: Day = Field(examples=["2026-11-20"])


class CancellationIn(_In):
    unit_id: UUID
    campaign_id: UUID
    round: Round
    reason: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["评议期间组织人员代填问卷，违反评议纪律"]
    )
    decided_by: Line = Field(min_length=1, max_length=ASSESSOR_MAX, examples=["市纠风办"])


class RepresentativeViolationIn(_In):
    person_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: Round | None = None
    description: Prose = Field(
        min_length=1, max_length=TEXT_MAX, examples=["评议代表收受被评单位礼品"]
    )


class ScoreHistoryEntry(BaseModel):
    event: Literal["recorded", "corrected", "withdrawn"]
    at: str
    actor: str
    score: str | None
    assessor: str | None
    basis: str | None
    evidence: list[str] | None
    reason: str | None


class _Where(BaseModel):
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int


class AssessmentScoreListItem(_Where):
    """A score as `GET /assessment-scores` lists it: as it stands, without its history."""

    score_id: UUID
    component_code: str
    component_name: str
    score: str = Field(description="Decimal as text, after any correction")
    maximum: str
    assessor: str
    basis: str
    evidence: list[str]
    reason: str
    recorded_by: str
    recorded_at: str
    status: Literal["active", "withdrawn"]
    withdrawn_reason: str | None
    version: int


class AssessmentScoreOut(AssessmentScoreListItem):
    """A score as it stands, with its history (its own GET and every command's answer)."""

    history: list[ScoreHistoryEntry] = Field(
        description="Every recorded, corrected and withdrawn event, oldest first"
    )


class VetoHistoryEntry(BaseModel):
    event: Literal["decided", "revoked"]
    at: str
    actor: str
    reason: str | None = Field(description="Why it was revoked; null for the decision")


class VetoListItem(_Where):
    """A veto as `GET /vetoes` lists it: as it stands, without its history."""

    veto_id: UUID
    basis: str
    authority: str
    decided_on: str
    decided_by: str
    status: Literal["active", "revoked"]
    revoked_reason: str | None
    version: int


class VetoOut(VetoListItem):
    """A veto as it stands, with its history (its own GET and every command's answer): who
    decided it and when, and who revoked it, when and why."""

    history: list[VetoHistoryEntry] | None = Field(
        default=None,
        description="The decision and its revocation, oldest first; null only in an answer "
        "kept with an Idempotency-Key before vetoes showed their history",
    )


class CancellationOut(_Where):
    cancellation_id: UUID
    reason: str
    decided_by: str
    recorded_by: str
    recorded_at: str


class RepresentativeViolationOut(BaseModel):
    violation_id: UUID
    person_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int | None
    description: str
    recorded_by: str
    recorded_at: str
