"""Rectification commands and queries (a mixin of the inspection application). Orders are
read from the event store, so a report or verification is visible the moment it is made.

Deadlines count working days on `WorkCalendar`, with the data file named by
`PINGYI_INSPECTION_CALENDAR` (holidays and make-up working days the library lacks); the
deadline answered, and judged overdue, is the stored one recounted on the calendar in force
from what it was counted from, the issue or the return that set it
(`RectificationOrder.deadline_in_force`), the stored day beside it. "Today" is the day in
China (Asia/Shanghai)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.campaigns import Checks, unchecked
from services.inspection.domain import Finding
from services.inspection.errors import FindingNotFound
from services.inspection.rectification.domain import RectificationNotFound, RectificationOrder
from services.inspection.workdays import WorkCalendar, WorkingDays, china_today
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller


class Commands(WorkingDays):
    """Rectification orders: issue, report, verify, escalate, re-rate, withdraw."""

    def rectification(self, order_id: UUID, field: str = "order_id") -> RectificationOrder:
        try:
            found: Any = self.repository.get(order_id)
        except AggregateNotFoundError:
            raise RectificationNotFound(field=field) from None
        if not isinstance(found, RectificationOrder):
            raise RectificationNotFound(field=field)
        return found

    def _rectification_finding(
        self, finding_id: UUID, field: str, visible: Callable[[Finding], bool] = lambda _: True
    ) -> Finding:
        """The finding, if it exists and `visible` (the caller's scope) admits it; any other
        is answered exactly as a finding that does not exist."""
        try:
            found: Any = self.repository.get(finding_id)
        except AggregateNotFoundError:
            raise FindingNotFound(field=field) from None
        if not isinstance(found, Finding) or not visible(found):
            raise FindingNotFound(field=field)
        return found

    def issue_rectification(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        finding_ids: list[UUID],
        issued_on: date | None,
        working_days: int,
        requirements: str,
        campaign_id: UUID | None,
        round: int | None,
        unit_principal_id: UUID | None,
        key: str | None,
        checks: Checks = unchecked,
        visible: Callable[[Finding], bool] = lambda _: True,
    ) -> Response:
        """`checks`: the request's checks against the registry copy (campaign, round,
        enrolment, the unit's key), run once the key was looked up. `visible`: whether a
        finding lies in the caller's scope; one that does not is answered exactly as a
        finding that does not exist (404 `finding_not_found`), before anything is said
        about it (another unit's, withdrawn)."""

        def command() -> tuple[list[Any], Response]:
            checks()
            today = china_today()
            findings = [
                self._rectification_finding(f, f"finding_ids.{i}", visible)
                for i, f in enumerate(finding_ids)
            ]
            order = RectificationOrder.issue(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                findings=findings,
                issued_on=issued_on or today,
                working_days=working_days,
                requirements=requirements,
                campaign_id=campaign_id,
                round=round,
                unit_principal_id=unit_principal_id,
                actor=caller.actor,
                today=today,
                calendar=self.work_calendar,
            )
            return [order], self.describe_rectification(order, today)

        request = {
            "unit_id": unit_id,
            "finding_ids": finding_ids,
            "issued_on": issued_on,
            "working_days": working_days,
            "requirements": requirements,
            "campaign_id": campaign_id,
            "round": round,
            "unit_principal_id": unit_principal_id,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="rectification",
            key=key,
            request=request,
            command=command,
        )

    def _change_rectification(
        self, caller: Caller, order_id: UUID, scope: str, key: str | None, request: Any, change: Any
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            today = china_today()
            order = self.rectification(order_id)
            change(order, today)
            return [order], self.describe_rectification(order, today)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"{scope}:{order_id}",
            key=key,
            request=request,
            command=command,
        )

    def report_rectification(
        self, caller: Caller, order_id: UUID, text: str, reported_on: date | None, key: str | None
    ) -> Response:
        return self._change_rectification(
            caller,
            order_id,
            "rectification-report",
            key,
            {"text": text, "reported_on": reported_on},
            lambda order, today: order.report_done(text, reported_on or today, caller.actor, today),
        )

    def verify_rectification(
        self,
        caller: Caller,
        order_id: UUID,
        outcome: str,
        reason: str,
        working_days: int | None,
        key: str | None,
    ) -> Response:
        return self._change_rectification(
            caller,
            order_id,
            "rectification-verification",
            key,
            {"outcome": outcome, "reason": reason, "working_days": working_days},
            lambda order, today: order.verify(
                outcome, reason, working_days, caller.actor, today, self.work_calendar
            ),
        )

    def escalate_rectification(
        self,
        caller: Caller,
        order_id: UUID,
        step: str,
        reason: str,
        person: str | None,
        key: str | None,
    ) -> Response:
        return self._change_rectification(
            caller,
            order_id,
            "rectification-escalation",
            key,
            {"step": step, "reason": reason, "person": person},
            lambda order, today: order.escalate(
                step, reason, person, caller.actor, today, self.work_calendar
            ),
        )

    def rerate_rectification(
        self,
        caller: Caller,
        order_id: UUID,
        rating: str,
        raters: str,
        reason: str,
        key: str | None,
    ) -> Response:
        return self._change_rectification(
            caller,
            order_id,
            "rectification-rerating",
            key,
            {"rating": rating, "raters": raters, "reason": reason},
            lambda order, today: order.rerate(rating, raters, reason, caller.actor, today),
        )

    def withdraw_rectification(
        self, caller: Caller, order_id: UUID, reason: str, key: str | None
    ) -> Response:
        return self._change_rectification(
            caller,
            order_id,
            "rectification-withdrawal",
            key,
            {"reason": reason},
            lambda order, today: order.withdraw(reason, caller.actor, today),
        )

    def _withdrawn_findings(self, order: RectificationOrder) -> list[str]:
        withdrawn = []
        for finding_id in order.finding_ids:
            try:
                finding = self._rectification_finding(finding_id, "finding_ids")
            except FindingNotFound:
                continue  # only in a log stored under looser rules; it withdrew nothing
            if finding.withdrawn:
                withdrawn.append(str(finding_id))
        return withdrawn

    def describe_rectification(self, order: RectificationOrder, today: date) -> Response:
        """The order as it stands, overdue-ness against `today`, with every event, and which
        of its findings were withdrawn since it was issued."""
        events = [*self.events.get(order.id), *order.pending_events]
        out = rectification_out(order, today, self.work_calendar)
        withdrawn = self._withdrawn_findings(order)
        return out | {
            "withdrawn_finding_ids": withdrawn,
            "findings_withdrawn": len(withdrawn) == len(order.finding_ids),
            "history": [history_entry(e) for e in events],
        }


def rectification_out(o: RectificationOrder, today: date, calendar: WorkCalendar) -> Response:
    overdue = o.is_overdue(today, calendar)
    deadline = o.deadline_in_force(calendar)
    return {
        "order_id": str(o.id),
        "unit_id": str(o.unit_id),
        "jurisdiction_id": str(o.jurisdiction_id),
        "finding_ids": [str(f) for f in o.finding_ids],
        "campaign_id": None if o.campaign_id is None else str(o.campaign_id),
        "round": o.round,
        "unit_principal_id": None if o.unit_principal_id is None else str(o.unit_principal_id),
        "requirements": o.requirements,
        "issued_on": o.issued,
        "working_days": o.working_days,
        "deadline": deadline.isoformat(),
        "stored_deadline": o.due,
        "status": o.status,
        "second_handling": o.second_handling,
        "returns": o.returns,
        "report": o.report,
        "reported_on": o.reported,
        "escalation": o.escalation,
        "rating": o.rating,
        "ratings": o.ratings,
        "withdrawn_reason": o.withdrawn_reason,
        "issued_by": o.issued_by,
        "overdue": overdue,
        "overdue_working_days": (calendar.working_days_between(deadline, today) if overdue else 0),
        "deadline_basis": calendar.deadline_basis(o.issued_on, deadline),
        "deadline_years": calendar.years_counted(o.issued_on, deadline),
        "version": o.version,
    }


def history_entry(e: Any) -> Response:
    entry: Response = {"at": e.timestamp.isoformat(), "actor": e.actor, "reason": None}
    if isinstance(e, RectificationOrder.Issued):
        return entry | {"event": "ordered", "detail": e.requirements, "deadline": e.deadline}
    entry |= {"deadline": e.deadline}
    if isinstance(e, RectificationOrder.Reported):
        return entry | {"event": "reported", "detail": e.text}
    if isinstance(e, RectificationOrder.Verified):
        return entry | {"event": e.outcome, "detail": e.status, "reason": e.reason}
    if isinstance(e, RectificationOrder.Escalated):
        detail = e.step if e.person is None else f"{e.step}：{e.person}"
        return entry | {"event": "escalated", "detail": detail, "reason": e.reason}
    if isinstance(e, RectificationOrder.Rerated):
        detail = f"{e.rating}（{e.raters}）"
        return entry | {"event": "rerated", "detail": detail, "reason": e.reason}
    if isinstance(e, RectificationOrder.Withdrawn):
        return entry | {"event": "withdrawn", "detail": e.withdrawn_from, "reason": e.reason}
    raise TypeError(f"{type(e).__name__} is not a rectification event")
