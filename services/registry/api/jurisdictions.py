"""登记辖区: the jurisdiction tree."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.registry.api.deps import RegistryApp, RegistryViewDep
from services.registry.domain import JurisdictionNotFound
from services.registry.schemas.jurisdictions import (
    JurisdictionIn,
    JurisdictionNodeOut,
    JurisdictionOut,
)
from shared.auth import CurrentPrincipal, Principal
from shared.idempotency import IdempotencyKey
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow, body, path, query
from shared.registry_view import RegistryView

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
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记辖区. Admins register top-level jurisdictions; an office registers below its own.
    The tree: province → city → county / district / zone (开发区); a zone may also sit below a
    county or district."""
    return app.register_jurisdiction(caller, body.name, body.level, body.parent_id, idempotency_key)


@router.get(
    "/jurisdictions",
    response_model=list[JurisdictionNodeOut],
    **allow(Policy.read(*PARTICIPANTS, scope=query("under", "known_jurisdiction"), filtered=True)),
)
def list_jurisdictions(
    caller: CurrentPrincipal,
    view: RegistryViewDep,
    under: Annotated[
        UUID | None, Query(description="Only this jurisdiction and what lies below it")
    ] = None,
) -> list[dict[str, Any]]:
    """辖区列表: the part of the tree visible to the caller, flat, depth first (each node after
    its parent, siblings by name), with parent ids, depth and path. An office sees its own
    jurisdiction and everything below it; admins and auditors see every tree."""
    return flat_tree(view, roots_for(caller, view, under))


@router.get(
    "/jurisdictions/{jurisdiction_id}",
    response_model=JurisdictionOut,
    **allow(Policy.read(*PARTICIPANTS, scope=path("jurisdiction_id", "known_jurisdiction"))),
)
def get_jurisdiction(jurisdiction_id: UUID, view: RegistryViewDep) -> dict[str, Any]:
    """查看辖区."""
    doc = view.jurisdiction(str(jurisdiction_id))
    if doc is None:
        raise JurisdictionNotFound("no such jurisdiction", field="jurisdiction_id")
    return doc


def roots_for(caller: Principal, view: RegistryView, under: UUID | None) -> list[str]:
    if under is not None:
        return [str(under)]
    if caller.sees_everything:
        return [
            doc["jurisdiction_id"] for doc in view.jurisdictions() if doc.get("parent_id") is None
        ]
    if caller.jurisdiction_id is None:
        return []
    return [str(caller.jurisdiction_id)]


def flat_tree(view: RegistryView, roots: list[str]) -> list[dict[str, Any]]:
    """The subtrees under `roots`, depth first, from one scan of the jurisdictions."""
    docs = {doc["jurisdiction_id"]: doc for doc in view.jurisdictions()}
    children: dict[str, list[dict[str, Any]]] = {}
    for doc in docs.values():
        if doc.get("parent_id"):
            children.setdefault(doc["parent_id"], []).append(doc)
    found: list[dict[str, Any]] = []
    pending = [(docs[r], 0, [docs[r]["name"]]) for r in sorted_ids(roots, docs)]
    seen: set[str] = set()
    while pending:
        doc, depth, path = pending.pop(0)
        if doc["jurisdiction_id"] in seen:
            continue
        seen.add(doc["jurisdiction_id"])
        found.append(doc | {"depth": depth, "path": path})
        below = sorted(children.get(doc["jurisdiction_id"], []), key=_order)
        pending[:0] = [(child, depth + 1, [*path, child["name"]]) for child in below]
    return found


def sorted_ids(ids: list[str], docs: dict[str, dict[str, Any]]) -> list[str]:
    return sorted((i for i in ids if i in docs), key=lambda i: _order(docs[i]))


def _order(doc: dict[str, Any]) -> tuple[str, str]:
    return (doc["name"], doc["jurisdiction_id"])
