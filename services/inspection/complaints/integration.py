"""Stored complaint events -> published contracts. No complainant data is ever mapped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.inspection.complaints.domain import Complaint, HotlineAppearance
from shared.contracts import IntegrationPayload
from shared.contracts import inspection_complaints as contract


def _counted(e: Any) -> dict[str, Any]:
    return {
        "unit_id": e.unit_id,
        "jurisdiction_id": e.jurisdiction_id,
        "campaign_id": e.campaign_id,
        "round": e.round,
        "actor": e.actor,
    }


def _received(e: Complaint.Received) -> IntegrationPayload:
    return contract.ComplaintReceived(
        **_counted(e),
        complaint_id=e.originator_id,
        channel=e.channel,
        kind=e.kind,
        summary=e.summary,
        received_on=date.fromisoformat(e.received_on),
        deadline_days=e.deadline_days,
        anonymous=e.anonymous,
    )


def _dispatched(e: Complaint.Dispatched) -> IntegrationPayload:
    return contract.ComplaintDispatched(
        **_counted(e),
        complaint_id=e.originator_id,
        unit_jurisdiction_id=e.unit_jurisdiction_id,
        dispatched_on=date.fromisoformat(e.dispatched_on),
        due_on=date.fromisoformat(e.due_on),
    )


def _replied(e: Complaint.Replied) -> IntegrationPayload:
    return contract.ComplaintReplied(
        **_counted(e),
        complaint_id=e.originator_id,
        reply=e.reply,
        replied_on=date.fromisoformat(e.replied_on),
    )


def _concluded(e: Complaint.Concluded | Complaint.OutcomeCorrected) -> IntegrationPayload:
    """A corrected outcome is published as the complaint's outcome again: every consumer
    (scoring's fold, the casework summaries) keeps a complaint's latest, so the existing
    contract carries the correction without a new version."""
    return contract.ComplaintConcluded(
        **_counted(e), complaint_id=e.originator_id, outcome=e.outcome, reason=e.reason
    )


def _called_back(e: Complaint.CallbackRecorded) -> IntegrationPayload:
    return contract.ComplaintCallbackRecorded(
        **_counted(e), complaint_id=e.originator_id, satisfaction=e.satisfaction
    )


def _appeared(e: HotlineAppearance.Recorded) -> IntegrationPayload:
    return contract.HotlineAppeared(
        **_counted(e),
        appearance_id=e.originator_id,
        appeared_on=date.fromisoformat(e.appeared_on),
        topic=e.topic,
    )


MAPPERS: dict[type[Any], Callable[[Any], IntegrationPayload]] = {
    Complaint.Received: _received,
    Complaint.Dispatched: _dispatched,
    Complaint.Replied: _replied,
    Complaint.Concluded: _concluded,
    Complaint.OutcomeCorrected: _concluded,
    Complaint.CallbackRecorded: _called_back,
    HotlineAppearance.Recorded: _appeared,
}
