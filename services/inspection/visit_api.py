"""Visits and evidence over HTTP. A unit's key reaches none of these routes (403 by role,
before anything is looked up); a planned visit answers every caller but the office and the
assigned inspectors exactly as a visit that does not exist, and any visit answers an office
or inspector whose jurisdiction it does not lie in exactly so, on reads and writes alike
(their declared scope `VISIT` is hidden: 404 `visit_not_found`, never a 403): a county
cannot probe which visits exist elsewhere."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from fastapi.responses import FileResponse

from services.inspection.application import InspectionApplication
from services.inspection.choices import MethodIn
from services.inspection.evidence import (
    DOWNLOAD_HEADERS,
    EVIDENCE_BODY,
    EvidenceNotFound,
    content_type,
)
from services.inspection.evidence_records import Reach
from services.inspection.planned_visits import Sight, planned_out, sort_key, still_planned
from services.inspection.schemas import (
    CancelIn,
    ConductIn,
    EvidenceOut,
    Sha256,
    VisitIn,
    VisitOut,
)
from services.inspection.visit_commands import visit_out
from services.inspection.visit_view import VISITS
from services.inspection.visits import CONDUCTED, VisitNotFound
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import Role
from shared.http import RuntimeDep, ViewsDep, application_of
from shared.policy import (
    Policy,
    PolicyRouter,
    ScopeTarget,
    allow,
    body,
    path,
    query,
    target_id,
)
from shared.runtime import ServiceRuntime
from shared.views.base import encode_cursor
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, cursor_position, scope_where, within

router = PolicyRouter(tags=["inspection visits"])

READERS: tuple[Role, ...] = ("office", "inspector")
PLANNERS: tuple[Role, ...] = ("office",)

InspectionApp = Annotated[InspectionApplication, Depends(application_of(InspectionApplication))]


def resolve_visit(runtime: ServiceRuntime, visit_id: str, field: str) -> ScopeTarget:
    """A visit is in the scope of the jurisdiction recorded on it; a caller outside it is
    answered as for a visit that does not exist (every route's visit scope is hidden)."""
    application = runtime.application
    assert isinstance(application, InspectionApplication)
    visit = application.visit(target_id(visit_id, field), field)
    # A visit is its unit's only once conducted; a planned one must answer a unit key as a
    # visit that does not exist, which the route's sealing does (a 403 here would tell).
    unit = str(visit.unit_id) if visit.status == CONDUCTED else None
    return ScopeTarget(
        str(visit.jurisdiction_id),
        unit_id=unit,
        not_found=VisitNotFound(field=field),
    )


VISIT = path("visit_id", "visit", hidden=True)
"""The visit a route names: another county's answers exactly as no visit (404
`visit_not_found`, the same body), as reading it does, never a 403 that would tell it
exists; a sealed one is the application's to hide (`visible_visit`)."""
FINDING_VISIT = body("visit_id", "visit", "skip", hidden=True)
"""The visit a finding is recorded on, if it names one: hidden as `VISIT`."""


def _covers(runtime: ServiceRuntime, inspector: UUID, unit_jurisdiction: str) -> bool:
    found = runtime.registry.principal(str(inspector))
    if found is None or found.get("revoked") or found.get("role") != "inspector":
        return False
    place = found.get("jurisdiction_id")
    return place is not None and str(place) in runtime.registry.lineage(unit_jurisdiction)


@router.post(
    "/visits",
    status_code=201,
    response_model=VisitOut,
    **allow(Policy.write(*PLANNERS, scope=body("unit_id", "unit"))),
)
def plan_visit(
    body: VisitIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """计划检查/暗访: sealed until conducted (no message is published for it; only the office
    and the assigned inspectors see it)."""
    unit = runtime.registry.unit(str(body.unit_id))
    assert unit is not None  # the policy resolved it
    place = str(unit["jurisdiction_id"])
    return app.plan_visit(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=UUID(place),
        kind=body.kind,
        planned_on=body.planned_on,
        inspectors=body.inspectors,
        inspector_ok=[_covers(runtime, i, place) for i in body.inspectors],
        checklist=body.checklist,
        key=idempotency_key,
    )


@router.get(
    "/visits",
    response_model=list[VisitOut],
    **allow(Policy.read(*READERS, scope=query("unit_id", "unit"), filtered=True)),
)
def list_visits(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    kind: Annotated[MethodIn | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Conducted visits in the caller's scope, newest first; paged. Planned visits are never
    listed here (they are not published); each is read by id by its office and inspectors."""
    where = within(
        scope_where(auth, caller), unit_id=None if unit_id is None else str(unit_id), kind=kind
    )
    rows = page.fetch(views, VISITS, where=where, descending=True)
    return [
        {k: v for k, v in row.items() if k not in ("conducted_order", "position")} for row in rows
    ]


@router.get(
    "/planned-visits",
    response_model=list[VisitOut],
    **allow(Policy.read(*READERS, scope=query("unit_id", "unit"), filtered=True)),
)
def list_planned_visits(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: InspectionApp,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    kind: Annotated[MethodIn | None, Query()] = None,
) -> list[dict[str, Any]]:
    """待实施的检查/暗访 (sealed): visits planned and not yet conducted or cancelled, by
    planned day; an office sees those in its jurisdiction, an inspector those it is assigned
    to, an admin all, an auditor none (sealed until conducted); a unit's key is refused by
    role, so it learns neither a visit nor a count. Paged (`limit`, `cursor`).

    Not served from a view: a planned visit is never published. An index of the open plans
    by inspector and jurisdiction, kept in memory and brought up to date from the visit
    events committed since the last call, gives the plans the caller may see, and one page
    of them is answered (services/inspection/planned_visits.py)."""
    plans = still_planned(app, Sight(caller, auth.visible_jurisdictions(caller), unit_id, kind))
    if page.cursor is not None:
        after = cursor_position(page.cursor)
        plans = [plan for plan in plans if sort_key(plan) > after]
    chosen = plans[: page.limit]
    more = len(plans) > page.limit
    next_cursor = encode_cursor(*sort_key(chosen[-1])) if more else None
    return page.send([planned_out(plan) for plan in chosen], next_cursor)


@router.get(
    "/visits/{visit_id}",
    response_model=VisitOut,
    **allow(Policy.read(*READERS, scope=VISIT)),
)
def get_visit(visit_id: UUID, caller: CurrentPrincipal, app: InspectionApp) -> dict[str, Any]:
    """One visit, to offices and inspectors whose jurisdiction it lies in; a sealed
    (planned or cancelled) one only to its office and assigned inspectors. Anyone else
    gets exactly the answer for no visit (404 `visit_not_found`), so an id cannot be used
    to learn that another county plans a visit."""
    return visit_out(app.visible_visit(caller, visit_id))


@router.post(
    "/visits/{visit_id}/conduct",
    status_code=201,
    response_model=VisitOut,
    **allow(Policy.write("inspector", scope=VISIT)),
)
def conduct_visit(
    visit_id: UUID,
    body: ConductIn,
    caller: CurrentPrincipal,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """实施: an assigned inspector records that the visit took place; the visit is published
    (inspection.visit.conducted) with its plan. A visit outside the caller's jurisdiction,
    or sealed from it, answers as no visit (404 `visit_not_found`)."""
    return app.conduct_visit(caller, visit_id, body.conducted_at, idempotency_key)


@router.post(
    "/visits/{visit_id}/cancellation",
    status_code=201,
    response_model=VisitOut,
    **allow(Policy.write(*PLANNERS, scope=VISIT)),
)
def cancel_visit(
    visit_id: UUID,
    body: CancelIn,
    caller: CurrentPrincipal,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """取消 a planned visit, with the reason; a cancelled visit is never published. A visit
    outside the caller's jurisdiction answers as no visit (404 `visit_not_found`)."""
    return app.cancel_visit(caller, visit_id, body.reason, idempotency_key)


@router.post(
    "/evidence",
    status_code=201,
    response_model=EvidenceOut,
    **allow(Policy.write("office", "inspector"), EVIDENCE_BODY, large_body=True),
)
async def upload_evidence(
    request: Request, caller: CurrentPrincipal, app: InspectionApp
) -> dict[str, Any]:
    """上传证据 (photo, recording, document; at most 20 MB) as the raw body; answers its
    SHA-256, which a finding then names. Streamed to disk while hashed. The caller is
    recorded as an uploader (with its jurisdiction): a finding names only files uploaded by
    its author or within the author's jurisdiction. The same bytes uploaded again, by any
    number of callers at once, are stored once and each uploader recorded once; every one
    of them is answered 201."""
    kind = content_type(request.headers.get("content-type"))
    upload = await asyncio.to_thread(app.evidence_store.begin)
    try:
        async for chunk in request.stream():
            if chunk:
                await asyncio.to_thread(upload.write, chunk)
        sha256, size = await asyncio.to_thread(upload.finish, kind)
    except BaseException:
        await asyncio.to_thread(upload.abort)
        raise
    await asyncio.to_thread(app.record_upload, caller, sha256, kind, size)
    return {"sha256": sha256, "size": size, "content_type": kind}


@router.get(
    "/evidence/{sha256}",
    response_class=FileResponse,
    **allow(Policy.read("office", "inspector", filtered=True)),
)
def get_evidence(
    sha256: Annotated[Sha256, Path()],
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: InspectionApp,
) -> FileResponse:
    """The file exactly as uploaded, with its content type; its hash is checked first.

    Offices and inspectors read a file they uploaded, one uploaded within their
    jurisdiction, and one a finding in their jurisdiction named (admins and auditors read
    every file); any other file answers exactly as one that does not exist (404
    `evidence_not_found`), so a hash cannot be used to probe another county's evidence.
    Read from the file's record in the event store: current the moment a finding names it."""
    if not app.evidence_readable(sha256, Reach.of(caller, auth)):
        raise EvidenceNotFound(field="sha256")
    file, kind, _ = app.evidence_store.verified(sha256)
    headers = {"X-Content-SHA256": sha256} | DOWNLOAD_HEADERS
    return FileResponse(file, media_type=kind, headers=headers)
