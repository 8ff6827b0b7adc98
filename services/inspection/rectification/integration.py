"""Stored rectification events -> published contracts (every state change is published)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.inspection.rectification.domain import (
    RectificationOrder,
    typed_outcome,
    typed_rating,
    typed_status,
    typed_step,
)
from shared.contracts import IntegrationPayload
from shared.contracts import inspection_rectification as contract


def _common(e: Any) -> dict[str, Any]:
    return {
        "order_id": e.originator_id,
        "unit_id": e.unit_id,
        "jurisdiction_id": e.jurisdiction_id,
        "finding_ids": tuple(e.finding_ids),
        "campaign_id": e.campaign_id,
        "round": e.round,
        "deadline": date.fromisoformat(e.deadline),
        "actor": e.actor,
        "version": e.originator_version,
    }


def ordered(e: RectificationOrder.Issued) -> IntegrationPayload:
    return contract.RectificationOrdered(
        **_common(e),
        status="issued",
        issued_on=date.fromisoformat(e.issued_on),
        working_days=e.working_days,
        requirements=e.requirements,
        unit_principal_id=e.unit_principal_id,
    )


def reported(e: RectificationOrder.Reported) -> IntegrationPayload:
    return contract.RectificationReported(
        **_common(e),
        status=typed_status(e.status),
        text=e.text,
        reported_on=date.fromisoformat(e.reported_on),
    )


def verified(e: RectificationOrder.Verified) -> IntegrationPayload:
    return contract.RectificationVerified(
        **_common(e),
        status=typed_status(e.status),
        outcome=typed_outcome(e.outcome),
        reason=e.reason,
        verified_on=date.fromisoformat(e.verified_on),
        second_handling=e.second_handling,
        deadline_counted_from=(
            None if e.deadline_counted_from is None else date.fromisoformat(e.deadline_counted_from)
        ),
        deadline_working_days=e.deadline_working_days,
    )


def escalated(e: RectificationOrder.Escalated) -> IntegrationPayload:
    return contract.RectificationEscalated(
        **_common(e),
        status=typed_status(e.status),
        step=typed_step(e.step),
        reason=e.reason,
        escalated_on=date.fromisoformat(e.escalated_on),
        person=e.person,
    )


def rerated(e: RectificationOrder.Rerated) -> IntegrationPayload:
    return contract.RectificationRerated(
        **_common(e),
        status=typed_status(e.status),
        rating=typed_rating(e.rating),
        raters=e.raters,
        reason=e.reason,
        rated_on=date.fromisoformat(e.rated_on),
    )


def withdrawn(e: RectificationOrder.Withdrawn) -> IntegrationPayload:
    return contract.RectificationWithdrawn(
        **_common(e),
        withdrawn_from=typed_status(e.withdrawn_from),
        reason=e.reason,
        withdrawn_on=date.fromisoformat(e.withdrawn_on),
    )


MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {
    RectificationOrder.Issued: ordered,
    RectificationOrder.Reported: reported,
    RectificationOrder.Verified: verified,
    RectificationOrder.Escalated: escalated,
    RectificationOrder.Rerated: rerated,
    RectificationOrder.Withdrawn: withdrawn,
}
