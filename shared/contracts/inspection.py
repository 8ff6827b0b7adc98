"""Published inspection facts: a finding as recorded, and every later correction and
withdrawal (each naming who made it and why), so a consumer can hold a finding's current
state without asking inspection for it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

InspectionMethod = Literal["明察", "暗访", "随机检查", "电话暗访", "月检查", "现场评审", "交叉检查"]
"""How a finding was made (and what kind a visit is): open inspection, unannounced visit,
random check, phone mystery call, monthly check, site review, cross check. The one
definition of the methods; the inspection service's domain and schemas use it. Values are
only ever added (a tolerant change: older messages still decode)."""
INSPECTION_METHODS: tuple[str, ...] = get_args(InspectionMethod)

EvaluationContent = Literal[
    "履行职责",
    "办事公开",
    "服务质量",
    "廉洁自律",
    "制度完备",
    "工作纪律",
    "服务态度",
    "工作效率",
    "工作质量",
]
"""The evaluation contents (评价内容) a visit's checklist and a finding name."""
EVALUATION_CONTENTS: tuple[str, ...] = get_args(EvaluationContent)

Severity = Literal["一般", "较重", "严重"]
SEVERITIES: tuple[str, ...] = get_args(Severity)


class FindingRecordedV1(IntegrationPayload):
    """The first shape: a method, a summary and when."""

    event_type = "inspection.finding.recorded"
    schema_version = 1
    finding_id: UUID
    unit_id: UUID
    method: InspectionMethod
    summary: str
    found_at: datetime
    actor: str
    jurisdiction_id: UUID | None = None
    """The jurisdiction the finding was recorded in: its scope for good, even if the unit
    moves later. Added after the first findings were published; those messages lack it."""


class FindingRecorded(IntegrationPayload):
    """v2: the checklist item (评价内容) it falls under, its severity, the points deducted,
    the visit it was found on, and the SHA-256 of each evidence file recorded with it."""

    event_type = "inspection.finding.recorded"
    schema_version = 2
    finding_id: UUID
    unit_id: UUID
    method: InspectionMethod
    summary: str
    found_at: datetime
    actor: str
    jurisdiction_id: UUID | None = None
    visit_id: UUID | None = None
    item: EvaluationContent | None = None
    severity: Severity | None = None
    deduction: Decimal | None = None
    """Points deducted for it (>= 0, at most the cap per finding); None: not scored."""
    evidence: tuple[str, ...] = ()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v1 finding: no visit, item, severity, deduction or evidence."""
        return data | {
            "visit_id": None,
            "item": None,
            "severity": None,
            "deduction": None,
            "evidence": [],
        }


class FindingEvidenceAttached(IntegrationPayload):
    """Evidence files (by SHA-256) added to a finding after it was recorded."""

    event_type = "inspection.finding.evidence_attached"
    finding_id: UUID
    evidence: tuple[str, ...]
    actor: str
    version: int


class FindingCorrected(IntegrationPayload):
    """A new summary replaced the finding's current one; the earlier stays on record."""

    event_type = "inspection.finding.corrected"
    finding_id: UUID
    summary: str
    reason: str
    actor: str
    version: int
    """The finding's version after this change (the recording is version 1)."""


class FindingWithdrawn(IntegrationPayload):
    """The finding stays on record, marked withdrawn; nothing changes it afterwards."""

    event_type = "inspection.finding.withdrawn"
    finding_id: UUID
    reason: str
    actor: str
    version: int
    """The finding's version after this change."""


class VisitConducted(IntegrationPayload):
    """A visit (planned, sealed until now) was conducted: the plan's facts are published
    only now, so nobody reading inspection's log learns of a visit in advance. Visits
    cancelled before they were conducted are never published."""

    event_type = "inspection.visit.conducted"
    visit_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    kind: InspectionMethod
    planned_on: date
    planned_by: str
    inspectors: tuple[UUID, ...]
    checklist: tuple[EvaluationContent, ...]
    conducted_at: datetime
    actor: str
