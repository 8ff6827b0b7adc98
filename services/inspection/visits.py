"""Visits (检查/暗访 as planned and conducted): an office plans one at a unit (its kind, the
day, the inspectors assigned, the checklist of evaluation contents); an assigned inspector
conducts it; findings are then recorded against it. A planned visit is sealed: only the
office and the assigned inspectors see it until it is conducted, no message is published
for it (integration maps neither Planned nor Cancelled), and a unit's key never reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.dates import not_before
from services.inspection.domain import REASON_MAX, _found_at, _method, _text
from services.inspection.errors import InspectionError, InspectionNotFound
from services.inspection.status_words import status_word
from shared.contracts.inspection import EVALUATION_CONTENTS, EvaluationContent, InspectionMethod
from shared.contracts.registry import china_date
from shared.errors import ConflictError, ForbiddenError, InvalidError
from shared.principals import Principal

PLANNED = "planned"
CONDUCTED = "conducted"
CANCELLED = "cancelled"
INSPECTORS_MAX = 20


class VisitNotFound(InspectionNotFound):
    code = "visit_not_found"
    thing = "visit"
    thing_zh = "督查走访"
    measure = "次"


class InvalidVisit(InspectionError, InvalidError):
    code = "invalid_visit"


class VisitNotPlanned(InspectionError, ConflictError):
    code = "visit_not_planned"


class VisitNotConducted(InspectionError, ConflictError):
    code = "visit_not_conducted"


class NotAssigned(InspectionError, ForbiddenError):
    code = "not_assigned"


def _checklist(items: Sequence[str]) -> tuple[EvaluationContent, ...]:
    if any(item not in EVALUATION_CONTENTS for item in items):
        raise InvalidVisit(
            f"每项须为所列值之一 (each must be one of {', '.join(EVALUATION_CONTENTS)})",
            field="checklist",
        )
    if len(set(items)) != len(items):
        raise InvalidVisit("检查项重复列出 (an item is listed twice)", field="checklist")
    return cast(tuple[EvaluationContent, ...], tuple(items))


def _inspectors(ids: Sequence[UUID]) -> tuple[UUID, ...]:
    if not ids:
        raise InvalidVisit("至少指派一名督查员 (assign at least one inspector)", field="inspectors")
    if len(set(ids)) != len(ids):
        raise InvalidVisit("督查员重复列出 (an inspector is listed twice)", field="inspectors")
    if len(ids) > INSPECTORS_MAX:
        raise InvalidVisit(
            f"最多 {INSPECTORS_MAX} 名督查员 (at most {INSPECTORS_MAX} inspectors)",
            field="inspectors",
        )
    return tuple(ids)


class Visit(Aggregate):
    class Planned(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        kind: InspectionMethod
        planned_on: str
        """ISO day (the store has no date transcoding)."""
        inspectors: tuple[UUID, ...]
        checklist: tuple[EvaluationContent, ...]
        actor: str

    class Conducted(Aggregate.Event):
        """Carries the plan's facts too: they are published with it, and only with it."""

        conducted_at: datetime
        actor: str
        unit_id: UUID
        jurisdiction_id: UUID
        kind: InspectionMethod
        planned_on: str
        planned_by: str
        inspectors: tuple[UUID, ...]
        checklist: tuple[EvaluationContent, ...]

    class Cancelled(Aggregate.Event):
        reason: str
        actor: str

    @classmethod
    def plan(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        kind: str,
        planned_on: date,
        inspectors: Sequence[UUID],
        checklist: Sequence[str],
        actor: str,
    ) -> Visit:
        """The application checks first that every inspector is an inspector in scope."""
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            kind=_method(kind),
            planned_on=planned_on.isoformat(),
            inspectors=_inspectors(inspectors),
            checklist=_checklist(checklist),
            actor=actor,
        )

    @event(Planned)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        kind: InspectionMethod,
        planned_on: str,
        inspectors: tuple[UUID, ...],
        checklist: tuple[EvaluationContent, ...],
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.kind = kind
        self.planned_on = planned_on
        self.inspectors = tuple(inspectors)
        self.checklist = tuple(checklist)
        self.planned_by = actor
        self.status = PLANNED
        self.conducted_at: datetime | None = None
        self.conducted_by: str | None = None
        self.cancelled_reason: str | None = None

    def visible_to(self, caller: Principal) -> bool:
        """Sealed until conducted: the office, an admin and the assigned inspectors see a
        planned or cancelled visit; everyone the policy lets read sees a conducted one. The
        caller's jurisdiction is the routes' declared scope to check first (`visit_api.VISIT`)."""
        if self.status == CONDUCTED or caller.role in ("admin", "office"):
            return True
        return caller.role == "inspector" and caller.principal_id in self.inspectors

    def conduct(self, caller: Principal, conducted_at: datetime, now: datetime) -> None:
        self._require_planned()
        if caller.role != "admin" and caller.principal_id not in self.inspectors:
            raise NotAssigned(
                "只有指派到此次走访的督查员可以实施走访 "
                "(only an inspector assigned to the visit conducts it)",
                field="X-API-Key",
            )
        try:
            at = _found_at(conducted_at, now)
        except InvalidError as error:
            raise InvalidVisit(error.reason, field="conducted_at") from None
        # A visit may be conducted ahead of its day, or entered afterwards with the day it
        # took place, but not before both: that is a mistyped year, and the findings on
        # it would then be dated before anyone planned it.
        earliest = min(date.fromisoformat(self.planned_on), china_date(self.created_on))
        not_before(
            china_date(at),
            earliest,
            ("走访计划日期", "the visit was planned"),
            "conducted_at",
            InvalidVisit,
        )
        self._conducted(
            conducted_at=at,
            actor=caller.actor,
            unit_id=self.unit_id,
            jurisdiction_id=self.jurisdiction_id,
            kind=self.kind,
            planned_on=self.planned_on,
            planned_by=self.planned_by,
            inspectors=self.inspectors,
            checklist=self.checklist,
        )

    @event(Conducted)
    def _conducted(
        self,
        conducted_at: datetime,
        actor: str,
        unit_id: UUID,
        jurisdiction_id: UUID,
        kind: InspectionMethod,
        planned_on: str,
        planned_by: str,
        inspectors: tuple[UUID, ...],
        checklist: tuple[EvaluationContent, ...],
    ) -> None:
        self.status = CONDUCTED
        self.conducted_at = conducted_at
        self.conducted_by = actor

    def cancel(self, reason: str, actor: str) -> None:
        self._require_planned()
        try:
            cleaned = _text(reason, "reason", REASON_MAX)
        except InvalidError as error:
            raise InvalidVisit(error.reason, field="reason") from None
        self._cancelled(reason=cleaned, actor=actor)

    @event(Cancelled)
    def _cancelled(self, reason: str, actor: str) -> None:
        self.status = CANCELLED
        self.cancelled_reason = reason

    def admits(
        self, unit_id: UUID, method: str, item: str | None, found_at: datetime | None = None
    ) -> None:
        """A finding on this visit: conducted, at its unit, of its kind, on its checklist,
        found once the visit took place."""
        if self.status != CONDUCTED:
            raise VisitNotConducted(
                "走访实施后才能记录问题 (findings are recorded once the visit is conducted)",
                field="visit_id",
            )
        if found_at is not None:
            self._found_after(found_at)
        if unit_id != self.unit_id:
            raise InvalidVisit(
                "此次走访的是另一单位 (the visit was at another unit)", field="unit_id"
            )
        if method != self.kind:
            raise InvalidVisit(
                f"此次走访方式为 {self.kind} (the visit is a {self.kind})", field="method"
            )
        if self.checklist and item is not None and item not in self.checklist:
            raise InvalidVisit(
                "不在此次走访的检查清单上 (not on the visit's checklist)", field="item"
            )

    def _found_after(self, found_at: datetime) -> None:
        # A time without its offset is the finding's own rule to refuse (domain._found_at).
        conducted = self.conducted_at
        if conducted is None or found_at.utcoffset() is None or found_at >= conducted:
            return
        raise InvalidVisit(
            f"不能早于走访实施时间 {conducted.isoformat()} "
            f"(lies before the visit was conducted ({conducted.isoformat()}))",
            field="found_at",
        )

    def _require_planned(self) -> None:
        if self.status != PLANNED:
            raise VisitNotPlanned(
                f"走访状态为{status_word(self.status)} (the visit is {self.status})",
                field="visit_id",
            )
