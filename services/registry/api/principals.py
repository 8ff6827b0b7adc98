"""API keys and the principals who hold them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from services.registry.api.deps import RegistryApp
from services.registry.schemas.principals import PrincipalIn, PrincipalOut, RevokeIn
from shared.auth import AuthenticatorDep, CurrentPrincipal, require_role
from shared.errors import ForbiddenError
from shared.idempotency import IdempotencyKey

OFFICE_ISSUABLE_ROLES = ("agency", "inspector", "unit")

router = APIRouter(tags=["principals 密钥"])


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
        if body.role not in OFFICE_ISSUABLE_ROLES:
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
    """吊销密钥: revoke an API key with a reason; every service refuses it once it has seen the
    revocation. Offices revoke keys inside their own jurisdiction."""
    require_role(caller, "office")
    target = app.principal(principal_id)
    if caller.role != "admin":
        # An office revokes only what it may issue: never an admin's, auditor's or office's key.
        if target.role not in OFFICE_ISSUABLE_ROLES:
            raise ForbiddenError(
                f"an office cannot revoke {target.role} keys", field="principal_id"
            )
        if target.jurisdiction_id is None:
            raise ForbiddenError("outside your jurisdiction", field="principal_id")
        auth.require_scope(caller, target.jurisdiction_id, "principal_id")
    return app.revoke_principal(caller, principal_id, body.reason)
