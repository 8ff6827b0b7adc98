"""Which changes an order's state allows: the checks of the order's commands, apart from the
aggregate (order.py) that records the events. Each takes the order's state as plain values
and raises the error the API answers with (409 for a state conflict, 422 for bad input), so
the aggregate's methods only check here, then trigger their event.

The events stay nested in `RectificationOrder`: their stored topics name that class."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.inspection.dates import not_before
from services.inspection.domain import Finding
from services.inspection.rectification.domain.rules import (
    NAME_MAX,
    OPEN,
    WITHDRAWN,
    EscalationOutOfOrder,
    InvalidRectification,
    NotOverdue,
    OrderWithdrawn,
    RectificationStateConflict,
    bounded_text,
    not_future,
)
from services.inspection.status_words import status_word
from shared.contracts.inspection_rectification import ESCALATION_STEPS, RERATINGS
from shared.contracts.registry import china_date


def issue_day(findings: Sequence[Finding], issued_on: date, today: date) -> date:
    """An order is dated neither in the future nor before the findings it is issued for."""
    issued = not_future(issued_on, today, "issued_on")
    latest = max(china_date(finding.found_at) for finding in findings)
    not_before(
        issued, latest, ("问题发现日期", "the finding was found"), "issued_on", InvalidRectification
    )
    return issued


def require_standing(status: str) -> None:
    """A withdrawn order is final: nothing more is done to it."""
    if status == WITHDRAWN:
        raise OrderWithdrawn("整改通知已撤销 (the order was withdrawn)", field="order_id")


def report_day(
    status: str, issued_on: date, returned: str | None, reported_on: date, today: date
) -> date:
    """The day a report is dated, if the order is open and the day is not before what the
    report answers: the notice, or after a return (二次办理) the return."""
    require_standing(status)
    if status not in OPEN:
        raise RectificationStateConflict(
            f"整改通知状态为{status_word(status)}, 无需报送 "
            f"(the order is {status}; nothing to report)",
            field="order_id",
        )
    day = not_future(reported_on, today, "reported_on")
    since, what = (
        (date.fromisoformat(returned), ("整改退回日期", "the order was returned"))
        if returned
        else (issued_on, ("整改通知下发日期", "the order was issued"))
    )
    not_before(day, since, what, "reported_on", InvalidRectification)
    return day


def check_verification(status: str, outcome: str) -> None:
    require_standing(status)
    if status != "reported":
        raise RectificationStateConflict(
            f"整改通知状态为{status_word(status)}, 只有已报送的整改才能核查 "
            f"(the order is {status}; only a report is verified)",
            field="order_id",
        )
    if outcome not in ("accepted", "returned"):
        raise InvalidRectification(
            "须为 accepted (通过) 或 returned (退回) (must be accepted or returned)",
            field="outcome",
        )


def escalation_person(
    status: str, due: str, overdue: bool, current: str | None, step: str, person: str | None
) -> str | None:
    """Checks an escalation of an overdue order to `step`, the next of 催办 → 通报 → 约谈
    after `current` (or `current` again); the leader summoned (约谈) is named. Returns the
    person named, cleaned."""
    require_standing(status)
    if step not in ESCALATION_STEPS:
        raise InvalidRectification(
            f"须为所列值之一 (must be one of {', '.join(ESCALATION_STEPS)})", field="step"
        )
    if not overdue:
        raise NotOverdue(
            f"整改通知状态为{status_word(status)}, 期限 {due}, 未逾期 "
            f"(the order is {status}, due {due}: not overdue)",
            field="order_id",
        )
    reached = -1 if current is None else ESCALATION_STEPS.index(current)
    wanted = ESCALATION_STEPS.index(step)
    if wanted < reached or wanted > reached + 1:
        steps = ESCALATION_STEPS[max(reached, 0) : reached + 2]
        raise EscalationOutOfOrder(
            f"下一步应为 {'或'.join(steps)} (the next step is {' or '.join(steps)})", field="step"
        )
    named = None if person is None else bounded_text(person, "person", NAME_MAX)
    if step == "约谈" and named is None:
        raise InvalidRectification(
            "须填写被约谈的责任领导 (name the responsible leader summoned)", field="person"
        )
    return named


def check_rerating(status: str, rating: str) -> None:
    require_standing(status)
    if status != "accepted":
        raise RectificationStateConflict(
            f"整改通知状态为{status_word(status)}, 只有已通过的整改才能重新评定 "
            f"(the order is {status}; only an accepted fix is re-rated)",
            field="order_id",
        )
    if rating not in RERATINGS:
        raise InvalidRectification(
            f"须为所列值之一 (must be one of {', '.join(RERATINGS)})", field="rating"
        )


def check_withdrawal(status: str) -> None:
    """An accepted order (verified and closed) stands, as its re-rating may already count."""
    require_standing(status)
    if status == "accepted":
        raise RectificationStateConflict(
            "整改已核查通过, 不能撤销 "
            "(the order was verified and accepted: an accepted order stands)",
            field="order_id",
        )
