"""Handling an order over HTTP, once issued: the unit's report, verification, escalation,
re-rating, and withdrawal of an order issued in error."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.inspection.rectification.api.common import ORDER, RectificationApp
from services.inspection.rectification.schemas import (
    EscalationIn,
    RectificationOut,
    ReportIn,
    ReratingIn,
    VerificationIn,
    WithdrawalIn,
)
from shared.auth import CurrentPrincipal
from shared.policy import Policy, PolicyRouter, allow
from shared.web.idempotency import IdempotencyKey

router = PolicyRouter(tags=["rectification"])


@router.post(
    "/rectifications/{order_id}/report",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("unit", "office", scope=ORDER)),
)
def report_rectification(
    order_id: UUID,
    body: ReportIn,
    caller: CurrentPrincipal,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """报送整改情况: what the unit did (an office may record it on the unit's behalf)."""
    return app.report_rectification(caller, order_id, body.text, body.reported_on, idempotency_key)


@router.post(
    "/rectifications/{order_id}/verification",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("office", "inspector", scope=ORDER)),
)
def verify_rectification(
    order_id: UUID,
    body: VerificationIn,
    caller: CurrentPrincipal,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """核查: accept the report, or return it with the reason; a second return is second
    handling (二次办理) and needs a new deadline (`working_days` from today)."""
    return app.verify_rectification(
        caller, order_id, body.outcome, body.reason, body.working_days, idempotency_key
    )


@router.post(
    "/rectifications/{order_id}/escalation",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("office", scope=ORDER)),
)
def escalate_rectification(
    order_id: UUID,
    body: EscalationIn,
    caller: CurrentPrincipal,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Escalate an overdue order: 催办, then 通报, then 约谈 of the responsible leader
    (`person`); a step may be repeated, never skipped or gone back on."""
    return app.escalate_rectification(
        caller, order_id, body.step, body.reason, body.person, idempotency_key
    )


@router.post(
    "/rectifications/{order_id}/rerating",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("office", scope=ORDER)),
)
def rerate_rectification(
    order_id: UUID,
    body: ReratingIn,
    caller: CurrentPrincipal,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Record how the complainant or raters re-rate an accepted fix (满意/基本满意/不满意)."""
    return app.rerate_rectification(
        caller, order_id, body.rating, body.raters, body.reason, idempotency_key
    )


@router.post(
    "/rectifications/{order_id}/withdrawal",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("office", "inspector", scope=ORDER)),
)
def withdraw_rectification(
    order_id: UUID,
    body: WithdrawalIn,
    caller: CurrentPrincipal,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销 an order issued in error: it stays on record, marked withdrawn with the reason,
    and counts for nothing (scoring treats it as never issued). An order verified and
    accepted, or already withdrawn, is refused (409)."""
    return app.withdraw_rectification(caller, order_id, body.reason, idempotency_key)
