"""Visit commands and queries (a mixin of InspectionApplication)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.visits import InvalidVisit, Visit, VisitNotFound
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication


class VisitCommands(PublishingApplication):
    def visit(self, visit_id: UUID, field: str = "visit_id") -> Visit:
        try:
            found: Visit = self.repository.get(visit_id)
        except AggregateNotFoundError:
            raise VisitNotFound(field=field) from None
        if not isinstance(found, Visit):
            raise VisitNotFound(field=field)
        return found

    def visible_visit(self, caller: Caller, visit_id: UUID, field: str = "visit_id") -> Visit:
        """The visit if the caller may see it; else exactly the answer for no visit at all."""
        visit = self.visit(visit_id, field)
        if not visit.visible_to(caller):
            raise VisitNotFound(field=field)
        return visit

    def plan_visit(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        kind: str,
        planned_on: date,
        inspectors: Sequence[UUID],
        inspector_ok: Sequence[bool],
        checklist: Sequence[str],
        key: str | None,
    ) -> Response:
        """`inspector_ok[i]`: the API found inspectors[i] to be an active inspector whose
        jurisdiction covers the unit."""

        def command() -> tuple[list[Any], Response]:
            if not all(inspector_ok):
                raise InvalidVisit(
                    "每人须为在职督查员, 且其辖区包含该单位 "
                    "(each must be an active inspector whose jurisdiction covers the unit)",
                    field="inspectors",
                )
            visit = Visit.plan(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                kind=kind,
                planned_on=planned_on,
                inspectors=inspectors,
                checklist=checklist,
                actor=caller.actor,
            )
            return [visit], visit_out(visit)

        request = {
            "unit_id": unit_id,
            "kind": kind,
            "planned_on": planned_on,
            "inspectors": list(inspectors),
            "checklist": list(checklist),
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="visit",
            key=key,
            request=request,
            command=command,
        )

    def conduct_visit(
        self, caller: Caller, visit_id: UUID, conducted_at: datetime, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            visit = self.visible_visit(caller, visit_id)
            visit.conduct(caller, conducted_at, datetime.now(UTC))
            return [visit], visit_out(visit)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"conduct:{visit_id}",
            key=key,
            request={"conducted_at": conducted_at},
            command=command,
        )

    def cancel_visit(
        self, caller: Caller, visit_id: UUID, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            visit = self.visible_visit(caller, visit_id)
            visit.cancel(reason, caller.actor)
            return [visit], visit_out(visit)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"cancel:{visit_id}",
            key=key,
            request={"reason": reason},
            command=command,
        )


def visit_out(v: Visit) -> Response:
    return {
        "visit_id": str(v.id),
        "unit_id": str(v.unit_id),
        "jurisdiction_id": str(v.jurisdiction_id),
        "kind": v.kind,
        "planned_on": v.planned_on,
        "planned_by": v.planned_by,
        "inspectors": [str(i) for i in v.inspectors],
        "checklist": list(v.checklist),
        "status": v.status,
        "conducted_at": None if v.conducted_at is None else v.conducted_at.isoformat(),
        "conducted_by": v.conducted_by,
        "cancelled_reason": v.cancelled_reason,
        "version": v.version,
    }
