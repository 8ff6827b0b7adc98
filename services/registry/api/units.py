"""参评单位: registering units and sub-units, listing them now or as of a date, their history.
The lifecycle changes (rename, move, merge, split, dissolve) are in unit_lifecycle; the list's
filters in unit_filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request

from services.registry.api import unit_lifecycle
from services.registry.api.deps import ListedUnitsDep, RegistryApp, RegistryViewDep
from services.registry.api.unit_filters import UnitFilter, page_as_of
from services.registry.application.unit_access import unit_out
from services.registry.domain import UnitNotFound
from services.registry.domain.common import no_such
from services.registry.projections.unit_categories import category_spellings
from services.registry.projections.units import UnitHistoryView
from services.registry.schemas.units import (
    KindIn,
    StatusIn,
    UnitBatchIn,
    UnitBatchOut,
    UnitHistoryOut,
    UnitIn,
    UnitOut,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow, body, path, query
from shared.registry_view import UNITS
from shared.types import Line
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where

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
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记参评单位 (one unit). With `parent_id` it is a sub-unit (重点科室, 重点岗位, 基层站所,
    窗口单位) of an active unit, located in the parent's jurisdiction or below it. Only those
    four kinds are sub-units: of a department, other body or public-service enterprise (a
    重点科室 also holds 重点岗位, a 基层站所 窗口单位 and 重点岗位); anything else with a
    `parent_id` (a department under a department) is refused with 422 naming
    `units.0.parent_id`, as is a 重点科室 or 重点岗位 without one (part of a unit, never
    evaluated alone; a 基层站所 or 窗口单位 may stand alone). An invalid 统一社会信用代码 is
    refused with 422 naming `credit_code`.

    Names are unique among a jurisdiction's active units, compared as the import compares
    them (全角/半角 alike, spaces ignored): 409 `duplicate_unit_name` naming `units.0.name`,
    with the unit that bears it (`unit_id`). Dissolved, merged and split units do not hold
    their names. So are credit codes: 409 `duplicate_credit_code` naming
    `units.0.credit_code`, with the unit of this jurisdiction that holds it (another
    jurisdiction may hold the same code)."""
    result = app.register_units(caller, [body.model_dump()], idempotency_key, listed)
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
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记一批参评单位, all or none; an error names `units.<i>.<field>`. A name taken in the
    jurisdiction is a 409 `duplicate_unit_name` (as for one unit); so is an item called as
    an earlier item of the batch, naming both (`units.3.name`, `same_as: units.1`)."""
    items = [u.model_dump() for u in body.units]
    result = app.register_units(caller, items, idempotency_key, listed)
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
    views: ViewsDep,
    history: UnitHistoryDep,
    page: Pagination,
    jurisdiction_id: Annotated[
        UUID | None, Query(description="该辖区及其下级辖区的单位 (the whole subtree)")
    ] = None,
    kind: Annotated[
        KindIn | None, Query(description="单位类型: its code or its Chinese name (窗口单位)")
    ] = None,
    category: Annotated[
        Line | None,
        Query(
            max_length=100,
            description="类别, compared as campaigns compare categories (全角/半角 alike, "
            "spaces ignored): 公共服务 行业 finds units registered as 公共服务行业",
            examples=["公共服务行业"],
        ),
    ] = None,
    status: Annotated[
        StatusIn | None,
        Query(
            description="登记状态: its code or its Chinese name (已撤销); without it every "
            "status is listed, merged, split and dissolved units too"
        ),
    ] = None,
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
    """查询参评单位: units visible to the caller, now or as of a date, sorted by name, paged
    (`limit`, `cursor`). Filters combine: jurisdiction subtree, kind, category, status, parent
    unit, name search. A category matches however its spaces and 全角/半角 forms are
    written, as a campaign's categories do.

    Now: one indexed query per page; every filter, the caller's scope and the name search
    (over a normalised text of name, short name and former names) run in SQL. `as_of`: what
    was in scope and how units were named on a past day is not an index of today's rows, so
    the dated history of every unit is read in chunks and filtered here, keeping one page in
    memory; expect it to cost more than the current list. A unit key that names its unit
    sees that unit only."""
    where = scope_where(auth, caller)
    if jurisdiction_id is not None:
        where = narrowed(where, "jurisdiction_id", view.subtree(str(jurisdiction_id)))
    spellings = None if category is None else category_spellings(views, category)
    wanted = UnitFilter(
        where, None if parent_id is None else str(parent_id), spellings, kind, status, q
    )
    if as_of is not None:
        return page_as_of(history, as_of, wanted, page)
    own_unit = caller.own_unit
    if own_unit is not None:
        # One document at most: read by key, since the unit id is no index of the list.
        doc = view.unit(own_unit)
        return page.send([doc] if doc is not None and wanted.accepts(doc) else [], None)
    return page.fetch(views, UNITS, where=wanted.where(), contains=wanted.needle())


@router.get(
    "/units/{unit_id}",
    response_model=UnitOut,
    **allow(Policy.read(*PARTICIPANTS, scope=path("unit_id", "unit"))),
)
def get_unit(
    unit_id: UUID,
    app: RegistryApp,
    history: UnitHistoryDep,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """查看参评单位, now or as of a date (404 if it was not registered yet on that day). Now
    reads the event store, as the write answered: a unit just registered reads at once."""
    if as_of is None:
        return unit_out(app.unit(unit_id))
    doc = history.unit_as_of(str(unit_id), as_of)
    if doc is None:
        raise UnitNotFound(no_such("unit", "" if as_of is None else str(as_of)), field="unit_id")
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
        raise UnitNotFound(no_such("unit"), field="unit_id")
    return doc
