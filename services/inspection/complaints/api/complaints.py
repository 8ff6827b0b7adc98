"""Complaints over HTTP: intake, dispatch, reply, outcome (and its correction), callback.

Offices take complaints in and dispatch them within their jurisdiction; the unit a complaint
was sent to reads and answers it (never seeing who complained); offices and inspectors
conclude, and correct a conclusion with a reason; auditors read everything and write
nothing. A complainant's contact is shown masked to offices reading one complaint, never in
lists and never to units."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from fastapi import Query
from pydantic import BeforeValidator, WithJsonSchema

from services.inspection.campaigns import CAMPAIGN_IN_BODY, check_counted, check_enrolled
from services.inspection.choices import NAMED, states
from services.inspection.complaints.api.common import (
    COMPLAINT,
    UNIT_IN_BODY,
    ComplaintsApp,
    JurisdictionNotFound,
    unit_jurisdiction,
)
from services.inspection.complaints.application import deadline_in_force
from services.inspection.complaints.domain import ComplaintNotFound, InvalidComplaint
from services.inspection.complaints.schemas import (
    CallbackIn,
    ComplaintIn,
    ComplaintListItem,
    ComplaintOut,
    DispatchIn,
    OutcomeCorrectionIn,
    OutcomeIn,
    ReplyIn,
)
from services.inspection.complaints.views import COMPLAINTS, DISPATCHED_STATUSES
from services.inspection.dates import Window
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import RuntimeDep, ViewsDep
from shared.policy import Policy, PolicyRouter, allow, body, query
from shared.principals import Principal as Caller
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where, within

router = PolicyRouter(tags=["complaints"])
Status = Literal["received", "dispatched", "replied", "concluded", "closed"]
STATUSES = states(*get_args(Status))
StatusIn = Annotated[
    Status,
    BeforeValidator(STATUSES.read),
    WithJsonSchema(STATUSES.schema(f"状态 (status): {NAMED}")),
]


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                body("jurisdiction_id", "jurisdiction"),
                body("unit_id", "unit", "skip"),
                CAMPAIGN_IN_BODY,
            ),
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

    def counted() -> Window | None:  # run by the command, once its Idempotency-Key was looked up
        window = check_counted(runtime, body.campaign_id, body.round, body.unit_id)
        jurisdiction = str(body.jurisdiction_id)
        if runtime.registry.jurisdiction(jurisdiction) is None:
            raise JurisdictionNotFound(field="jurisdiction_id")
        if body.unit_id is not None:
            located = str(unit_jurisdiction(runtime, body.unit_id))
            if located not in runtime.registry.subtree(jurisdiction):
                raise InvalidComplaint(
                    "该单位不在此辖区内 (the unit lies outside the jurisdiction)", field="unit_id"
                )
        return window

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
        counted=counted,
    )


@router.get(
    "/complaints",
    response_model=list[ComplaintListItem],
    **allow(
        Policy.read("office", "inspector", "unit", scope=query("unit_id", "unit"), filtered=True)
    ),
)
def list_complaints(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    app: ComplaintsApp,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[StatusIn | None, Query()] = None,
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
    found = page.fetch(views, COMPLAINTS, where=where, descending=True)
    calendar = app.work_calendar
    return [
        d | deadline_in_force(calendar, d["dispatched_on"], d["deadline_days"], d["due_on"])
        for d in found
    ]


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
        raise ComplaintNotFound(field="complaint_id")
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
    """转办 to a unit; due in the complaint's working days from today (China time). A
    complaint counted toward a campaign goes only to a unit enrolled in it."""

    def checks() -> None:  # run by the command, once its Idempotency-Key was looked up
        campaign_id = app.complaint(complaint_id).campaign_id
        if campaign_id is not None:
            check_enrolled(runtime, str(campaign_id), body.unit_id)

    return app.dispatch_complaint(
        caller,
        complaint_id,
        unit_id=body.unit_id,
        unit_jurisdiction_id=unit_jurisdiction(runtime, body.unit_id),
        key=idempotency_key,
        checks=checks,
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
    "/complaints/{complaint_id}/outcome/corrections",
    status_code=201,
    response_model=ComplaintOut,
    **allow(Policy.write("office", "inspector", scope=COMPLAINT)),
)
def correct_complaint_outcome(
    complaint_id: UUID,
    body: OutcomeCorrectionIn,
    caller: CurrentPrincipal,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正调查结论: a concluded (or closed) complaint's outcome replaced, with the reason;
    the earlier stays in the history, and the new one is published as the complaint's
    outcome (`inspection.complaints.concluded`) for scoring to count."""
    return app.correct_complaint_outcome(
        caller, complaint_id, body.outcome, body.reason, idempotency_key
    )


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
