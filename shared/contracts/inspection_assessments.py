"""Published inspection facts: assessments (评议组评分) and the decisions that override scores.

An assessment team's score of one component for one unit in a campaign round, every later
correction and its withdrawal; a one-vote veto (一票否决) and its revocation; a unit's results
cancelled for a discipline violation (取消评议成绩); a representative's violation (评议代表违纪),
published so the registry can disqualify the representative. Inspection records the facts;
scoring applies the rules. Every message carries the unit and the jurisdiction recorded with
the fact (its scope for good), the campaign and the round it counts toward, and the actor.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload


class AssessmentScoreRecorded(IntegrationPayload):
    """An assessment team scored one component (e.g. 组织与资料, 日常工作) of a unit for a
    campaign round; `score_id` is derived from (campaign, round, unit, component code)."""

    event_type = "inspection.assessments.score_recorded"
    score_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    component_code: str
    component_name: str
    score: Decimal
    maximum: Decimal
    assessor: str
    basis: str
    evidence: list[str]
    """Hashes of the evidence files, each 'sha256:<hex>'."""
    reason: str
    actor: str


class AssessmentScoreCorrected(IntegrationPayload):
    """A new score replaced the current one, with the reason; the earlier stays on record."""

    event_type = "inspection.assessments.score_corrected"
    score_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    component_code: str
    score: Decimal
    maximum: Decimal
    assessor: str
    basis: str
    evidence: list[str]
    reason: str
    actor: str
    version: int
    """The score's version after this change (the recording is version 1)."""


class AssessmentScoreWithdrawn(IntegrationPayload):
    """The score no longer counts; it stays on record, marked withdrawn with the reason."""

    event_type = "inspection.assessments.score_withdrawn"
    score_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    component_code: str
    reason: str
    actor: str
    version: int


class VetoDecided(IntegrationPayload):
    """一票否决: the deciding authority vetoed the unit's result for the campaign round."""

    event_type = "inspection.assessments.veto_decided"
    veto_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    basis: str
    authority: str
    decided_on: date
    actor: str
    version: int


class VetoRevoked(IntegrationPayload):
    """The veto no longer applies; it stays on record with the reason."""

    event_type = "inspection.assessments.veto_revoked"
    veto_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    reason: str
    actor: str
    version: int


class ResultCancelled(IntegrationPayload):
    """取消评议成绩: the unit broke evaluation discipline, its results for the round are
    cancelled (seed 000)."""

    event_type = "inspection.assessments.result_cancelled"
    cancellation_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int
    reason: str
    decided_by: str
    actor: str


class RepresentativeViolationRecorded(IntegrationPayload):
    """An evaluation representative (评议代表) broke the rules; published so the registry may
    disqualify the person. The jurisdiction is the recording office's; no unit is concerned."""

    event_type = "inspection.assessments.representative_violation_recorded"
    violation_id: UUID
    person_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID
    round: int | None = None
    description: str
    actor: str
    unit_id: UUID | None = None
