"""单位变更: rename, move, merge, split and dissolve units, and correct their 生效日期. Each
is a new event with actor, reason and effective date; nothing is overwritten. The caller
must have in scope every unit touched and every jurisdiction a unit ends up in (a county
office cannot move a unit to another county; the city office above both can)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.api.deps import ListedUnitsDep, RegistryApp
from services.registry.schemas.units import (
    DissolveIn,
    EffectiveDateIn,
    MergeIn,
    MergeOut,
    MoveIn,
    MoveOut,
    RenameIn,
    SplitIn,
    SplitOut,
    UnitOut,
)
from shared.auth import CurrentPrincipal
from shared.policy import Policy, PolicyRouter, allow, body, path
from shared.web.idempotency import IdempotencyKey

router = PolicyRouter()
UNIT = path("unit_id", "unit")


@router.post(
    "/units/{unit_id}/rename", response_model=UnitOut, **allow(Policy.write("office", scope=UNIT))
)
def rename_unit(
    unit_id: UUID,
    body: RenameIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位更名. The old name (and short name) stay in `aliases` and remain searchable with
    `GET /units?q=`; queries as of an earlier date show the old name. 409 `lifecycle_conflict`
    for a unit that is no longer active, the same name, or a date before its last change;
    409 `duplicate_unit_name` (naming `name`, with the `unit_id` that bears it) for a name
    another active unit of the jurisdiction has."""
    return app.rename_unit(
        caller,
        unit_id,
        body.name,
        body.short_name,
        body.effective_on,
        body.reason,
        idempotency_key,
        listed,
    )


@router.post(
    "/units/{unit_id}/move",
    response_model=MoveOut,
    **allow(Policy.write("office", scope=(UNIT, body("jurisdiction_id", "jurisdiction")))),
)
def move_unit(
    unit_id: UUID,
    body: MoveIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位划转: move a unit to another jurisdiction; both must be in the caller's scope. Its
    sub-units in its own jurisdiction move along (`carried_sub_unit_ids`); a sub-unit itself
    can only move within its parent's jurisdiction. 409 `duplicate_unit_name` naming
    `jurisdiction_id` if an active unit there already has the unit's (or a carried
    sub-unit's) name."""
    return app.move_unit(
        caller,
        unit_id,
        body.jurisdiction_id,
        body.effective_on,
        body.reason,
        idempotency_key,
        listed,
    )


@router.post(
    "/units/{unit_id}/dissolve",
    response_model=UnitOut,
    **allow(Policy.write("office", scope=UNIT)),
)
def dissolve_unit(
    unit_id: UUID,
    body: DissolveIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位撤销: the unit stays in the registry with status "dissolved" and its history. A
    unit with active sub-units cannot be dissolved (409 naming `unit_id`, listing them)."""
    return app.dissolve_unit(caller, unit_id, body.effective_on, body.reason, idempotency_key)


@router.post(
    "/units/{unit_id}/effective-date",
    response_model=UnitOut,
    **allow(Policy.write("office", scope=UNIT)),
)
def correct_effective_date(
    unit_id: UUID,
    body: EffectiveDateIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正生效日期: state the day the unit began, for a unit registered without one (its day
    was the day it was entered), or correct a stated one. A new event with actor and reason.
    409 `lifecycle_conflict` naming `effective_on` for the same stated day, a day after the
    unit's first dated change or after one of its sub-units began, a day before its parent
    unit began, or a unit formed by a merger or split (it began on that change's day)."""
    return app.correct_effective_date(
        caller, unit_id, body.effective_on, body.reason, idempotency_key
    )


@router.post(
    "/units:merge",
    status_code=201,
    response_model=MergeOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                body("source_unit_ids.*", "unit"),
                body("jurisdiction_id", "jurisdiction", "skip"),
            ),
        )
    ),
)
def merge_units(
    body: MergeIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位合并: several active units become one NEW unit evaluated as one, e.g. 区发改局 and
    区统计局 → "区发改局(区统计局)". The sources get status "merged" and `merged_into`. Sources
    must not have active sub-units, and sub-units merge only with siblings. The new unit may
    take a source's name; another active unit's in the jurisdiction is a 409
    `duplicate_unit_name` naming `name`."""
    return app.merge_units(caller, body.model_dump(), idempotency_key, listed)


@router.post(
    "/units/{unit_id}/split",
    status_code=201,
    response_model=SplitOut,
    **allow(
        Policy.write(
            "office", scope=(UNIT, body("units.*.jurisdiction_id", "jurisdiction", "skip"))
        )
    ),
)
def split_unit(
    unit_id: UUID,
    body: SplitIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    listed: ListedUnitsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """单位拆分: one active unit becomes several NEW units (at least two); the source gets
    status "split" and `split_into`. Omitted details of a new unit default to the source's.
    A new unit may keep the source's name; another active unit's in its jurisdiction is a
    409 `duplicate_unit_name` naming `units.<i>.name`, and so is a part called as an
    earlier part, naming both (`units.1.name`, `same_as: units.0`), as a batch answers."""
    parts = [part.model_dump() for part in body.units]
    return app.split_unit(
        caller, unit_id, parts, body.effective_on, body.reason, idempotency_key, listed
    )
