"""How assessment records are answered and listed (the API's response shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.inspection.assessments.domain import (
    AssessmentScore,
    RepresentativeViolation,
    ResultCancellation,
    Veto,
)
from shared.idempotency import Response


def _iso(value: datetime) -> str:
    return value.isoformat()


def _common(found: Any) -> Response:
    return {
        "unit_id": str(found.unit_id),
        "jurisdiction_id": str(found.jurisdiction_id),
        "campaign_id": str(found.campaign_id),
        "round": found.round,
    }


def score_out(s: AssessmentScore) -> Response:
    return {
        "score_id": str(s.id),
        **_common(s),
        "component_code": s.component_code,
        "component_name": s.component_name,
        "score": str(s.score),
        "maximum": str(s.maximum),
        "assessor": s.assessor,
        "basis": s.basis,
        "evidence": list(s.evidence),
        "reason": s.reason,
        "recorded_by": s.recorded_by,
        "recorded_at": _iso(s.created_on),
        "status": "withdrawn" if s.withdrawn else "active",
        "withdrawn_reason": s.withdrawn_reason,
        "version": s.version,
    }


def score_history_entry(domain_event: Any) -> Response:
    entry: Response = {"at": _iso(domain_event.timestamp), "actor": domain_event.actor}
    if isinstance(domain_event, AssessmentScore.Recorded | AssessmentScore.Corrected):
        kind = "recorded" if isinstance(domain_event, AssessmentScore.Recorded) else "corrected"
        return entry | {
            "event": kind,
            "score": str(domain_event.score),
            "assessor": domain_event.assessor,
            "basis": domain_event.basis,
            "evidence": list(domain_event.evidence),
            "reason": domain_event.reason,
        }
    if isinstance(domain_event, AssessmentScore.Withdrawn):
        return entry | {
            "event": "withdrawn",
            "score": None,
            "assessor": None,
            "basis": None,
            "evidence": None,
            "reason": domain_event.reason,
        }
    raise TypeError(f"{type(domain_event).__name__} is not an assessment score event")


def veto_out(v: Veto) -> Response:
    return {
        "veto_id": str(v.id),
        **_common(v),
        "basis": v.basis,
        "authority": v.authority,
        "decided_on": v.decided_on,
        "decided_by": v.decided_by,
        "status": "revoked" if v.revoked else "active",
        "revoked_reason": v.revoked_reason,
        "version": v.version,
    }


def veto_history_entry(domain_event: Any) -> Response:
    entry: Response = {"at": _iso(domain_event.timestamp), "actor": domain_event.actor}
    if isinstance(domain_event, Veto.Decided):
        return entry | {"event": "decided", "reason": None}
    if isinstance(domain_event, Veto.Revoked):
        return entry | {"event": "revoked", "reason": domain_event.reason}
    raise TypeError(f"{type(domain_event).__name__} is not a veto event")


def cancellation_out(c: ResultCancellation) -> Response:
    return {
        "cancellation_id": str(c.id),
        **_common(c),
        "reason": c.reason,
        "decided_by": c.decided_by,
        "recorded_by": c.recorded_by,
        "recorded_at": _iso(c.created_on),
    }


def violation_out(v: RepresentativeViolation) -> Response:
    return {
        "violation_id": str(v.id),
        "person_id": str(v.person_id),
        "jurisdiction_id": str(v.jurisdiction_id),
        "campaign_id": str(v.campaign_id),
        "round": v.round,
        "description": v.description,
        "recorded_by": v.recorded_by,
        "recorded_at": _iso(v.created_on),
    }
