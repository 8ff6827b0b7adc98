"""The `casework` view: every rectification order (整改) and complaint (投诉举报) as inspection
published it, in its latest state, with the jurisdiction, campaign and round it belongs to,
so that a jurisdiction summary can count them by status in one indexed query. Each of
inspection's messages carries the order's state after the change, so the latest message is
the order's state; a complaint's state is assembled from its steps. An order withdrawn as
issued in error (`inspection.rectification.withdrawn`) stays as a row marked `withdrawn`,
which no later message of it unmarks, and counts for nothing in a summary.

A summary never reads those rows: a province-scale round has tens of thousands of orders.
Each handler also keeps the figures of every (jurisdiction, campaign, round) in
`casework_tallies`, taking the row's old contribution off the tally it counted in and adding
its new one (a complaint named a campaign round only by a later step moves there then), so
a summary sums one tally per jurisdiction of its subtree in one indexed query. Orders and
complaints of no campaign round count in no tally: no summary reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.inspection_complaints import (
    ComplaintCallbackRecorded,
    ComplaintConcluded,
    ComplaintDispatched,
    ComplaintReceived,
    ComplaintReplied,
)
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
    RectificationWithdrawn,
)
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

ORDERS = "casework_orders"
COMPLAINTS = "casework_complaints"
TALLIES = "casework_tallies"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _place(doc: Document | None) -> tuple[str, str, int] | None:
    """The tally a row counts in: its jurisdiction, campaign and round, if it has both."""
    if doc is None or doc.get("campaign_id") is None or doc.get("round") is None:
        return None
    return str(doc["jurisdiction_id"]), str(doc["campaign_id"]), int(doc["round"])


def order_counts(doc: Document) -> dict[str, int]:
    """What one order adds to its round's figures: a withdrawn order only `withdrawn`."""
    if doc.get("withdrawn"):
        return {"orders.withdrawn": 1}
    counts = {"orders": 1, f"orders.status.{doc['status']}": 1}
    if doc["escalations"]:
        counts["orders.escalated"] = 1
    for step in doc["escalations"]:
        counts[f"orders.step.{step}"] = counts.get(f"orders.step.{step}", 0) + 1
    if doc["rating"] is not None:
        counts[f"orders.rating.{doc['rating']}"] = 1
    return counts


def complaint_counts(doc: Document) -> dict[str, int]:
    counts = {"complaints": 1, f"complaints.status.{doc['status']}": 1}
    if doc["outcome"] is not None:
        counts[f"complaints.outcome.{doc['outcome']}"] = 1
    return counts


def tally_key(place: tuple[str, str, int]) -> str:
    jurisdiction_id, campaign_id, round_ = place
    return f"{jurisdiction_id}:{campaign_id}:{round_}"


def _retally(
    tx: ViewTransaction,
    before: Document | None,
    after: Document,
    counts: Callable[[Document], dict[str, int]],
) -> None:
    """Moves a row's contribution from what it was (`before`, None for a new row) to what it
    is: the old figures off the tally they counted in, the new ones onto theirs."""
    deltas: dict[tuple[str, str, int], dict[str, int]] = {}
    for doc, sign in ((before, -1), (after, 1)):
        place = _place(doc)
        if doc is None or place is None:
            continue
        delta = deltas.setdefault(place, {})
        for name, n in counts(doc).items():
            delta[name] = delta.get(name, 0) + sign * n
    for place, delta in deltas.items():
        if not any(delta.values()):
            continue
        key = tally_key(place)
        found = tx.get(TALLIES, key)
        figures = dict(found["counts"]) if found is not None else {}
        for name, n in delta.items():
            figures[name] = figures.get(name, 0) + n
        jurisdiction_id, campaign_id, round_ = place
        tx.put(
            TALLIES,
            key,
            {
                "jurisdiction_id": jurisdiction_id,
                "campaign_id": campaign_id,
                "round": round_,
                "counts": {name: n for name, n in sorted(figures.items()) if n},
            },
        )


def on_order(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
    key = str(p.order_id)
    stored = tx.get(ORDERS, key)
    before = stored or {"escalations": [], "rating": None, "withdrawn": False}
    withdrawing = isinstance(p, RectificationWithdrawn)
    withdrawn = withdrawing or bool(before.get("withdrawn"))
    status = p.withdrawn_from if withdrawing else p.status
    escalations = list(before["escalations"])
    if isinstance(p, RectificationEscalated):
        escalations.append(p.step)
    rating = p.rating if isinstance(p, RectificationRerated) else before["rating"]
    after: Document = {
        "order_id": key,
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "campaign_id": _text(p.campaign_id),
        "round": p.round,
        "status": status,
        "deadline": p.deadline.isoformat(),
        "escalations": escalations,
        "rating": rating,
        "withdrawn": withdrawn,
    }
    tx.put(ORDERS, key, after)
    _retally(tx, stored, after, order_counts)


STEPS: dict[type, str] = {
    ComplaintReceived: "received",
    ComplaintDispatched: "dispatched",
    ComplaintReplied: "replied",
    ComplaintConcluded: "concluded",
}


def on_complaint(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
    key = str(p.complaint_id)
    stored = tx.get(COMPLAINTS, key)
    before: Document = stored or {
        "complaint_id": key,
        "status": "received",
        "outcome": None,
        "callback": None,
        "unit_id": None,
        "campaign_id": None,
        "round": None,
    }
    step = STEPS.get(type(p))
    after: Document = before | {
        "jurisdiction_id": str(p.jurisdiction_id),
        # Later steps may name what the first did not (the unit, the campaign round).
        "unit_id": _text(p.unit_id) or before["unit_id"],
        "campaign_id": _text(p.campaign_id) or before["campaign_id"],
        "round": p.round if p.round is not None else before["round"],
        "status": step or before["status"],
        "outcome": p.outcome if isinstance(p, ComplaintConcluded) else before["outcome"],
        "callback": (
            p.satisfaction if isinstance(p, ComplaintCallbackRecorded) else before["callback"]
        ),
    }
    tx.put(COMPLAINTS, key, after)
    _retally(tx, stored, after, complaint_counts)


CASEWORK_VIEW = View(
    "casework",
    3,  # 2: withdrawn orders; 3: tallies per jurisdiction, campaign and round
    (
        Collection(ORDERS, index=("jurisdiction_id", "campaign_id")),
        Collection(COMPLAINTS, index=("jurisdiction_id", "campaign_id")),
        Collection(TALLIES, index=("jurisdiction_id", "campaign_id", "round")),
    ),
    {
        "inspection": {
            RectificationOrdered: on_order,
            RectificationReported: on_order,
            RectificationVerified: on_order,
            RectificationEscalated: on_order,
            RectificationRerated: on_order,
            RectificationWithdrawn: on_order,
            ComplaintReceived: on_complaint,
            ComplaintDispatched: on_complaint,
            ComplaintReplied: on_complaint,
            ComplaintConcluded: on_complaint,
            ComplaintCallbackRecorded: on_complaint,
        }
    },
    "Rectification orders and complaints in their latest state, and their figures per "
    "jurisdiction, campaign and round for jurisdiction summaries.",
)
