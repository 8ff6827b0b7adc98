"""Stored inspection events -> published contracts. Anything not listed stays internal.

Every finding event is published, corrections and withdrawals too, so the finding list is
served from inspection's own read model of its log (and other services may follow it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from services.inspection.areas import AREAS
from services.inspection.domain import Finding
from services.inspection.visits import Visit
from shared.contracts import IntegrationPayload
from shared.contracts import inspection as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    """Findings here; each area (rectification, complaints, ...) maps its own events."""
    for area in AREAS:
        mapper = area.MAPPERS.get(type(domain_event))
        if mapper is not None:
            payload: IntegrationPayload = mapper(domain_event)
            return payload
    return _finding_payload(domain_event)


def _finding_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Finding.Recorded):
        return contract.FindingRecorded(
            finding_id=domain_event.originator_id,
            unit_id=domain_event.unit_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            method=domain_event.method,
            summary=domain_event.summary,
            found_at=domain_event.found_at,
            actor=domain_event.actor,
            visit_id=domain_event.visit_id,
            item=domain_event.item,
            severity=domain_event.severity,
            deduction=domain_event.deduction,
            evidence=tuple(domain_event.evidence),
        )
    if isinstance(domain_event, Finding.EvidenceAttached):
        return contract.FindingEvidenceAttached(
            finding_id=domain_event.originator_id,
            evidence=tuple(domain_event.evidence),
            actor=domain_event.actor,
            version=domain_event.originator_version,
        )
    if isinstance(domain_event, Finding.Corrected):
        return contract.FindingCorrected(
            finding_id=domain_event.originator_id,
            summary=domain_event.summary,
            reason=domain_event.reason,
            actor=domain_event.actor,
            version=domain_event.originator_version,
        )
    if isinstance(domain_event, Finding.Withdrawn):
        return contract.FindingWithdrawn(
            finding_id=domain_event.originator_id,
            reason=domain_event.reason,
            actor=domain_event.actor,
            version=domain_event.originator_version,
        )
    return _visit_payload(domain_event)


def _visit_payload(domain_event: Any) -> IntegrationPayload | None:
    """Planned and Cancelled map to nothing: a sealed visit is never published. Conducted
    publishes the plan's facts with it."""
    if isinstance(domain_event, Visit.Conducted):
        return contract.VisitConducted(
            visit_id=domain_event.originator_id,
            unit_id=domain_event.unit_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            kind=domain_event.kind,
            planned_on=date.fromisoformat(domain_event.planned_on),
            planned_by=domain_event.planned_by,
            inspectors=tuple(domain_event.inspectors),
            checklist=tuple(domain_event.checklist),
            conducted_at=domain_event.conducted_at,
            actor=domain_event.actor,
        )
    return None
