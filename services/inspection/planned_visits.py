"""The sealed list: visits planned and not yet conducted or cancelled, for the office that
planned them and the inspectors assigned to them.

A planned visit is never published, so no view can hold it (a view is built from the
published log, which must not tell of a visit in advance). The list is served instead from
an index kept in memory (`OpenPlans`, one per application), brought up to date from the
service's own event store on every call by notification id, as scoring keeps its round
folds: the first call of a process folds the visit events stored so far (selected by topic:
visit events only, never findings or another area's), every later one only those committed
since. It holds the open plans alone (a conducted or cancelled visit leaves it), by
assigned inspector and by jurisdiction, so a call reads only the plans it may list: an
inspector's own, an office's jurisdictions', all for an admin.

Whom it shows follows `Visit.visible_to`: admins everything, an office those in its
jurisdiction subtree, an inspector those it is assigned to, anyone else (auditors included)
nothing; a unit's key never reaches the route at all.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.inspection.visits import PLANNED, Visit
from shared.idempotency import Response
from shared.persistence.log_pages import notifications
from shared.principals import Principal
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


class OpenPlans:
    """The visits planned and neither conducted nor cancelled, as of the last visit event
    committed, indexed by assigned inspector and by jurisdiction."""

    def __init__(self, app: PublishingApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._read_to = 0
        self._plans: dict[UUID, Visit.Planned] = {}
        self._by_inspector: dict[UUID, set[UUID]] = {}
        self._by_jurisdiction: dict[str, set[UUID]] = {}
        self.folded = 0
        """Visit events read from the store since this index was made."""

    def __len__(self) -> int:
        return len(self._plans)

    def visible(self, sight: Sight) -> list[Visit.Planned]:
        """Every visit the caller may see that is planned still, by day then id."""
        with self._lock:
            self._catch_up()
            chosen = [plan for plan in self._candidates(sight) if sight.sees(plan)]
        return sorted(chosen, key=sort_key)

    def _candidates(self, sight: Sight) -> Iterable[Visit.Planned]:
        role = sight.caller.role
        if role == "admin":
            return list(self._plans.values())
        if role == "office":
            places = sight.jurisdictions or ()
            ids = {i for place in places for i in self._by_jurisdiction.get(place, ())}
        elif role == "inspector":
            ids = set(self._by_inspector.get(sight.caller.principal_id, ()))
        else:
            return []
        return [self._plans[i] for i in ids]

    def _catch_up(self) -> None:
        for notification in notifications(self._app.recorder, after=self._read_to, topics=TOPICS):
            self._fold(self._app.mapper.to_domain_event(notification))
            self._read_to = notification.id
            self.folded += 1

    def _fold(self, event: Any) -> None:
        visit_id = event.originator_id
        if isinstance(event, Visit.Planned):
            self._plans[visit_id] = event
            for inspector in event.inspectors:
                self._by_inspector.setdefault(inspector, set()).add(visit_id)
            self._by_jurisdiction.setdefault(str(event.jurisdiction_id), set()).add(visit_id)
            return
        plan = self._plans.pop(visit_id, None)  # conducted or cancelled: no longer sealed here
        if plan is None:
            return
        for inspector in plan.inspectors:
            _discard(self._by_inspector, inspector, visit_id)
        _discard(self._by_jurisdiction, str(plan.jurisdiction_id), visit_id)


def _discard(index: dict[Any, set[UUID]], key: Any, visit_id: UUID) -> None:
    ids = index.get(key)
    if ids is not None:
        ids.discard(visit_id)
        if not ids:
            del index[key]  # the index holds open plans only, never a trail of empty keys


_INDEXES: weakref.WeakKeyDictionary[PublishingApplication, OpenPlans] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def open_plans(app: PublishingApplication) -> OpenPlans:
    """The application's index, made on first use."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(app)
        if index is None:
            index = _INDEXES[app] = OpenPlans(app)
        return index


def still_planned(app: PublishingApplication, sight: Sight) -> list[Visit.Planned]:
    """Every visit the caller may see that is planned still, by day then id."""
    return open_plans(app).visible(sight)


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
