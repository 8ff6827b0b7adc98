"""Inspection HTTP API: thin; every decision is in the application and domain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from services.inspection.application import InspectionApplication
from services.inspection.domain import Finding, UnitNotFound
from services.inspection.runtime import InspectionRuntime
from services.inspection.schemas import CorrectionIn, FindingIn, FindingOut, WithdrawalIn
from shared.auth import AuthenticatorDep, CurrentPrincipal, Principal, Role, require_role
from shared.idempotency import IdempotencyKey
from shared.views import Document

router = APIRouter(tags=["inspection"])

# Agencies and units are the inspected side's peers; findings are for the offices that
# order inspections, the inspectors who make them, and auditors.
READERS: tuple[Role, ...] = ("office", "inspector", "auditor")
WRITERS: tuple[Role, ...] = ("office", "inspector")


def get_runtime(request: Request) -> InspectionRuntime:
    runtime: InspectionRuntime = request.app.state.runtime
    return runtime


def get_app(request: Request) -> InspectionApplication:
    return get_runtime(request).inspection_app


Runtime = Annotated[InspectionRuntime, Depends(get_runtime)]
InspectionApp = Annotated[InspectionApplication, Depends(get_app)]


def _unit(runtime: InspectionRuntime, unit_id: UUID) -> Document:
    doc = runtime.registry.unit(str(unit_id))
    if doc is None:
        raise UnitNotFound("no such unit", field="unit_id")
    return doc


def _finding_in_scope(
    app: InspectionApplication, caller: Principal, auth: AuthenticatorDep, finding_id: UUID
) -> Finding:
    finding = app.finding(finding_id)
    auth.require_scope(caller, finding.jurisdiction_id, "finding_id")
    return finding


@router.post("/findings", status_code=201, response_model=FindingOut)
def record_finding(
    body: FindingIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    runtime: Runtime,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """记录明察暗访发现的问题 at a unit in the caller's jurisdiction."""
    require_role(caller, *WRITERS)
    unit = _unit(runtime, body.unit_id)
    auth.require_scope(caller, unit["jurisdiction_id"], "unit_id")
    return app.record_finding(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=UUID(unit["jurisdiction_id"]),
        method=body.method,
        summary=body.summary,
        found_at=body.found_at,
        key=idempotency_key,
    )


@router.get("/findings", response_model=list[FindingOut])
def list_findings(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    runtime: Runtime,
    app: InspectionApp,
    unit_id: Annotated[UUID | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Findings the caller may see, newest first; one unit's if `unit_id` is given."""
    require_role(caller, *READERS)
    if unit_id is not None:
        auth.require_scope(caller, _unit(runtime, unit_id)["jurisdiction_id"], "unit_id")
    index = runtime.finding_index.findings(None if unit_id is None else str(unit_id))
    # Scope by the jurisdiction recorded on each finding, exactly as GET /findings/{id} does,
    # so a unit that moved later does not carry its old findings into another county's list.
    findings = (app.finding(UUID(doc["finding_id"])) for doc in index)
    visible = [f for f in findings if auth.in_scope(caller, f.jurisdiction_id)]
    visible.sort(key=lambda f: (f.found_at, str(f.id)), reverse=True)
    return [app.describe(f, with_history=False) for f in visible]


@router.get("/findings/{finding_id}", response_model=FindingOut)
def get_finding(
    finding_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, app: InspectionApp
) -> dict[str, Any]:
    """One finding as it stands, with its whole history."""
    require_role(caller, *READERS)
    return app.describe(_finding_in_scope(app, caller, auth, finding_id))


@router.post("/findings/{finding_id}/corrections", status_code=201, response_model=FindingOut)
def correct_finding(
    finding_id: UUID,
    body: CorrectionIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正: a new summary with the reason for it; the earlier one stays in the history."""
    require_role(caller, *WRITERS)
    _finding_in_scope(app, caller, auth, finding_id)
    return app.correct_finding(caller, finding_id, body.summary, body.reason, idempotency_key)


@router.post("/findings/{finding_id}/withdrawal", status_code=201, response_model=FindingOut)
def withdraw_finding(
    finding_id: UUID,
    body: WithdrawalIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: InspectionApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销: the finding stays on record, marked withdrawn with the reason."""
    require_role(caller, *WRITERS)
    _finding_in_scope(app, caller, auth, finding_id)
    return app.withdraw_finding(caller, finding_id, body.reason, idempotency_key)
