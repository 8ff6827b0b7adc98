"""Stored assessment events -> published contracts. Every fact and correction is published,
so the lists are served from inspection's own read model and scoring can apply the rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.inspection.assessments.domain import (
    AssessmentScore,
    RepresentativeViolation,
    ResultCancellation,
    Veto,
)
from shared.contracts import IntegrationPayload
from shared.contracts import inspection_assessments as contract


def _where(e: Any) -> dict[str, Any]:
    return {
        "unit_id": e.unit_id,
        "jurisdiction_id": e.jurisdiction_id,
        "campaign_id": e.campaign_id,
        "round": e.round,
    }


def _score_recorded(e: AssessmentScore.Recorded) -> IntegrationPayload:
    return contract.AssessmentScoreRecorded(
        score_id=e.originator_id,
        **_where(e),
        component_code=e.component_code,
        component_name=e.component_name,
        score=e.score,
        maximum=e.maximum,
        assessor=e.assessor,
        basis=e.basis,
        evidence=list(e.evidence),
        reason=e.reason,
        actor=e.actor,
    )


def _score_corrected(e: AssessmentScore.Corrected) -> IntegrationPayload:
    return contract.AssessmentScoreCorrected(
        score_id=e.originator_id,
        **_where(e),
        component_code=e.component_code,
        score=e.score,
        maximum=e.maximum,
        assessor=e.assessor,
        basis=e.basis,
        evidence=list(e.evidence),
        reason=e.reason,
        actor=e.actor,
        version=e.originator_version,
    )


def _score_withdrawn(e: AssessmentScore.Withdrawn) -> IntegrationPayload:
    return contract.AssessmentScoreWithdrawn(
        score_id=e.originator_id,
        **_where(e),
        component_code=e.component_code,
        reason=e.reason,
        actor=e.actor,
        version=e.originator_version,
    )


def _veto_decided(e: Veto.Decided) -> IntegrationPayload:
    return contract.VetoDecided(
        veto_id=e.originator_id,
        **_where(e),
        basis=e.basis,
        authority=e.authority,
        decided_on=date.fromisoformat(e.decided_on),
        actor=e.actor,
        version=e.originator_version,
    )


def _veto_revoked(e: Veto.Revoked) -> IntegrationPayload:
    return contract.VetoRevoked(
        veto_id=e.originator_id,
        **_where(e),
        reason=e.reason,
        actor=e.actor,
        version=e.originator_version,
    )


def _cancelled(e: ResultCancellation.Cancelled) -> IntegrationPayload:
    return contract.ResultCancelled(
        cancellation_id=e.originator_id,
        **_where(e),
        reason=e.reason,
        decided_by=e.decided_by,
        actor=e.actor,
    )


def _violation(e: RepresentativeViolation.Recorded) -> IntegrationPayload:
    return contract.RepresentativeViolationRecorded(
        violation_id=e.originator_id,
        person_id=e.person_id,
        jurisdiction_id=e.jurisdiction_id,
        campaign_id=e.campaign_id,
        round=e.round,
        description=e.description,
        actor=e.actor,
    )


MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {
    AssessmentScore.Recorded: _score_recorded,
    AssessmentScore.Corrected: _score_corrected,
    AssessmentScore.Withdrawn: _score_withdrawn,
    Veto.Decided: _veto_decided,
    Veto.Revoked: _veto_revoked,
    ResultCancellation.Cancelled: _cancelled,
    RepresentativeViolation.Recorded: _violation,
}
