"""API keys and the principals who hold them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.api.deps import RegistryApp
from services.registry.schemas.principals import PrincipalIn, PrincipalOut, RevokeIn
from shared.auth import CurrentPrincipal
from shared.idempotency import IdempotencyKey
from shared.policy import Policy, PolicyRouter, allow, body, path

router = PolicyRouter(tags=["principals 密钥"])


@router.post(
    "/principals",
    status_code=201,
    response_model=PrincipalOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                body("jurisdiction_id", "jurisdiction", "skip"),
                body("unit_id", "unit", "skip"),
            ),
        )
    ),
)
def issue_principal(
    body: PrincipalIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Issue an API key. Offices issue agency, inspector and unit keys in their own scope;
    a key bound to no jurisdiction is an admin's to issue. A unit key names its unit
    (`unit_id`, an active unit in the caller's scope), is bound to the unit's jurisdiction and
    reads and answers that unit's records only. The key works on the registry at once and on
    every other service as soon as it has applied the registry's log (normally well under a
    second; see /positions)."""
    return app.issue_principal(
        caller, body.name, body.role, body.jurisdiction_id, idempotency_key, body.unit_id
    )


@router.post(
    "/principals/{principal_id}/revoke",
    response_model=PrincipalOut,
    **allow(Policy.write("office", scope=path("principal_id", "principal"))),
)
def revoke_principal(
    principal_id: UUID, body: RevokeIn, caller: CurrentPrincipal, app: RegistryApp
) -> dict[str, Any]:
    """吊销密钥: revoke an API key with a reason. The registry refuses it at once; every other
    service as soon as it has applied the revocation, and any service whose copy of keys has
    fallen behind refuses every key (503) rather than trust a stale one. Offices revoke
    agency, inspector and unit keys inside their own jurisdiction."""
    return app.revoke_principal(caller, principal_id, body.reason)
