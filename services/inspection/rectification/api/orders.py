"""Rectification orders over HTTP: issue one to a unit (下发整改通知书), list those the
caller may see, read one with its history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.inspection.api import finding_target
from services.inspection.campaigns import CAMPAIGN_IN_BODY, check_counted
from services.inspection.domain import Finding
from services.inspection.rectification.api.common import ORDER, PARTIES, RectificationApp
from services.inspection.rectification.application import Commands
from services.inspection.rectification.domain import OPEN, InvalidRectification
from services.inspection.rectification.schemas import (
    OrderStatusIn,
    RectificationIn,
    RectificationListItem,
    RectificationOut,
)
from services.inspection.rectification.views import RECTIFICATIONS, deadline_count
from services.inspection.workdays import china_today
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import RuntimeDep, ViewsDep
from shared.policy import Policy, PolicyRouter, allow, body, in_scope, query
from shared.principals import Principal
from shared.runtime import ServiceRuntime
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where, within

router = PolicyRouter(tags=["rectification"])


def _unit_key(
    runtime: ServiceRuntime, caller: Principal, principal_id: UUID, unit: dict[str, Any]
) -> None:
    """The legacy unit key an order names. A key outside the caller's jurisdiction (as the
    registry shows keys) is answered exactly as one that does not exist."""
    doc = runtime.registry.principal(str(principal_id))
    field = "unit_principal_id"
    place = None if doc is None else doc.get("jurisdiction_id")
    seen = caller.sees_everything or (
        place is not None and runtime.authenticator.in_scope(caller, place)
    )
    if doc is None or doc.get("revoked") or not seen:
        raise InvalidRectification(
            "没有这个密钥, 或已吊销 (no such key, or it was revoked)", field=field
        )
    if doc.get("role") != "unit":
        raise InvalidRectification("须为单位角色的密钥 (must be a key of role unit)", field=field)
    if doc.get("unit_id") not in (None, unit["unit_id"]):
        raise InvalidRectification("该密钥属于另一单位 (the key is another unit's)", field=field)
    if doc.get("jurisdiction_id") not in runtime.registry.lineage(unit["jurisdiction_id"]):
        raise InvalidRectification(
            "该密钥未绑定在该单位所在辖区 (the key is not bound where the unit is)", field=field
        )


@router.post(
    "/rectifications",
    status_code=201,
    response_model=RectificationOut,
    **allow(Policy.write("office", "inspector", scope=(body("unit_id", "unit"), CAMPAIGN_IN_BODY))),
)
def issue_rectification(
    body: RectificationIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: RectificationApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """下发整改通知书: to one unit for its findings (active ones only), due in
    `working_days` working days after `issued_on` (public holidays and make-up working
    days counted)."""
    unit = runtime.registry.unit(str(body.unit_id))
    assert unit is not None  # the policy resolved it

    def checks() -> None:  # run by the command, once its Idempotency-Key was looked up
        check_counted(runtime, body.campaign_id, body.round, body.unit_id)
        if body.unit_principal_id is not None:
            _unit_key(runtime, caller, body.unit_principal_id, unit)

    def visible(finding: Finding) -> bool:  # another county's finding answers as none
        return in_scope(runtime, caller, finding_target(finding, "finding_ids"))

    return app.issue_rectification(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=UUID(unit["jurisdiction_id"]),
        finding_ids=body.finding_ids,
        issued_on=body.issued_on,
        working_days=body.working_days,
        requirements=body.requirements,
        campaign_id=body.campaign_id,
        round=body.round,
        unit_principal_id=body.unit_principal_id,
        key=idempotency_key,
        checks=checks,
        visible=visible,
    )


@router.get(
    "/rectifications",
    response_model=list[RectificationListItem],
    **allow(
        Policy.read("office", "inspector", "unit", scope=query("unit_id", "unit"), filtered=True)
    ),
)
def list_rectifications(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    app: RectificationApp,
    unit_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[OrderStatusIn | None, Query()] = None,
    overdue: Annotated[
        bool | None, Query(description="Only overdue (or not overdue) orders")
    ] = None,
) -> list[dict[str, Any]]:
    """Orders the caller may see (a unit key: its unit's; a legacy one: those naming it),
    most urgent stored deadline first (orders that owe no report last); paged.
    `overdue=true`: orders owing a report past their deadline (as recounted on the calendar
    in force) today (China); `overdue=false`: the others. Indexed queries on the stored
    deadline: the orders overdue are among its head (a recount never brings a deadline
    forward), so `overdue=true` reads that head only, and `overdue=false` reads through it
    for the orders a recount moved past today; orders the filter takes out are made up by
    reading on, so a page holds `limit` unless it is the last."""
    where: dict[str, Any] = within(
        scope_where(auth, caller, parties=PARTIES),
        unit_id=None if unit_id is None else str(unit_id),
        status=status,
    )
    today = china_today()
    if overdue:
        where = narrowed(where, "status", set(OPEN))
    shown: list[dict[str, Any]] = []
    following = page.cursor
    while True:  # more than one query only while recounted orders are taken out
        found = views.page(
            RECTIFICATIONS, where=where, cursor=following, limit=page.limit - len(shown)
        )
        items, following = found.items, found.next_cursor
        if overdue:
            head = [d for d in items if d["due_order"] < today.isoformat()]
            items, following = head, following if len(head) == len(items) else None
        read = _with_overdue(app, items, today)
        shown += read if overdue is None else [d for d in read if d["overdue"] is overdue]
        if following is None or len(shown) == page.limit:
            return page.send(shown, following)


def _with_overdue(app: Commands, items: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Each order with its deadline in force: recounted on today's calendar from what it
    was counted from, the issue or a return (the stored day beside it), as
    `RectificationOrder.deadline_in_force` does."""
    calendar = app.work_calendar
    out = []
    for doc in items:
        stored, issued = _day(doc["deadline"]), _day(doc["issued_on"])
        deadline, counted = stored, deadline_count(doc)
        if counted is not None:
            deadline = calendar.recount(_day(counted[0]), counted[1], stored)
        late = doc["status"] in OPEN and deadline < today
        out.append(
            doc
            | {
                "deadline": deadline.isoformat(),
                "stored_deadline": doc["deadline"],
                "overdue": late,
                "overdue_working_days": (
                    calendar.working_days_between(deadline, today) if late else 0
                ),
                "deadline_basis": calendar.deadline_basis(issued, deadline),
                "deadline_years": calendar.years_counted(issued, deadline),
            }
        )
    return out


def _day(text: str) -> date:
    return date.fromisoformat(text)


@router.get(
    "/rectifications/{order_id}",
    response_model=RectificationOut,
    **allow(Policy.read("office", "inspector", "unit", scope=ORDER)),
)
def get_rectification(order_id: UUID, app: RectificationApp) -> dict[str, Any]:
    """One order as it stands, overdue-ness as of today (China), with its whole history."""
    return app.describe_rectification(app.rectification(order_id), china_today())
