"""登记辖区: the jurisdiction tree."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.registry.api.deps import ListedChildrenDep, RegistryApp, RegistryViewDep
from services.registry.application.jurisdictions import jurisdiction_out
from services.registry.schemas.jurisdictions import (
    JurisdictionIn,
    JurisdictionNodeOut,
    JurisdictionOut,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow, body, path, query
from shared.principals import Principal
from shared.registry_view import JURISDICTIONS
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, scope_where

router = PolicyRouter(tags=["jurisdictions 辖区"])


@router.post(
    "/jurisdictions",
    status_code=201,
    response_model=JurisdictionOut,
    **allow(Policy.write("office", scope=body("parent_id", "jurisdiction", "admin"))),
)
def register_jurisdiction(
    body: JurisdictionIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    listed: ListedChildrenDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记辖区. Admins register top-level jurisdictions; an office registers below its own.
    The tree: province → city → county / district / zone (开发区); a zone may also sit below a
    county or district.

    The children of one parent have different names, compared as unit names are (全角/半角
    alike, spaces ignored: "临颍 县" is 临颍县): 409 `duplicate_jurisdiction_name` naming
    `name`, with the `jurisdiction_id` that bears it."""
    return app.register_jurisdiction(
        caller, body.name, body.level, body.parent_id, idempotency_key, listed
    )


@router.get(
    "/jurisdictions",
    response_model=list[JurisdictionNodeOut],
    **allow(Policy.read(*PARTICIPANTS, scope=query("under", "known_jurisdiction"), filtered=True)),
)
def list_jurisdictions(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    view: RegistryViewDep,
    views: ViewsDep,
    page: Pagination,
    under: Annotated[
        UUID | None, Query(description="Only this jurisdiction and what lies below it")
    ] = None,
) -> list[dict[str, Any]]:
    """辖区列表: the part of the tree visible to the caller, flat, depth first (each node after
    its parent, siblings by name), with parent ids, depth and path, paged (`limit`, `cursor`).
    An office sees its own jurisdiction and everything below it; admins and auditors see every
    tree. One indexed query per page: each node carries its place in the tree."""
    top = str(under) if under is not None else _own_top(caller)
    base = 0 if top is None else int((view.jurisdiction(top) or {}).get("tree_depth", 0))
    contains = None if under is None else f"/{under}/"
    where = scope_where(auth, caller, unit_field=None)
    docs = page.fetch(views, JURISDICTIONS, where=where, contains=contains)
    return [_node(doc, base) for doc in docs]


def _own_top(caller: Principal) -> str | None:
    if caller.sees_everything or caller.jurisdiction_id is None:
        return None
    return str(caller.jurisdiction_id)


def _node(doc: dict[str, Any], base: int) -> dict[str, Any]:
    """Depth and path count from the top of the returned subtree."""
    return doc | {"depth": doc["tree_depth"] - base, "path": doc["tree_names"][base:]}


@router.get(
    "/jurisdictions/{jurisdiction_id}",
    response_model=JurisdictionOut,
    **allow(Policy.read(*PARTICIPANTS, scope=path("jurisdiction_id", "known_jurisdiction"))),
)
def get_jurisdiction(jurisdiction_id: UUID, app: RegistryApp) -> dict[str, Any]:
    """查看辖区. From the event store: a jurisdiction just registered reads at once."""
    return jurisdiction_out(app.jurisdiction(jurisdiction_id))
