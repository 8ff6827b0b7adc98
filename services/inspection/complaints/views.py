"""Complaints and hotline appearances as they stand, from inspection's own published log
(which carries no complainant data, so neither does this view: GET /complaints/{id} shows
offices the masked complainant from the store).

- `complaints`: one document per complaint; scope for offices is the jurisdiction it was
  taken in, for a unit the jurisdiction of the unit it was dispatched to;
- `hotline_appearances`: one per appearance, scope the unit's jurisdiction when recorded.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.inspection_complaints import (
    ComplaintCallbackRecorded,
    ComplaintConcluded,
    ComplaintDispatched,
    ComplaintReceived,
    ComplaintReplied,
    HotlineAppeared,
)
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

COMPLAINTS = "complaints"
APPEARANCES = "hotline_appearances"
DISPATCHED_STATUSES = frozenset({"dispatched", "replied", "concluded", "closed"})
"""What a unit sees: complaints sent to it, never one still being taken in."""


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def _received(tx: ViewTransaction, p: ComplaintReceived, m: IntegrationMessage) -> None:
    doc: Document = {
        "complaint_id": str(p.complaint_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "unit_jurisdiction_id": None,
        "unit_id": _id(p.unit_id),
        "campaign_id": _id(p.campaign_id),
        "round": p.round,
        "channel": p.channel,
        "kind": p.kind,
        "summary": p.summary,
        "received_on": p.received_on.isoformat(),
        "deadline_days": p.deadline_days,
        "anonymous": p.anonymous,
        "status": "received",
        "dispatched_on": None,
        "due_on": None,
        "reply": None,
        "replied_on": None,
        "outcome": None,
        "outcome_reason": None,
        "satisfaction": None,
        "received_by": p.actor,
        "version": 1,
        "position": m.position,
    }
    tx.put(COMPLAINTS, doc["complaint_id"], doc)


def _change(
    tx: ViewTransaction, complaint_id: object, m: IntegrationMessage, **change: Any
) -> None:
    doc = tx.get(COMPLAINTS, str(complaint_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"complaint {complaint_id} was never received")
    version = int(doc["version"]) + 1
    tx.put(
        COMPLAINTS, str(complaint_id), doc | change | {"version": version, "position": m.position}
    )


def _dispatched(tx: ViewTransaction, p: ComplaintDispatched, m: IntegrationMessage) -> None:
    _change(
        tx,
        p.complaint_id,
        m,
        status="dispatched",
        unit_id=str(p.unit_id),
        unit_jurisdiction_id=str(p.unit_jurisdiction_id),
        dispatched_on=p.dispatched_on.isoformat(),
        due_on=p.due_on.isoformat(),
    )


def _replied(tx: ViewTransaction, p: ComplaintReplied, m: IntegrationMessage) -> None:
    _change(
        tx, p.complaint_id, m, status="replied", reply=p.reply, replied_on=p.replied_on.isoformat()
    )


def _concluded(tx: ViewTransaction, p: ComplaintConcluded, m: IntegrationMessage) -> None:
    """A corrected outcome arrives as a conclusion again: it changes the outcome, never
    reopens a complaint already closed by its callback."""
    doc = tx.get(COMPLAINTS, str(p.complaint_id)) or {}
    status = "closed" if doc.get("status") == "closed" else "concluded"
    _change(tx, p.complaint_id, m, status=status, outcome=p.outcome, outcome_reason=p.reason)


def _called_back(tx: ViewTransaction, p: ComplaintCallbackRecorded, m: IntegrationMessage) -> None:
    _change(tx, p.complaint_id, m, status="closed", satisfaction=p.satisfaction)


def _appeared(tx: ViewTransaction, p: HotlineAppeared, m: IntegrationMessage) -> None:
    doc: Document = {
        "appearance_id": str(p.appearance_id),
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": _id(p.campaign_id),
        "round": p.round,
        "appeared_on": p.appeared_on.isoformat(),
        "topic": p.topic,
        "recorded_by": p.actor,
        "position": m.position,
    }
    tx.put(APPEARANCES, doc["appearance_id"], doc)


HANDLERS: dict[Any, ViewHandler] = {
    ComplaintReceived: _received,
    ComplaintDispatched: _dispatched,
    ComplaintReplied: _replied,
    ComplaintConcluded: _concluded,
    ComplaintCallbackRecorded: _called_back,
    HotlineAppeared: _appeared,
}

COMPLAINTS_VIEW = View(
    "complaints",
    2,
    (
        Collection(
            COMPLAINTS,
            index=("jurisdiction_id", "unit_jurisdiction_id", "unit_id", "status"),
            sort="received_on",
        ),
        Collection(
            APPEARANCES, index=("jurisdiction_id", "unit_id", "campaign_id"), sort="appeared_on"
        ),
    ),
    {"inspection": HANDLERS},
    "Complaints as they stand (without complainant data) and units' hotline appearances, "
    "from inspection's own published log.",
)
VIEWS: tuple[View, ...] = (COMPLAINTS_VIEW,)
