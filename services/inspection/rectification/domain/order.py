"""The rectification order aggregate (整改通知书): issued, reported on by the unit, verified,
escalated when overdue, its fix re-rated, or withdrawn when issued in error. What each
command requires of the order's state is checked in transitions.py; what each event holds
and assigns is declared in events.py, and a subclass of each stays nested here, since their
stored topics name `order:RectificationOrder.<Event>`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.domain import Finding
from services.inspection.rectification.domain import events
from services.inspection.rectification.domain.rules import (
    NAME_MAX,
    OPEN,
    REASON_MAX,
    REPORT_MAX,
    REQUIREMENTS_MAX,
    WITHDRAWN,
    bounded_text,
    check_findings,
    check_round,
    verification_result,
    working_days_within,
)
from services.inspection.rectification.domain.transitions import (
    check_rerating,
    check_verification,
    check_withdrawal,
    escalation_person,
    issue_day,
    report_day,
)
from services.inspection.workdays import WorkCalendar


class RectificationOrder(Aggregate):
    """One rectification notice to one unit. Dates are stored as ISO text (the event store
    has no date transcoding); the properties give them as dates."""

    # The facts are declared in events.py (state by assignment only); nesting a subclass of
    # each here makes it the aggregate's own event, stored under
    # `…domain.order:RectificationOrder.<Event>` as when they were declared inline.

    class Issued(events.Issued):
        pass

    class Fact(events.Fact):
        pass

    class Reported(events.Reported, Fact):
        pass

    class Verified(events.Verified, Fact):
        pass

    class Escalated(events.Escalated, Fact):
        pass

    class Rerated(events.Rerated, Fact):
        pass

    class Withdrawn(events.Withdrawn, Fact):
        pass

    @classmethod
    def issue(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        findings: Sequence[Finding],
        issued_on: date,
        working_days: int,
        requirements: str,
        campaign_id: UUID | None,
        round: int | None,
        unit_principal_id: UUID | None,
        actor: str,
        today: date,
        calendar: WorkCalendar,
    ) -> RectificationOrder:
        finding_ids = check_findings(findings, unit_id)
        days = working_days_within(working_days)
        issued = issue_day(findings, issued_on, today)
        check_round(campaign_id, round)
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            finding_ids=finding_ids,
            issued_on=issued.isoformat(),
            working_days=days,
            deadline=calendar.add_working_days(issued, days).isoformat(),
            requirements=bounded_text(requirements, "requirements", REQUIREMENTS_MAX),
            campaign_id=campaign_id,
            round=round,
            unit_principal_id=unit_principal_id,
            actor=actor,
        )

    @event(Issued)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        finding_ids: tuple[UUID, ...],
        issued_on: str,
        working_days: int,
        deadline: str,
        requirements: str,
        campaign_id: UUID | None,
        round: int | None,
        unit_principal_id: UUID | None,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.finding_ids = tuple(finding_ids)
        self.issued = issued_on
        self.working_days = working_days
        self.due = deadline
        self.counted_from: str | None = issued_on
        self.counted_days: int | None = working_days
        """What `due` was counted from, the day and the working days, so it can be recounted:
        the issue's, then a return's that set a new deadline (`Verified`); None when a return
        stored before v2 of `Verified` set it without its count."""
        self.requirements = requirements
        self.campaign_id = campaign_id
        self.round = round
        self.unit_principal_id = unit_principal_id
        self.issued_by = actor
        self.status: str = "issued"
        self.returns = 0
        self.second_handling = False
        self.report: str | None = None
        self.reported: str | None = None
        self.returned: str | None = None
        """The day of the latest return (二次办理): a report after it answers the return."""
        self.escalation: str | None = None
        self.rating: str | None = None
        self.ratings = 0
        self.withdrawn_reason: str | None = None

    @property
    def issued_on(self) -> date:
        return date.fromisoformat(self.issued)

    @property
    def deadline(self) -> date:
        return date.fromisoformat(self.due)

    def deadline_in_force(self, calendar: WorkCalendar) -> date:
        """The deadline recounted on `calendar` from what it was counted from (the issue, or
        the return that set it), never before the stored day; one a return stored before
        its count was recorded stands as stored."""
        if self.counted_from is None or self.counted_days is None:
            return self.deadline
        start = date.fromisoformat(self.counted_from)
        return calendar.recount(start, self.counted_days, self.deadline)

    @property
    def reported_on(self) -> date | None:
        return None if self.reported is None else date.fromisoformat(self.reported)

    def _context(self, status: str | None = None, deadline: date | None = None) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "jurisdiction_id": self.jurisdiction_id,
            "finding_ids": self.finding_ids,
            "campaign_id": self.campaign_id,
            "round": self.round,
            "deadline": (deadline or self.deadline).isoformat(),
            "status": status or self.status,
        }

    # -- the unit reports -------------------------------------------------------------

    def report_done(self, text: str, reported_on: date, actor: str, today: date) -> None:
        day = report_day(self.status, self.issued_on, self.returned, reported_on, today)
        self.trigger_event(
            self.Reported,
            **self._context("reported"),
            actor=actor,
            text=bounded_text(text, "text", REPORT_MAX),
            reported_on=day.isoformat(),
        )

    # -- an inspector or office verifies -----------------------------------------------

    def verify(
        self,
        outcome: str,
        reason: str,
        working_days: int | None,
        actor: str,
        today: date,
        calendar: WorkCalendar,
    ) -> None:
        check_verification(self.status, outcome)
        cleaned = bounded_text(reason, "reason", REASON_MAX)
        status, deadline, second = verification_result(
            outcome, working_days, self.returns, self.deadline, today, calendar
        )
        counted = working_days is not None  # only a return may set one (checked above)
        self.trigger_event(
            self.Verified,
            **self._context(status, deadline),
            actor=actor,
            outcome=outcome,
            reason=cleaned,
            verified_on=today.isoformat(),
            second_handling=second,
            deadline_counted_from=today.isoformat() if counted else None,
            deadline_working_days=working_days,
        )

    # -- overdue and escalation ---------------------------------------------------------

    def is_overdue(self, today: date, calendar: WorkCalendar) -> bool:
        return self.status in OPEN and today > self.deadline_in_force(calendar)

    def escalate(
        self,
        step: str,
        reason: str,
        person: str | None,
        actor: str,
        today: date,
        calendar: WorkCalendar,
    ) -> None:
        overdue = self.is_overdue(today, calendar)
        due = self.deadline_in_force(calendar).isoformat()
        named = escalation_person(self.status, due, overdue, self.escalation, step, person)
        self.trigger_event(
            self.Escalated,
            **self._context(),
            actor=actor,
            step=step,
            reason=bounded_text(reason, "reason", REASON_MAX),
            escalated_on=today.isoformat(),
            person=named,
        )

    # -- re-rating of the fix -------------------------------------------------------------

    def rerate(self, rating: str, raters: str, reason: str, actor: str, today: date) -> None:
        check_rerating(self.status, rating)
        self.trigger_event(
            self.Rerated,
            **self._context(),
            actor=actor,
            rating=rating,
            raters=bounded_text(raters, "raters", NAME_MAX),
            reason=bounded_text(reason, "reason", REASON_MAX),
            rated_on=today.isoformat(),
        )

    # -- withdrawal of an order issued in error ---------------------------------------------

    def withdraw(self, reason: str, actor: str, today: date) -> None:
        """撤销: the order stays on record, marked withdrawn with the reason; an accepted one
        (verified and closed) stands, as its re-rating may already count."""
        check_withdrawal(self.status)
        self.trigger_event(
            self.Withdrawn,
            **self._context(WITHDRAWN),
            actor=actor,
            withdrawn_from=self.status,
            reason=bounded_text(reason, "reason", REASON_MAX),
            withdrawn_on=today.isoformat(),
        )
