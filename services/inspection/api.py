"""Inspection HTTP API: thin; every decision is in the application and domain, every route's
authorization in its declared policy."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query

from services.inspection.application import InspectionApplication
from services.inspection.choices import RecordStateIn
from services.inspection.domain import Finding
from services.inspection.errors import FindingNotFound
from services.inspection.evidence_records import Reach
from services.inspection.finding_view import FINDINGS
from services.inspection.schemas import (
    CorrectionIn,
    EvidenceIn,
    FindingIn,
    FindingListItem,
    FindingOut,
    WithdrawalIn,
)
from services.inspection.visit_api import FINDING_VISIT
from services.inspection.visit_api import router as visits_router
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import Role
from shared.http import RuntimeDep, ViewsDep, application_of
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, body, path, query, target_id
from shared.runtime import ServiceRuntime
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, scope_where, within

router = PolicyRouter(tags=["inspection"])

# Agencies and units are the inspected side's peers; findings are for the offices that
# order inspections, the inspectors who make them, and auditors.
READERS: tuple[Role, ...] = ("office", "inspector")
FINDING_READERS: tuple[Role, ...] = (*READERS, "unit")
"""A unit reads its own findings (a unit key's scope is its unit): findings are recorded when
a visit is conducted, so none tells a unit of a visit in advance."""
WRITERS: tuple[Role, ...] = ("office", "inspector")
FINDING = path("finding_id", "finding", hidden=True)
"""The finding a route names: one outside the caller's scope answers exactly as no finding
(404 `finding_not_found`), never a 403 that would tell it exists."""

InspectionApp = Annotated[InspectionApplication, Depends(application_of(InspectionApplication))]


def resolve_finding(runtime: ServiceRuntime, finding_id: str, field: str) -> ScopeTarget:
    """A finding stays in the scope of the jurisdiction recorded on it, even if its unit
    moved later; it is its unit's."""
    application = runtime.application
    assert isinstance(application, InspectionApplication)
    return finding_target(application.finding(target_id(finding_id, field), field), field)


def finding_target(finding: Finding, field: str) -> ScopeTarget:
    """Where a finding lies, for a route that names it (in its path or, as a rectification
    order's `finding_ids`, in its body): outside it, the finding answers as none."""
    return ScopeTarget(
        str(finding.jurisdiction_id),
        unit_id=str(finding.unit_id),
        not_found=FindingNotFound(field=field),
    )


@router.post(
    "/findings",
    status_code=201,
    response_model=FindingOut,
    **allow(Policy.write(*WRITERS, scope=(body("unit_id", "unit"), FINDING_VISIT))),
)
def record_finding(
    body: FindingIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    runtime: RuntimeDep,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """记录明察暗访发现的问题 at a unit in the caller's jurisdiction. A `visit_id` that names
    a visit outside the caller's jurisdiction (or sealed from it) answers as no visit (404
    `visit_not_found`), as every route that names a visit does. `evidence` names files
    uploaded by the caller or within its jurisdiction; any other is refused exactly as a
    file never uploaded (422, field `evidence`)."""
    unit = runtime.registry.unit(str(body.unit_id))
    assert unit is not None  # the policy resolved it
    return app.record_finding(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=UUID(unit["jurisdiction_id"]),
        method=body.method,
        summary=body.summary,
        found_at=body.found_at,
        key=idempotency_key,
        visit_id=body.visit_id,
        item=body.item,
        severity=body.severity,
        deduction=body.deduction,
        evidence=body.evidence,
        reach=Reach.of(caller, auth),
    )


@router.get(
    "/findings",
    response_model=list[FindingListItem],
    **allow(Policy.read(*FINDING_READERS, scope=query("unit_id", "unit"), filtered=True)),
)
def list_findings(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[RecordStateIn | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Findings the caller may see, as they stand now, newest first (by `found_at`); one
    unit's if `unit_id` is given; paged (`limit`, `cursor`). Served from the findings view
    in one indexed query per page (it may lag a write by a moment); each finding's history
    is in GET /findings/{finding_id}.

    Scope is the jurisdiction recorded on each finding, exactly as GET /findings/{id} has it,
    so a unit that moved later does not carry its old findings into another county's list."""
    where = within(
        scope_where(auth, caller),
        unit_id=None if unit_id is None else str(unit_id),
        status=status,
    )
    return page.fetch(views, FINDINGS, where=where, descending=True)


@router.get(
    "/findings/{finding_id}",
    response_model=FindingOut,
    **allow(Policy.read(*FINDING_READERS, scope=FINDING)),
)
def get_finding(finding_id: UUID, app: InspectionApp) -> dict[str, Any]:
    """One finding as it stands, with its whole history."""
    return app.describe(app.finding(finding_id))


@router.post(
    "/findings/{finding_id}/corrections",
    status_code=201,
    response_model=FindingOut,
    **allow(Policy.write(*WRITERS, scope=FINDING)),
)
def correct_finding(
    finding_id: UUID,
    body: CorrectionIn,
    caller: CurrentPrincipal,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正: a new summary with the reason for it; the earlier one stays in the history."""
    return app.correct_finding(caller, finding_id, body.summary, body.reason, idempotency_key)


@router.post(
    "/findings/{finding_id}/withdrawal",
    status_code=201,
    response_model=FindingOut,
    **allow(Policy.write(*WRITERS, scope=FINDING)),
)
def withdraw_finding(
    finding_id: UUID,
    body: WithdrawalIn,
    caller: CurrentPrincipal,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销: the finding stays on record, marked withdrawn with the reason."""
    return app.withdraw_finding(caller, finding_id, body.reason, idempotency_key)


@router.post(
    "/findings/{finding_id}/evidence",
    status_code=201,
    response_model=FindingOut,
    **allow(Policy.write(*WRITERS, scope=FINDING)),
)
def attach_evidence(
    finding_id: UUID,
    body: EvidenceIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """补充证据: files uploaded with POST /evidence, named by their SHA-256; each uploaded by
    the caller or within its jurisdiction (any other is refused as a file never uploaded)."""
    reach = Reach.of(caller, auth)
    return app.attach_evidence(caller, finding_id, body.evidence, idempotency_key, reach)


router.include_router(visits_router)
