"""单位变更: rename, move, merge, split and dissolve units. Each is a new event with actor,
reason and effective date; nothing is overwritten. The caller must have in scope every unit
touched and every jurisdiction a unit ends up in (a county office cannot move a unit to
another county; the city office above both can)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from services.registry.api.deps import RegistryApp
from services.registry.application import RegistryApplication
from services.registry.schemas.units import (
    DissolveIn,
    MergeIn,
    MergeOut,
    MoveIn,
    MoveOut,
    RenameIn,
    SplitIn,
    SplitOut,
    UnitOut,
)
from shared.auth import Authenticator, AuthenticatorDep, CurrentPrincipal, Principal, require_role
from shared.idempotency import IdempotencyKey

router = APIRouter()


def writable_unit(
    caller: Principal, auth: Authenticator, app: RegistryApplication, unit_id: UUID, field: str
) -> None:
    """Offices (and admins) change units of their own subtree only."""
    require_role(caller, "office")
    auth.require_scope(caller, app.unit(unit_id, field).jurisdiction_id, field)


@router.post("/units/{unit_id}/rename", response_model=UnitOut)
def rename_unit(
    unit_id: UUID,
    body: RenameIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位更名. The old name (and short name) stay in `aliases` and remain searchable with
    `GET /units?q=`; queries as of an earlier date show the old name. 409 `lifecycle_conflict`
    for a unit that is no longer active, the same name, or a date before its last change."""
    writable_unit(caller, auth, app, unit_id, "unit_id")
    return app.rename_unit(
        caller,
        unit_id,
        body.name,
        body.short_name,
        body.effective_on,
        body.reason,
        idempotency_key,
    )


@router.post("/units/{unit_id}/move", response_model=MoveOut)
def move_unit(
    unit_id: UUID,
    body: MoveIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位划转: move a unit to another jurisdiction; both must be in the caller's scope. Its
    sub-units in its own jurisdiction move along (`carried_sub_unit_ids`); a sub-unit itself
    can only move within its parent's jurisdiction."""
    writable_unit(caller, auth, app, unit_id, "unit_id")
    auth.require_scope(caller, body.jurisdiction_id, "jurisdiction_id")
    return app.move_unit(
        caller, unit_id, body.jurisdiction_id, body.effective_on, body.reason, idempotency_key
    )


@router.post("/units/{unit_id}/dissolve", response_model=UnitOut)
def dissolve_unit(
    unit_id: UUID,
    body: DissolveIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位撤销: the unit stays in the registry with status "dissolved" and its history. A
    unit with active sub-units cannot be dissolved (409 naming `unit_id`, listing them)."""
    writable_unit(caller, auth, app, unit_id, "unit_id")
    return app.dissolve_unit(caller, unit_id, body.effective_on, body.reason, idempotency_key)


@router.post("/units:merge", status_code=201, response_model=MergeOut)
def merge_units(
    body: MergeIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位合并: several active units become one NEW unit evaluated as one, e.g. 区发改局 and
    区统计局 → "区发改局(区统计局)". The sources get status "merged" and `merged_into`. Sources
    must not have active sub-units, and sub-units merge only with siblings."""
    for index, source in enumerate(body.source_unit_ids):
        writable_unit(caller, auth, app, source, f"source_unit_ids.{index}")
    if body.jurisdiction_id is not None:
        auth.require_scope(caller, body.jurisdiction_id, "jurisdiction_id")
    return app.merge_units(caller, body.model_dump(), idempotency_key)


@router.post("/units/{unit_id}/split", status_code=201, response_model=SplitOut)
def split_unit(
    unit_id: UUID,
    body: SplitIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位拆分: one active unit becomes several NEW units (at least two); the source gets
    status "split" and `split_into`. Omitted details of a new unit default to the source's."""
    writable_unit(caller, auth, app, unit_id, "unit_id")
    for index, part in enumerate(body.units):
        if part.jurisdiction_id is not None:
            auth.require_scope(caller, part.jurisdiction_id, f"units.{index}.jurisdiction_id")
    parts = [part.model_dump() for part in body.units]
    return app.split_unit(caller, unit_id, parts, body.effective_on, body.reason, idempotency_key)
