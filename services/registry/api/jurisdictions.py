"""登记辖区: the jurisdiction tree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.registry.api.deps import IdempotencyKey, RegistryApp
from services.registry.schemas.jurisdictions import JurisdictionIn, JurisdictionOut
from shared.auth import AuthenticatorDep, CurrentPrincipal, require_role
from shared.errors import NotFoundError

router = APIRouter(tags=["jurisdictions 辖区"])


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
