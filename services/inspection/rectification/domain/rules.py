"""What a rectification order accepts: bounds, the errors its commands raise, the findings
an order may cover, what a verification leaves (the deadline rules of 二次办理), and the
typed views of the stored strings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast
from uuid import UUID

from services.inspection import dates
from services.inspection.domain import Finding, FindingWithdrawn
from services.inspection.errors import InspectionError, InspectionNotFound, checked_text
from services.inspection.workdays import MAX_WORKING_DAYS, WorkCalendar
from shared.contracts.inspection_rectification import (
    EscalationStep,
    RectificationStatus,
    Rerating,
    VerificationOutcome,
)
from shared.errors import ConflictError, InvalidError

REQUIREMENTS_MAX = 2000
REPORT_MAX = 4000
REASON_MAX = 500
NAME_MAX = 100
MAX_FINDINGS = 200
OPEN: frozenset[str] = frozenset({"issued", "returned", "second_handling"})
"""Statuses in which the unit owes a report: the ones that can be overdue."""
WITHDRAWN = "withdrawn"
"""The order's status once withdrawn (撤销): final. Not a published `RectificationStatus`:
only `inspection.rectification.withdrawn` says it."""


class RectificationNotFound(InspectionNotFound):
    code = "rectification_not_found"
    thing = "rectification order"
    thing_zh = "整改通知"
    measure = "份"


class InvalidRectification(InspectionError, InvalidError):
    code = "invalid_rectification"


class RectificationStateConflict(InspectionError, ConflictError):
    code = "rectification_state_conflict"


class NotOverdue(InspectionError, ConflictError):
    code = "rectification_not_overdue"


class EscalationOutOfOrder(InspectionError, ConflictError):
    code = "escalation_out_of_order"


class OrderWithdrawn(InspectionError, ConflictError):
    """The order was withdrawn: nothing is done on it any more, nor is it withdrawn twice."""

    code = "rectification_withdrawn"


def bounded_text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidRectification)


def working_days_within(days: int, field: str = "working_days") -> int:
    if not 1 <= days <= MAX_WORKING_DAYS:
        raise InvalidRectification(
            f"须在 1 至 {MAX_WORKING_DAYS} 之间 (must be between 1 and {MAX_WORKING_DAYS})",
            field=field,
        )
    return days


def not_future(day: date, today: date, field: str) -> date:
    return dates.not_future(day, today, field, InvalidRectification)


def check_findings(findings: Sequence[Finding], unit_id: UUID) -> tuple[UUID, ...]:
    """The findings an order may cover: at least one, each once, active, of this unit."""
    if not findings:
        raise InvalidRectification(
            "至少列出一条问题记录 (name at least one finding)", field="finding_ids"
        )
    if len(findings) > MAX_FINDINGS:
        raise InvalidRectification(
            f"最多 {MAX_FINDINGS} 条问题记录 (at most {MAX_FINDINGS} findings)", field="finding_ids"
        )
    seen: set[UUID] = set()
    for index, finding in enumerate(findings):
        field = f"finding_ids.{index}"
        if finding.id in seen:
            raise InvalidRectification("问题记录重复列出 (finding listed twice)", field=field)
        seen.add(finding.id)
        if finding.withdrawn:
            raise FindingWithdrawn("该问题记录已撤销 (the finding was withdrawn)", field=field)
        if finding.unit_id != unit_id:
            raise InvalidRectification(
                "该问题记录属于另一单位 (the finding is of another unit)", field=field
            )
    return tuple(f.id for f in findings)


def check_round(campaign_id: UUID | None, round: int | None) -> None:
    if round is not None and round < 1:
        raise InvalidRectification("须不小于 1 (must be 1 or more)", field="round")
    if round is not None and campaign_id is None:
        raise InvalidRectification(
            "填写轮次须同时填写 campaign_id (a round needs its campaign_id)", field="round"
        )


def verification_result(
    outcome: str,
    working_days: int | None,
    returns: int,
    deadline: date,
    today: date,
    calendar: WorkCalendar,
) -> tuple[str, date, bool]:
    """(status, deadline, second handling) after a verification: accepted keeps the deadline;
    a first return may set a new one; a second return is second handling (二次办理) and
    must set one, in working days from today."""
    second = outcome == "returned" and returns >= 1
    if outcome == "accepted":
        if working_days is not None:
            raise InvalidRectification(
                "只有退回才设整改期限 (only a return sets a deadline)", field="working_days"
            )
        return "accepted", deadline, second
    if second:
        if working_days is None:
            raise InvalidRectification(
                "二次办理须以工作日设定新期限 "
                "(a second return needs a new deadline in working days)",
                field="working_days",
            )
        return (
            "second_handling",
            calendar.add_working_days(today, working_days_within(working_days)),
            second,
        )
    if working_days is not None:
        deadline = calendar.add_working_days(today, working_days_within(working_days))
    return "returned", deadline, second


def typed_status(value: str) -> RectificationStatus:
    return cast(RectificationStatus, value)


def typed_step(value: str) -> EscalationStep:
    return cast(EscalationStep, value)


def typed_rating(value: str) -> Rerating:
    return cast(Rerating, value)


def typed_outcome(value: str) -> VerificationOutcome:
    return cast(VerificationOutcome, value)
