"""Assessment scores, vetoes and result cancellations as they stand, built from inspection's
own published log, so the lists are one indexed query per page. Scope is the jurisdiction
recorded with each fact. Representatives' violations, which concern a person rather than a
unit and are read per campaign, are a view of their own (`VIOLATIONS_VIEW`)."""

from __future__ import annotations

from typing import Any

from services.inspection.assessments.representatives import REPRESENTATIVES_VIEW
from shared.contracts import IntegrationMessage
from shared.contracts.inspection_assessments import (
    AssessmentScoreCorrected,
    AssessmentScoreRecorded,
    AssessmentScoreWithdrawn,
    RepresentativeViolationRecorded,
    ResultCancelled,
    VetoDecided,
    VetoRevoked,
)
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

ASSESSMENT_SCORES = "assessment_scores"
VETOES = "assessment_vetoes"
CANCELLATIONS = "assessment_cancellations"
REPRESENTATIVE_VIOLATIONS = "assessment_representative_violations"


def _order(campaign_id: object, round: int, unit_id: object, tail: str) -> str:
    """Campaign, round (fixed width), unit, then `tail`: one sortable text."""
    return f"{campaign_id}/{round:06d}/{unit_id}/{tail}"


def _where(p: Any) -> Document:
    return {
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": str(p.campaign_id),
        "round": p.round,
    }


def _change(
    tx: ViewTransaction, collection: str, key: object, m: IntegrationMessage, **change: Any
) -> None:
    doc = tx.get(collection, str(key))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"{collection} {key} was never recorded")
    tx.put(collection, str(key), doc | change | {"position": m.position})


def _score_recorded(tx: ViewTransaction, p: AssessmentScoreRecorded, m: IntegrationMessage) -> None:
    doc: Document = {
        "score_id": str(p.score_id),
        **_where(p),
        "component_code": p.component_code,
        "component_name": p.component_name,
        "score": str(p.score),
        "maximum": str(p.maximum),
        "assessor": p.assessor,
        "basis": p.basis,
        "evidence": list(p.evidence),
        "reason": p.reason,
        "recorded_by": p.actor,
        "recorded_at": m.occurred_at.isoformat(),
        "status": "active",
        "withdrawn_reason": None,
        "version": 1,
        "order": _order(p.campaign_id, p.round, p.unit_id, p.component_code),
        "position": m.position,
    }
    tx.put(ASSESSMENT_SCORES, doc["score_id"], doc)


def _score_corrected(
    tx: ViewTransaction, p: AssessmentScoreCorrected, m: IntegrationMessage
) -> None:
    _change(
        tx,
        ASSESSMENT_SCORES,
        p.score_id,
        m,
        score=str(p.score),
        assessor=p.assessor,
        basis=p.basis,
        evidence=list(p.evidence),
        reason=p.reason,
        version=p.version,
    )


def _score_withdrawn(
    tx: ViewTransaction, p: AssessmentScoreWithdrawn, m: IntegrationMessage
) -> None:
    _change(
        tx,
        ASSESSMENT_SCORES,
        p.score_id,
        m,
        status="withdrawn",
        withdrawn_reason=p.reason,
        version=p.version,
    )


def _veto_decided(tx: ViewTransaction, p: VetoDecided, m: IntegrationMessage) -> None:
    doc: Document = {
        "veto_id": str(p.veto_id),
        **_where(p),
        "basis": p.basis,
        "authority": p.authority,
        "decided_on": p.decided_on.isoformat(),
        "decided_by": p.actor,
        "status": "active",
        "revoked_reason": None,
        "version": p.version,
        "order": _order(p.campaign_id, p.round, p.unit_id, ""),
        "position": m.position,
    }
    tx.put(VETOES, doc["veto_id"], doc)


def _veto_revoked(tx: ViewTransaction, p: VetoRevoked, m: IntegrationMessage) -> None:
    _change(tx, VETOES, p.veto_id, m, status="revoked", revoked_reason=p.reason, version=p.version)


def _cancelled(tx: ViewTransaction, p: ResultCancelled, m: IntegrationMessage) -> None:
    doc: Document = {
        "cancellation_id": str(p.cancellation_id),
        **_where(p),
        "reason": p.reason,
        "decided_by": p.decided_by,
        "recorded_by": p.actor,
        "recorded_at": m.occurred_at.isoformat(),
        "order": _order(p.campaign_id, p.round, p.unit_id, ""),
        "position": m.position,
    }
    tx.put(CANCELLATIONS, doc["cancellation_id"], doc)


HANDLERS: dict[Any, ViewHandler] = {
    AssessmentScoreRecorded: _score_recorded,
    AssessmentScoreCorrected: _score_corrected,
    AssessmentScoreWithdrawn: _score_withdrawn,
    VetoDecided: _veto_decided,
    VetoRevoked: _veto_revoked,
    ResultCancelled: _cancelled,
}

_INDEX = ("jurisdiction_id", "unit_id", "campaign_id", "status")

ASSESSMENTS_VIEW = View(
    "assessments",
    1,
    (
        Collection(ASSESSMENT_SCORES, index=_INDEX, sort="order"),
        Collection(VETOES, index=_INDEX, sort="order"),
        Collection(CANCELLATIONS, index=_INDEX[:3], sort="order"),
    ),
    {"inspection": HANDLERS},
    "Assessment-team scores (after corrections and withdrawals), vetoes and result "
    "cancellations, from inspection's own published log.",
)


def _violation_recorded(
    tx: ViewTransaction, p: RepresentativeViolationRecorded, m: IntegrationMessage
) -> None:
    doc: Document = {
        "violation_id": str(p.violation_id),
        "person_id": str(p.person_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": str(p.campaign_id),
        "round": p.round,
        "description": p.description,
        "recorded_by": p.actor,
        "recorded_at": m.occurred_at.isoformat(),
        # A campaign's violations by round (those of no one round first), then as recorded.
        "order": f"{p.campaign_id}/{p.round or 0:06d}/{m.position:015d}",
        "position": m.position,
    }
    tx.put(REPRESENTATIVE_VIOLATIONS, doc["violation_id"], doc)


VIOLATIONS_VIEW = View(
    "representative_violations",
    1,
    (
        Collection(
            REPRESENTATIVE_VIOLATIONS,
            index=("campaign_id", "round", "person_id", "jurisdiction_id"),
            sort="order",
        ),
    ),
    {"inspection": {RepresentativeViolationRecorded: _violation_recorded}},
    "Representatives' violations (评议代表违纪) by campaign, from inspection's own published log.",
)

VIEWS: tuple[View, ...] = (ASSESSMENTS_VIEW, VIOLATIONS_VIEW, REPRESENTATIVES_VIEW)
