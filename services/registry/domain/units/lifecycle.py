"""What a unit's dated changes (rename, move, dissolve, merger, split) require of it: the
unit is active, the change is dated no earlier than its last one, it leaves no active
sub-unit hanging, and the change changes something. `Unit` checks these, then records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from services.registry.domain.common import STATUS_LABELS, required_text
from services.registry.domain.errors import LifecycleConflict
from services.registry.domain.unit_names import name_key
from services.registry.domain.unit_values import Change, optional_text
from shared.contracts.registry import ACTIVE

if TYPE_CHECKING:
    from services.registry.domain.units.unit import Unit


def require_active(unit: Unit, field: str) -> None:
    if unit.status != ACTIVE:
        raise LifecycleConflict(
            f"{unit.name} {STATUS_LABELS.get(unit.status, unit.status)}, 只有在册单位可以变更 "
            f"({unit.name} is {unit.status}; only an active unit can change)",
            field=field,
            unit_id=str(unit.id),
            status=unit.status,
        )


def require_in_order(unit: Unit, effective_on: date) -> None:
    if effective_on < unit.last_change_on:
        raise LifecycleConflict(
            f"{unit.name} 最近一次变更自 {unit.last_change_on} 起生效, 变更须按日期先后登记 "
            f"({unit.name} last changed with effect from {unit.last_change_on}; "
            "changes are recorded in date order)",
            field="effective_on",
            unit_id=str(unit.id),
        )


def require_changeable(unit: Unit, change: Change) -> None:
    require_active(unit, "unit_id")
    require_in_order(unit, change.effective_on)


def require_no_active_sub_units(
    unit: Unit, active_sub_unit_ids: Sequence[UUID], field: str
) -> None:
    if active_sub_unit_ids:
        raise LifecycleConflict(
            f"{unit.name} 还有在册的下属单位, 请先撤销下属单位 "
            f"({unit.name} still has active sub-units; dissolve them first)",
            field=field,
            sub_unit_ids=[str(u) for u in active_sub_unit_ids],
        )


def new_names(unit: Unit, name: str, short_name: str | None) -> tuple[str, str | None]:
    """The name and short name a rename records. `short_name=None` keeps the current short
    name. A name that differs from the current one only in spaces or 全角/半角 forms is the
    same name (`name_key`, as registration compares names): not a rename, so it records no
    dated change and leaves no alias; renaming to the same name and short name is a 409."""
    new_name = required_text(name, "name")
    new_short = unit.short_name if short_name is None else optional_text(short_name)
    if name_key(new_name) == name_key(unit.name):
        new_name = unit.name
    if new_short and unit.short_name and name_key(new_short) == name_key(unit.short_name):
        new_short = unit.short_name
    if (new_name, new_short) == (unit.name, unit.short_name):
        raise LifecycleConflict(
            f"名称未变: 该单位已名为 {unit.name}, 空格和全角/半角不同不算另一个名称 "
            f"(the unit is already called {unit.name}: spaces and full-width/half-width forms "
            "do not make another name)",
            field="name",
        )
    return new_name, new_short


def check_move(
    unit: Unit, to_jurisdiction_id: UUID, target_lineage: Sequence[UUID], parent: Unit | None
) -> None:
    """`target_lineage`: the target and its ancestors; `parent`: the parent unit, if any."""
    if to_jurisdiction_id == unit.jurisdiction_id:
        raise LifecycleConflict(
            "该单位已在这个辖区 (the unit is already in this jurisdiction)",
            field="jurisdiction_id",
        )
    if parent is not None and parent.jurisdiction_id not in target_lineage:
        raise LifecycleConflict(
            "下属单位须留在上级单位所在辖区或其下级辖区 "
            "(a sub-unit stays in its parent unit's jurisdiction or below it)",
            field="jurisdiction_id",
            parent_id=str(parent.id),
        )


def check_merger_sources(sources: Sequence[Unit], change: Change) -> None:
    """At least two distinct active units, changed in date order, under one parent (or
    none), named as `source_unit_ids.<i>`."""
    seen: set[UUID] = set()
    for index, source in enumerate(sources):
        field = f"source_unit_ids.{index}"
        if source.id in seen:
            raise LifecycleConflict(
                "同一单位不能与自身合并 (a unit cannot be merged with itself)", field=field
            )
        seen.add(source.id)
        require_active(source, field)
        require_in_order(source, change.effective_on)
    if len(seen) < 2:
        raise LifecycleConflict(
            "合并至少需要两个单位 (a merger needs at least two units)", field="source_unit_ids"
        )
    if len({source.parent_id for source in sources}) > 1:
        raise LifecycleConflict(
            "只有上级单位相同 (或都没有上级单位) 的单位可以合并 "
            "(only units with the same parent unit (or none) can be merged)",
            field="source_unit_ids",
        )
