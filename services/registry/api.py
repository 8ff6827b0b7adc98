"""Registry HTTP API: thin; every decision is in the application and domain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request

from services.registry.application import RegistryApplication
from services.registry.schemas import (
    JurisdictionIn,
    JurisdictionOut,
    PrincipalIn,
    PrincipalOut,
    RevokeIn,
    UnitBatchIn,
    UnitBatchOut,
    UnitIn,
    UnitOut,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal, require_role
from shared.errors import ForbiddenError, NotFoundError

router = APIRouter(tags=["registry"])


def get_app(request: Request) -> RegistryApplication:
    app: RegistryApplication = request.app.state.runtime.registry_app
    return app


RegistryApp = Annotated[RegistryApplication, Depends(get_app)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/jurisdictions", status_code=201, response_model=JurisdictionOut)
def register_jurisdiction(
    body: JurisdictionIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记辖区. Admins register top-level jurisdictions; an office registers below its own."""
    require_role(caller, "office")
    if body.parent_id is None:
        require_role(caller)  # admin only
    else:
        auth.require_scope(caller, body.parent_id, "parent_id")
    return app.register_jurisdiction(caller, body.name, body.level, body.parent_id, idempotency_key)


@router.get("/jurisdictions/{jurisdiction_id}", response_model=JurisdictionOut)
def get_jurisdiction(
    jurisdiction_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, request: Request
) -> dict[str, Any]:
    doc: dict[str, Any] | None = request.app.state.runtime.registry.jurisdiction(
        str(jurisdiction_id)
    )
    if doc is None:
        raise NotFoundError("no such jurisdiction", field="jurisdiction_id")
    auth.require_scope(caller, jurisdiction_id, "jurisdiction_id")
    return doc


@router.post("/units", status_code=201, response_model=UnitOut)
def register_unit(
    body: UnitIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记参评单位 (one unit)."""
    require_role(caller, "office")
    auth.require_scope(caller, body.jurisdiction_id, "jurisdiction_id")
    result = app.register_units(caller, [body.model_dump()], idempotency_key)
    unit: dict[str, Any] = result["units"][0]
    return unit


@router.post("/units:batch", status_code=201, response_model=UnitBatchOut)
def register_units(
    body: UnitBatchIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记一批参评单位, all or none."""
    require_role(caller, "office")
    for index, unit in enumerate(body.units):
        auth.require_scope(caller, unit.jurisdiction_id, f"units.{index}.jurisdiction_id")
    result = app.register_units(caller, [u.model_dump() for u in body.units], idempotency_key)
    return {"units": result["units"], "position": None}


@router.get("/units", response_model=list[UnitOut])
def list_units(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    request: Request,
    jurisdiction_id: Annotated[UUID | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
) -> list[dict[str, Any]]:
    """Units visible to the caller, optionally one jurisdiction's or one category's."""
    units = request.app.state.runtime.registry.units()
    visible = [u for u in units if auth.in_scope(caller, u["jurisdiction_id"])]
    if jurisdiction_id is not None:
        visible = [u for u in visible if u["jurisdiction_id"] == str(jurisdiction_id)]
    if category is not None:
        visible = [u for u in visible if u["category"] == category]
    return visible


@router.get("/units/{unit_id}", response_model=UnitOut)
def get_unit(
    unit_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, request: Request
) -> dict[str, Any]:
    doc: dict[str, Any] | None = request.app.state.runtime.registry.unit(str(unit_id))
    if doc is None:
        raise NotFoundError("no such unit", field="unit_id")
    auth.require_scope(caller, doc["jurisdiction_id"], "unit_id")
    return doc


@router.post("/principals", status_code=201, response_model=PrincipalOut)
def issue_principal(
    body: PrincipalIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Issue an API key. Offices issue agency, inspector and unit keys in their own scope."""
    require_role(caller, "office")
    if caller.role != "admin":
        if body.role not in ("agency", "inspector", "unit"):
            raise ForbiddenError(f"an office cannot issue {body.role} keys", field="role")
        if body.jurisdiction_id is None:
            raise ForbiddenError(
                "an office issues keys inside its jurisdiction", field="jurisdiction_id"
            )
        auth.require_scope(caller, body.jurisdiction_id, "jurisdiction_id")
    return app.issue_principal(caller, body.name, body.role, body.jurisdiction_id, idempotency_key)


@router.post("/principals/{principal_id}/revoke", response_model=PrincipalOut)
def revoke_principal(
    principal_id: UUID,
    body: RevokeIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
) -> dict[str, Any]:
    require_role(caller, "office")
    target = app.principal(principal_id)
    if caller.role != "admin":
        if target.jurisdiction_id is None:
            raise ForbiddenError("outside your jurisdiction", field="principal_id")
        auth.require_scope(caller, target.jurisdiction_id, "principal_id")
    return app.revoke_principal(caller, principal_id, body.reason)
