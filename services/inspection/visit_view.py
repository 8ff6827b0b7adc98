"""Conducted visits, from inspection's own published log. A visit is published only once it
is conducted, so this view (and every list served from it) never holds a planned one."""

from __future__ import annotations

from services.inspection.finding_view import found_order
from shared.contracts import IntegrationMessage
from shared.contracts.inspection import VisitConducted
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

VISITS = "visits"


def _conducted(tx: ViewTransaction, p: VisitConducted, m: IntegrationMessage) -> None:
    doc: Document = {
        "visit_id": str(p.visit_id),
        "unit_id": str(p.unit_id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "kind": p.kind,
        "planned_on": p.planned_on.isoformat(),
        "planned_by": p.planned_by,
        "inspectors": [str(i) for i in p.inspectors],
        "checklist": list(p.checklist),
        "status": "conducted",
        "conducted_at": p.conducted_at.isoformat(),
        "conducted_by": p.actor,
        "cancelled_reason": None,
        "version": 2,
        "conducted_order": found_order(p.conducted_at),
        "position": m.position,
    }
    tx.put(VISITS, doc["visit_id"], doc)


VISITS_VIEW = View(
    "visits",
    1,
    (Collection(VISITS, index=("jurisdiction_id", "unit_id", "kind"), sort="conducted_order"),),
    {"inspection": {VisitConducted: _conducted}},
    "Conducted visits (planned ones are sealed and never published), from inspection's own "
    "published log.",
)
