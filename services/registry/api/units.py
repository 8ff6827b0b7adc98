"""参评单位: units under evaluation."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from services.registry.api.deps import IdempotencyKey, RegistryApp
from services.registry.schemas.units import UnitBatchIn, UnitBatchOut, UnitIn, UnitOut
from shared.auth import AuthenticatorDep, CurrentPrincipal, require_role
from shared.errors import NotFoundError

router = APIRouter(tags=["units 参评单位"])


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
