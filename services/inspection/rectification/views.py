"""Rectification orders as they stand, from inspection's own published log, so
GET /rectifications is one indexed query per page.

Sorted by `due_order`: the stored deadline of an order that still owes a report (issued, returned,
second handling), else `CLOSED_ORDER` (after every date). The orders overdue on a day are
then exactly a prefix of an open-status list, and those not overdue the rest: the overdue
filter needs no wall clock in the view (handlers are pure folds) and stays one query. The
deadline answered is recounted on the calendar in force (never earlier than the stored one),
so the route filters the page it read by that (`deadline_count`: what the stored deadline was
counted from, the issue or the return that set it, if known).

A finding withdrawn after its order was issued is marked on the order
(`withdrawn_finding_ids`): the view keeps, per finding, the orders that name it
(`rectification_findings`), its own documents, so the withdrawal finds them in one read.
"""

from __future__ import annotations

from typing import Any

from services.inspection.rectification.domain import OPEN, WITHDRAWN
from shared.contracts import IntegrationMessage
from shared.contracts.inspection import FindingWithdrawn
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
    RectificationWithdrawn,
)
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

RECTIFICATIONS = "rectifications"
ORDERS_BY_FINDING = "rectification_findings"
CLOSED_ORDER = "9999-12-31"


def due_order(status: str, deadline: str) -> str:
    return deadline if status in OPEN else CLOSED_ORDER


def deadline_count(doc: Document) -> tuple[str, int] | None:
    """What the order's stored deadline was counted from, the day and the working days
    (recounted when read), or None when unknown (set by a return published before returns
    said them). A document folded before these were kept is read as it was then: the issue's count
    if its deadline was still the issue's (`deadline_from_issue`, or never returned), else
    unknown; its next change keeps them, so no rebuild is needed."""
    if "deadline_counted_from" in doc:
        start, days = doc["deadline_counted_from"], doc.get("deadline_working_days")
        return None if start is None or days is None else (start, int(days))
    if doc.get("deadline_from_issue", doc.get("returns") == 0):
        return doc["issued_on"], doc["working_days"]
    return None


def _counted(doc: Document, p: Any) -> dict[str, Any]:
    """The count of the deadline `p` leaves: the one a return recorded, else the document's
    own while the deadline is unchanged, else unknown (a return published without it)."""
    day, days = getattr(p, "deadline_counted_from", None), getattr(p, "deadline_working_days", None)
    if day is not None and days is not None:
        return {"deadline_counted_from": day.isoformat(), "deadline_working_days": days}
    kept = deadline_count(doc) if p.deadline.isoformat() == doc["deadline"] else None
    start, count = kept or (None, None)
    return {"deadline_counted_from": start, "deadline_working_days": count}


def _ordered(tx: ViewTransaction, p: RectificationOrdered, m: IntegrationMessage) -> None:
    deadline = p.deadline.isoformat()
    doc: Document = {
        "order_id": str(p.order_id),
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "finding_ids": [str(f) for f in p.finding_ids],
        "campaign_id": None if p.campaign_id is None else str(p.campaign_id),
        "round": p.round,
        "unit_principal_id": None if p.unit_principal_id is None else str(p.unit_principal_id),
        "requirements": p.requirements,
        "issued_on": p.issued_on.isoformat(),
        "working_days": p.working_days,
        "deadline": deadline,
        "deadline_counted_from": p.issued_on.isoformat(),
        "deadline_working_days": p.working_days,
        "status": p.status,
        "second_handling": False,
        "returns": 0,
        "report": None,
        "reported_on": None,
        "escalation": None,
        "rating": None,
        "ratings": 0,
        "issued_by": p.actor,
        "version": p.version,
        "withdrawn_finding_ids": [],
        "findings_withdrawn": False,
        "due_order": due_order(p.status, deadline),
        "position": m.position,
    }
    tx.put(RECTIFICATIONS, doc["order_id"], doc)
    for finding in doc["finding_ids"]:
        named = tx.get(ORDERS_BY_FINDING, finding) or {"finding_id": finding, "order_ids": []}
        orders = [*named["order_ids"], doc["order_id"]]
        tx.put(ORDERS_BY_FINDING, finding, named | {"order_ids": orders})


def _finding_withdrawn(tx: ViewTransaction, p: FindingWithdrawn, m: IntegrationMessage) -> None:
    finding = str(p.finding_id)
    named = tx.get(ORDERS_BY_FINDING, finding) or {"order_ids": []}
    for order_id in named["order_ids"]:
        doc = tx.get(RECTIFICATIONS, order_id)
        if doc is None:
            continue
        withdrawn = [*doc.get("withdrawn_finding_ids", []), finding]
        every = set(withdrawn) >= set(doc["finding_ids"])
        change = {"withdrawn_finding_ids": withdrawn, "findings_withdrawn": every}
        tx.put(RECTIFICATIONS, order_id, doc | change | {"position": m.position})


def _change(tx: ViewTransaction, p: Any, m: IntegrationMessage, **change: Any) -> None:
    doc = tx.get(RECTIFICATIONS, str(p.order_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"rectification order {p.order_id} was never issued")
    deadline = p.deadline.isoformat()
    common = {
        "status": p.status,
        "deadline": deadline,
        **_counted(doc, p),
        "version": p.version,
        "due_order": due_order(p.status, deadline),
        "position": m.position,
    }
    tx.put(RECTIFICATIONS, str(p.order_id), doc | change | common)


def _reported(tx: ViewTransaction, p: RectificationReported, m: IntegrationMessage) -> None:
    _change(tx, p, m, report=p.text, reported_on=p.reported_on.isoformat())


def _verified(tx: ViewTransaction, p: RectificationVerified, m: IntegrationMessage) -> None:
    doc = tx.get(RECTIFICATIONS, str(p.order_id)) or {}
    returns = int(doc.get("returns") or 0) + (p.outcome == "returned")
    second = bool(doc.get("second_handling")) or p.second_handling
    _change(tx, p, m, returns=returns, second_handling=second)


def _escalated(tx: ViewTransaction, p: RectificationEscalated, m: IntegrationMessage) -> None:
    _change(tx, p, m, escalation=p.step)


def _rerated(tx: ViewTransaction, p: RectificationRerated, m: IntegrationMessage) -> None:
    doc = tx.get(RECTIFICATIONS, str(p.order_id)) or {}
    _change(tx, p, m, rating=p.rating, ratings=int(doc.get("ratings") or 0) + 1)


def _withdrawn(tx: ViewTransaction, p: RectificationWithdrawn, m: IntegrationMessage) -> None:
    # Its own message (no published status says withdrawn); it sorts with the closed orders.
    doc = tx.get(RECTIFICATIONS, str(p.order_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"rectification order {p.order_id} was never issued")
    change = {
        "status": WITHDRAWN,
        "withdrawn_reason": p.reason,
        "version": p.version,
        "due_order": due_order(WITHDRAWN, doc["deadline"]),
        "position": m.position,
    }
    tx.put(RECTIFICATIONS, str(p.order_id), doc | change)


HANDLERS: dict[Any, ViewHandler] = {
    RectificationOrdered: _ordered,
    RectificationReported: _reported,
    RectificationVerified: _verified,
    RectificationEscalated: _escalated,
    RectificationRerated: _rerated,
    RectificationWithdrawn: _withdrawn,
    FindingWithdrawn: _finding_withdrawn,
}

RECTIFICATIONS_VIEW = View(
    "rectifications",
    2,
    (
        Collection(
            RECTIFICATIONS,
            index=("jurisdiction_id", "unit_id", "status", "unit_principal_id"),
            sort="due_order",
        ),
        Collection(ORDERS_BY_FINDING),
    ),
    {"inspection": HANDLERS},
    "Every rectification order as it stands (reports, verifications, escalations, "
    "re-ratings, withdrawals), most urgent deadline first, from inspection's own published log.",
)
