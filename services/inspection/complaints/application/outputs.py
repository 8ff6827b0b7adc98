"""The answer shapes of complaints and hotline appearances (no complainant data: the
commands add it, masked, where the caller may see it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from services.inspection.complaints.domain import Complaint, HotlineAppearance
from services.inspection.workdays import Basis, WorkCalendar
from shared.idempotency import Response

STEPS: dict[type[Any], str] = {
    Complaint.Received: "received",
    Complaint.Dispatched: "dispatched",
    Complaint.Replied: "replied",
    Complaint.Concluded: "concluded",
    Complaint.OutcomeCorrected: "outcome_corrected",
    Complaint.CallbackRecorded: "called_back",
}


def _id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def complaint_out(c: Complaint) -> Response:
    return {
        "complaint_id": str(c.id),
        "jurisdiction_id": str(c.jurisdiction_id),
        "unit_id": _id(c.unit_id),
        "campaign_id": _id(c.campaign_id),
        "round": c.round,
        "channel": c.channel,
        "kind": c.kind,
        "summary": c.summary,
        "received_on": c.received_on,
        "deadline_days": c.deadline_days,
        "anonymous": c.anonymous,
        "status": c.status,
        "dispatched_on": c.dispatched_on,
        "due_on": c.due_on,
        "reply": c.reply,
        "replied_on": c.replied_on,
        "outcome": c.outcome,
        "outcome_reason": c.outcome_reason,
        "satisfaction": c.satisfaction,
        "received_by": c.received_by,
        "version": c.version,
    }


def deadline_basis(
    calendar: WorkCalendar, dispatched_on: str | None, due_on: str | None
) -> Basis | None:
    """Whether a dispatched complaint's deadline was counted on known years (None before
    it is dispatched: it has no deadline yet)."""
    if dispatched_on is None or due_on is None:
        return None
    return calendar.deadline_basis(date.fromisoformat(dispatched_on), date.fromisoformat(due_on))


def deadline_in_force(
    calendar: WorkCalendar, dispatched_on: str | None, deadline_days: int, due_on: str | None
) -> Response:
    """A dispatched complaint's deadline as answered: `deadline_days` after the dispatch
    recounted on `calendar`, never before the day stored (`stored_due_on`), with the basis
    and the years it was counted in. Before a dispatch there is no deadline."""
    if dispatched_on is None or due_on is None:
        return {"due_on": None, "stored_due_on": None, "deadline_basis": None}
    start, stored = date.fromisoformat(dispatched_on), date.fromisoformat(due_on)
    due = calendar.recount(start, deadline_days, stored)
    return {
        "due_on": due.isoformat(),
        "stored_due_on": due_on,
        "deadline_basis": calendar.deadline_basis(start, due),
        "deadline_years": calendar.years_counted(start, due),
    }


def complaint_history(events: Iterable[Any]) -> list[Response]:
    """Who did what and when, oldest first, from the stored events. A dispatch names the
    unit named before it (at intake), so a complaint sent elsewhere shows where it was."""
    history: list[Response] = []
    unit: UUID | None = None
    for event in events:
        entry: Response = {
            "event": STEPS[type(event)],
            "at": event.timestamp.isoformat(),
            "actor": event.actor,
            "reason": getattr(event, "reason", None),
            "unit_id": _id(getattr(event, "unit_id", None)),
            "previous_unit_id": None,
            "outcome": getattr(event, "outcome", None),
            "satisfaction": getattr(event, "satisfaction", None),
        }
        if isinstance(event, Complaint.Dispatched):
            entry["previous_unit_id"] = _id(unit)
        unit = getattr(event, "unit_id", None) or unit
        history.append(entry)
    return history


def appearance_out(a: HotlineAppearance) -> Response:
    return {
        "appearance_id": str(a.id),
        "unit_id": str(a.unit_id),
        "jurisdiction_id": str(a.jurisdiction_id),
        "campaign_id": _id(a.campaign_id),
        "round": a.round,
        "appeared_on": a.appeared_on,
        "topic": a.topic,
        "recorded_by": a.recorded_by,
    }
