"""参评单位: registering units and sub-units, listing them now or as of a date, their history.
The lifecycle changes (rename, move, merge, split, dissolve) are in unit_lifecycle."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request

from services.registry.api import unit_lifecycle
from services.registry.api.deps import RegistryApp, RegistryViewDep
from services.registry.domain import UnitKind, UnitNotFound
from services.registry.projections.units import UnitHistoryView
from services.registry.schemas.units import (
    UnitBatchIn,
    UnitBatchOut,
    UnitHistoryOut,
    UnitIn,
    UnitOut,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import UnitStatus
from shared.idempotency import IdempotencyKey
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow, body, path, query
from shared.types import Line

router = PolicyRouter(tags=["units 参评单位"])
router.include_router(unit_lifecycle.router)


def get_history(request: Request) -> UnitHistoryView:
    return UnitHistoryView(request.app.state.runtime.views)


UnitHistoryDep = Annotated[UnitHistoryView, Depends(get_history)]
AsOf = Annotated[
    date | None,
    Query(
        description="返回该日的登记情况 (names, jurisdiction and status on that day; units "
        "registered later are absent)",
        examples=["2024-06-30"],
    ),
]


@router.post(
    "/units",
    status_code=201,
    response_model=UnitOut,
    # Attaching a sub-unit records an event on its parent, so the parent must be the
    # caller's to change too, not only the new unit's jurisdiction.
    **allow(
        Policy.write(
            "office",
            scope=(body("jurisdiction_id", "jurisdiction"), body("parent_id", "unit", "skip")),
        )
    ),
)
def register_unit(
    body: UnitIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记参评单位 (one unit). With `parent_id` it is a sub-unit (重点科室, 重点岗位, 基层站所,
    窗口单位) of an active unit, located in the parent's jurisdiction or below it. An invalid
    统一社会信用代码 is refused with 422 naming `credit_code`."""
    result = app.register_units(caller, [body.model_dump()], idempotency_key)
    unit: dict[str, Any] = result["units"][0]
    return unit


@router.post(
    "/units:batch",
    status_code=201,
    response_model=UnitBatchOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                body("units.*.jurisdiction_id", "jurisdiction"),
                body("units.*.parent_id", "unit", "skip"),
            ),
        ),
        large_body=True,
    ),
)
def register_units(
    body: UnitBatchIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记一批参评单位, all or none; an error names `units.<i>.<field>`."""
    result = app.register_units(caller, [u.model_dump() for u in body.units], idempotency_key)
    return {"units": result["units"], "position": None}


@router.get(
    "/units",
    response_model=list[UnitOut],
    **allow(
        Policy.read(*PARTICIPANTS, scope=query("jurisdiction_id", "jurisdiction"), filtered=True)
    ),
)
def list_units(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    view: RegistryViewDep,
    history: UnitHistoryDep,
    jurisdiction_id: Annotated[
        UUID | None, Query(description="该辖区及其下级辖区的单位 (the whole subtree)")
    ] = None,
    kind: Annotated[UnitKind | None, Query()] = None,
    category: Annotated[Line | None, Query(max_length=100, examples=["公共服务行业"])] = None,
    status: Annotated[UnitStatus | None, Query()] = None,
    parent_id: Annotated[UUID | None, Query(description="Only this unit's sub-units")] = None,
    q: Annotated[
        Line | None,
        Query(
            min_length=1,
            max_length=100,
            description="按名称查找: part of the name, short name or a former name (别名)",
            examples=["统计局"],
        ),
    ] = None,
    as_of: AsOf = None,
) -> list[dict[str, Any]]:
    """查询参评单位: units visible to the caller, now or as of a date, sorted by name. Filters
    combine: jurisdiction subtree, kind, category, status, parent unit, name search."""
    docs = view.units() if as_of is None else history.units_as_of(as_of)
    visible = auth.visible_jurisdictions(caller)
    if jurisdiction_id is not None:
        inside = view.subtree(str(jurisdiction_id))
        visible = inside if visible is None else visible & inside
    wanted = {
        "kind": kind,
        "category": category,
        "status": status,
        "parent_id": None if parent_id is None else str(parent_id),
    }
    found = [
        doc
        for doc in docs
        if (visible is None or doc["jurisdiction_id"] in visible)
        and all(_value(doc, field) == value for field, value in wanted.items() if value)
        and (q is None or matches(doc, q))
    ]
    return sorted(found, key=lambda doc: (doc["name"], doc["unit_id"]))


@router.get(
    "/units/{unit_id}",
    response_model=UnitOut,
    **allow(Policy.read(*PARTICIPANTS, scope=path("unit_id", "unit"))),
)
def get_unit(
    unit_id: UUID,
    view: RegistryViewDep,
    history: UnitHistoryDep,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """查看参评单位, now or as of a date (404 if it was not registered yet on that day)."""
    doc = view.unit(str(unit_id)) if as_of is None else history.unit_as_of(str(unit_id), as_of)
    if doc is None:
        when = "" if as_of is None else f" on {as_of}"
        raise UnitNotFound(f"no such unit{when}", field="unit_id")
    return doc


@router.get(
    "/units/{unit_id}/history",
    response_model=UnitHistoryOut,
    **allow(Policy.read(*PARTICIPANTS, scope=path("unit_id", "unit_ever"))),
)
def get_unit_history(unit_id: UUID, history: UnitHistoryDep) -> dict[str, Any]:
    """单位沿革: every change with the day it took effect, who made it and why, and the unit as
    it stood from then on. Visible to whoever has the unit in scope now or had it before."""
    doc = history.history(str(unit_id))
    if doc is None:
        raise UnitNotFound("no such unit", field="unit_id")
    return doc


def _value(doc: dict[str, Any], field: str) -> Any:
    # Unit documents from before the lifecycle facts have no status: they are active.
    return doc.get(field) or ("active" if field == "status" else None)


_SPACE = re.compile(r"\s+")


def search_key(text: str) -> str:
    """全角/半角, spacing and Latin case do not matter when searching by name."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def matches(doc: dict[str, Any], q: str) -> bool:
    needle = search_key(q)
    names = [doc.get("name"), doc.get("short_name"), *(doc.get("aliases") or [])]
    return any(needle in search_key(name) for name in names if name)
