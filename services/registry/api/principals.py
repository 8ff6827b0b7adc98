"""API keys and the principals who hold them."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.registry.api.deps import RegistryApp
from services.registry.projections.principals import PRINCIPAL_LIST
from services.registry.schemas.principals import (
    IssuedOut,
    PrincipalIn,
    PrincipalListed,
    PrincipalOut,
    RevokeIn,
    RoleIn,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import Policy, PolicyRouter, allow, body, path, query
from shared.views import Document
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where

router = PolicyRouter(tags=["principals 密钥"])


@router.post(
    "/principals",
    status_code=201,
    response_model=IssuedOut,
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
    second; see /positions).

    **The key is shown once**, in `api_key` of this answer (`api_key_shown: true`); the
    registry keeps only its hash. A retry with the same Idempotency-Key answers with the same
    principal, `api_key: null`, `api_key_shown: false` and a `note`: the key cannot be shown
    again. If the first answer was lost, revoke that principal
    (`POST /principals/{principal_id}/revoke`) and issue a new key."""
    return app.issue_principal(
        caller, body.name, body.role, body.jurisdiction_id, idempotency_key, body.unit_id
    )


@router.get(
    "/principals",
    response_model=list[PrincipalListed],
    **allow(Policy.read("office", scope=query("jurisdiction_id", "jurisdiction"), filtered=True)),
)
def list_principals(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    jurisdiction_id: Annotated[UUID | None, Query(description="Only keys bound here")] = None,
    role: Annotated[
        RoleIn | None, Query(description="Only keys of this role: its code or its Chinese name")
    ] = None,
    revoked: Annotated[bool | None, Query()] = None,
) -> list[Document]:
    """密钥列表: the keys issued, with who holds them (name, role, jurisdiction, unit), when
    each was issued and whether, when and why it was revoked; never a key or its hash.
    Offices see the keys bound in their jurisdiction subtree (not keys bound to no
    jurisdiction), auditors and admins every key. Ordered by name in dictionary (pinyin)
    order, then by id; paged (`limit`, `cursor`); scope and filters in one indexed query.
    Keys appear once the registry's read model has applied their issue (normally well
    under a second)."""
    where = scope_where(auth, caller, unit_field=None)
    if jurisdiction_id is not None:
        where = narrowed(where, "jurisdiction_id", str(jurisdiction_id))
    where |= {"role": role, "revoked": None if revoked is None else str(revoked).lower()}
    return page.fetch(views, PRINCIPAL_LIST, where=where)


@router.post(
    "/principals/{principal_id}/revoke",
    response_model=PrincipalOut,
    **allow(Policy.write("office", scope=path("principal_id", "principal"))),
)
def revoke_principal(
    principal_id: UUID,
    body: RevokeIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """吊销密钥: revoke an API key with a reason. The registry refuses it at once; every other
    service as soon as it has applied the revocation, and any service whose copy of keys has
    fallen behind refuses every key (503) rather than trust a stale one. Offices revoke
    agency, inspector and unit keys inside their own jurisdiction."""
    return app.revoke_principal(caller, principal_id, body.reason, idempotency_key)
