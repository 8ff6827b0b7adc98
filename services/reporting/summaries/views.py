"""The `casework` view: every rectification order (整改) and complaint (投诉举报) as inspection
published it, in its latest state, with the jurisdiction, campaign and round it belongs to,
so that a jurisdiction summary can count them by status in one indexed query. Each of
inspection's messages carries the order's state after the change, so the latest message is
the order's state; a complaint's state is assembled from its steps. An order withdrawn as
issued in error (`inspection.rectification.withdrawn`) stays as a row marked `withdrawn`,
which no later message of it unmarks, and counts for nothing in a summary."""

from __future__ import annotations

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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def on_order(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
    key = str(p.order_id)
    before = tx.get(ORDERS, key) or {"escalations": [], "rating": None, "withdrawn": False}
    withdrawing = isinstance(p, RectificationWithdrawn)
    withdrawn = withdrawing or bool(before.get("withdrawn"))
    status = p.withdrawn_from if withdrawing else p.status
    escalations = list(before["escalations"])
    if isinstance(p, RectificationEscalated):
        escalations.append(p.step)
    rating = p.rating if isinstance(p, RectificationRerated) else before["rating"]
    tx.put(
        ORDERS,
        key,
        {
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
        },
    )


STEPS: dict[type, str] = {
    ComplaintReceived: "received",
    ComplaintDispatched: "dispatched",
    ComplaintReplied: "replied",
    ComplaintConcluded: "concluded",
}


def on_complaint(tx: ViewTransaction, p: Any, m: IntegrationMessage) -> None:
    key = str(p.complaint_id)
    before: Document = tx.get(COMPLAINTS, key) or {
        "complaint_id": key,
        "status": "received",
        "outcome": None,
        "callback": None,
        "unit_id": None,
        "campaign_id": None,
        "round": None,
    }
    step = STEPS.get(type(p))
    tx.put(
        COMPLAINTS,
        key,
        before
        | {
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
        },
    )


CASEWORK_VIEW = View(
    "casework",
    2,  # 2: withdrawn orders
    (
        Collection(ORDERS, index=("jurisdiction_id", "campaign_id")),
        Collection(COMPLAINTS, index=("jurisdiction_id", "campaign_id")),
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
    "Rectification orders and complaints in their latest state, for jurisdiction summaries.",
)
