"""The sealed list: visits planned and not yet conducted or cancelled, for the office that
planned them and the inspectors assigned to them.

A planned visit is never published, so no view can hold it: the list folds the visits'
own stored events (planned, conducted, cancelled), selected from the event store by topic,
so it reads visit events only, never findings or any other area's. Its cost grows with the
visits ever planned; it keeps only the visits the caller may see, one page of them in the
answer. Whom it shows follows `Visit.visible_to`: admins everything, an office those in its
jurisdiction subtree, an inspector those it is assigned to, anyone else (auditors included)
nothing; a unit's key never reaches the route at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.inspection.visits import PLANNED, Visit
from shared.auth import Principal
from shared.idempotency import Response
from shared.persistence.log_pages import notifications
from shared.service.application import PublishingApplication

TOPICS = [get_topic(kind) for kind in (Visit.Planned, Visit.Conducted, Visit.Cancelled)]


@dataclass(frozen=True)
class Sight:
    """Who is looking and what they narrowed the list to."""

    caller: Principal
    jurisdictions: set[str] | None
    """The caller's jurisdiction subtree; None for those who see everything."""
    unit_id: UUID | None = None
    kind: str | None = None

    def sees(self, plan: Visit.Planned) -> bool:
        if self.unit_id is not None and plan.unit_id != self.unit_id:
            return False
        if self.kind is not None and plan.kind != self.kind:
            return False
        role = self.caller.role
        if role == "admin":
            return True
        if role == "office":
            return self.jurisdictions is not None and str(plan.jurisdiction_id) in (
                self.jurisdictions
            )
        return role == "inspector" and self.caller.principal_id in plan.inspectors


def _visit_events(app: PublishingApplication) -> Iterator[Any]:
    for notification in notifications(app.recorder, topics=TOPICS):
        yield app.mapper.to_domain_event(notification)


def still_planned(app: PublishingApplication, sight: Sight) -> list[Visit.Planned]:
    """Every visit the caller may see that is planned still, by day then id."""
    open_plans: dict[UUID, Visit.Planned] = {}
    for event in _visit_events(app):
        if isinstance(event, Visit.Planned):
            if sight.sees(event):
                open_plans[event.originator_id] = event
        else:  # conducted or cancelled: no longer sealed here
            open_plans.pop(event.originator_id, None)
    return sorted(open_plans.values(), key=sort_key)


def sort_key(plan: Visit.Planned) -> tuple[str, str]:
    return plan.planned_on, str(plan.originator_id)


def planned_out(plan: Visit.Planned) -> Response:
    return {
        "visit_id": str(plan.originator_id),
        "unit_id": str(plan.unit_id),
        "jurisdiction_id": str(plan.jurisdiction_id),
        "kind": plan.kind,
        "planned_on": plan.planned_on,
        "planned_by": plan.actor,
        "inspectors": [str(i) for i in plan.inspectors],
        "checklist": list(plan.checklist),
        "status": PLANNED,
        "conducted_at": None,
        "conducted_by": None,
        "cancelled_reason": None,
        "version": plan.originator_version,
    }
