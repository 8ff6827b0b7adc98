"""Complaints HTTP API: intake, dispatch, reply, outcome, callback; hotline appearances.

Offices take complaints in and dispatch them within their jurisdiction; the unit a complaint
was sent to reads and answers it (never seeing who complained); offices and inspectors
conclude; auditors read everything and write nothing. A complainant's contact is shown
masked to offices reading one complaint, never in lists and never to units."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query

from services.inspection.campaigns import check_counted
from services.inspection.complaints.application import Commands
from services.inspection.complaints.domain import ComplaintNotFound, InvalidComplaint
from services.inspection.complaints.schemas import (
    CallbackIn,
    ComplaintIn,
    ComplaintOut,
    DispatchIn,
    HotlineAppearanceIn,
    HotlineAppearanceOut,
    OutcomeIn,
    ReplyIn,
)
from services.inspection.complaints.views import APPEARANCES, COMPLAINTS, DISPATCHED_STATUSES
from services.inspection.domain import InspectionError
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.auth import Principal as Caller
from shared.errors import NotFoundError
from shared.http import RuntimeDep, ViewsDep, application_of
from shared.idempotency import IdempotencyKey
from shared.policy import (
    Policy,
    PolicyRouter,
    ScopeResolver,
    ScopeTarget,
    allow,
    body,
    path,
    query,
    target_id,
)
from shared.runtime import ServiceRuntime
from shared.web.pagination import Pagination, narrowed, scope_where, within

router = PolicyRouter(tags=["complaints"])
COMPLAINT = path("complaint_id", "complaint")
UNIT_IN_BODY = body("unit_id", "unit")

ComplaintsApp = Annotated[Commands, Depends(application_of(Commands))]
Status = Literal["received", "dispatched", "replied", "concluded", "closed"]


class JurisdictionNotFound(InspectionError, NotFoundError):
    code = "jurisdiction_not_found"


def resolve_complaint(runtime: ServiceRuntime, complaint_id: str, field: str) -> ScopeTarget:
    """A complaint is in the scope of the jurisdiction it was taken in and, once dispatched,
    of the jurisdiction of the unit it was sent to, and it is then that unit's (so the unit's
    keys reach it). Before dispatch it is no unit's yet, and GET answers unit keys 404."""
    application = runtime.application
    assert isinstance(application, Commands)
    complaint = application.complaint(target_id(complaint_id, field), field)
    others = (
        () if complaint.unit_jurisdiction_id is None else (str(complaint.unit_jurisdiction_id),)
    )
    sent = complaint.status in DISPATCHED_STATUSES and complaint.unit_id is not None
    unit = str(complaint.unit_id) if sent else None
    return ScopeTarget(str(complaint.jurisdiction_id), others=others, unit_id=unit)


RESOLVERS: dict[str, ScopeResolver] = {"complaint": resolve_complaint}


def _unit_jurisdiction(runtime: ServiceRuntime, unit_id: UUID) -> UUID:
    unit = runtime.registry.unit(str(unit_id))
    assert unit is not None  # the policy resolved it
    return UUID(unit["jurisdiction_id"])


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintOut,
    **allow(
        Policy.write(
            "office",
            scope=(body("jurisdiction_id", "jurisdiction"), body("unit_id", "unit", "skip")),
        )
    ),
)
def receive_complaint(
    body: ComplaintIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记投诉: from the conduct hotline, 12345, a complaint box, the web or media exposure;
    anonymous (no `complainant`) or named (name and contact sealed at once)."""
    check_counted(runtime, body.campaign_id, body.round)
    jurisdiction = str(body.jurisdiction_id)
    if runtime.registry.jurisdiction(jurisdiction) is None:
        raise JurisdictionNotFound("no such jurisdiction", field="jurisdiction_id")
    if body.unit_id is not None:
        located = str(_unit_jurisdiction(runtime, body.unit_id))
        if located not in runtime.registry.subtree(jurisdiction):
            raise InvalidComplaint("the unit lies outside the jurisdiction", field="unit_id")
    complainant = None if body.complainant is None else body.complainant.model_dump()
    return app.receive_complaint(
        caller,
        jurisdiction_id=body.jurisdiction_id,
        unit_id=body.unit_id,
        campaign_id=body.campaign_id,
        round=body.round,
        channel=body.channel,
        kind=body.kind,
        summary=body.summary,
        received_on=body.received_on,
        deadline_days=body.deadline_days,
        complainant=complainant,
        key=idempotency_key,
    )


@router.get(
    "/complaints",
    response_model=list[ComplaintOut],
    **allow(
        Policy.read("office", "inspector", "unit", scope=query("unit_id", "unit"), filtered=True)
    ),
)
def list_complaints(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Complaints the caller may see, newest received first, without complainant data; paged.
    An office sees those taken in within its jurisdiction; a unit key those dispatched to its
    unit (a legacy unit key naming no unit: to units in its jurisdiction)."""
    if caller.role == "unit":
        where = scope_where(auth, caller, field="unit_jurisdiction_id")
        where = narrowed(where, "status", set(DISPATCHED_STATUSES))
    else:
        where = scope_where(auth, caller)
    where = within(where, status=status, unit_id=None if unit_id is None else str(unit_id))
    return page.fetch(views, COMPLAINTS, where=where, descending=True)


def _shown(caller: Caller) -> bool:
    return caller.role != "unit"


@router.get(
    "/complaints/{complaint_id}",
    response_model=ComplaintOut,
    **allow(Policy.read("office", "inspector", "unit", scope=COMPLAINT)),
)
def get_complaint(complaint_id: UUID, caller: CurrentPrincipal, app: ComplaintsApp) -> Any:
    """One complaint as it stands; offices see the complainant masked, units never."""
    complaint = app.complaint(complaint_id)
    if caller.role == "unit" and complaint.status not in DISPATCHED_STATUSES:
        raise ComplaintNotFound("no such complaint", field="complaint_id")
    return app.describe_complaint(complaint, complainant=_shown(caller))


@router.post(
    "/complaints/{complaint_id}/dispatch",
    status_code=201,
    response_model=ComplaintOut,
    **allow(Policy.write("office", scope=(COMPLAINT, UNIT_IN_BODY))),
)
def dispatch_complaint(
    complaint_id: UUID,
    body: DispatchIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """转办 to a unit; due in the complaint's working days from today (China time)."""
    return app.dispatch_complaint(
        caller,
        complaint_id,
        unit_id=body.unit_id,
        unit_jurisdiction_id=_unit_jurisdiction(runtime, body.unit_id),
        key=idempotency_key,
    )


@router.post(
    "/complaints/{complaint_id}/reply",
    status_code=201,
    response_model=ComplaintOut,
    **allow(Policy.write("office", "unit", scope=COMPLAINT)),
)
def reply_to_complaint(
    complaint_id: UUID,
    body: ReplyIn,
    caller: CurrentPrincipal,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """The unit's answer (办理结果), once, after dispatch."""
    return app.reply_to_complaint(caller, complaint_id, body.reply, idempotency_key)


@router.post(
    "/complaints/{complaint_id}/outcome",
    status_code=201,
    response_model=ComplaintOut,
    **allow(Policy.write("office", "inspector", scope=COMPLAINT)),
)
def conclude_complaint(
    complaint_id: UUID,
    body: OutcomeIn,
    caller: CurrentPrincipal,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """调查结论: verified, partly verified, unfounded or malicious, with the reason."""
    return app.conclude_complaint(caller, complaint_id, body.outcome, body.reason, idempotency_key)


@router.post(
    "/complaints/{complaint_id}/callback",
    status_code=201,
    response_model=ComplaintOut,
    **allow(Policy.write("office", scope=COMPLAINT)),
)
def record_callback(
    complaint_id: UUID,
    body: CallbackIn,
    caller: CurrentPrincipal,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """回访: the named complainant's satisfaction (满意/基本满意/不满意); closes the complaint."""
    return app.record_callback(caller, complaint_id, body.satisfaction, idempotency_key)


@router.post(
    "/hotline-appearances",
    status_code=201,
    response_model=HotlineAppearanceOut,
    **allow(Policy.write("office", scope=UNIT_IN_BODY)),
)
def record_hotline_appearance(
    body: HotlineAppearanceIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """政风行风热线上线: the unit appeared on the hotline on that day."""
    check_counted(runtime, body.campaign_id, body.round)
    return app.record_hotline_appearance(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=_unit_jurisdiction(runtime, body.unit_id),
        campaign_id=body.campaign_id,
        round=body.round,
        appeared_on=body.appeared_on,
        topic=body.topic,
        key=idempotency_key,
    )


@router.get(
    "/hotline-appearances",
    response_model=list[HotlineAppearanceOut],
    **allow(
        Policy.read("office", "inspector", "unit", scope=query("unit_id", "unit"), filtered=True)
    ),
)
def list_hotline_appearances(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Hotline appearances in the caller's jurisdiction, latest first; paged."""
    where = within(
        scope_where(auth, caller),
        unit_id=None if unit_id is None else str(unit_id),
        campaign_id=None if campaign_id is None else str(campaign_id),
    )
    return page.fetch(views, APPEARANCES, where=where, descending=True)
