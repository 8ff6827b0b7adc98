"""Correcting a unit's 生效日期 (the day it began).

A unit registered without a 生效日期 exists, for the registry, from the day it was entered;
that is when the office typed it in, not when the body began, so the office states the real
day later. The stated day keeps the unit's record in date order, as every dated change does:
not after the unit's first dated change (rename, move, …), not before its parent unit began,
not after any of its sub-units began. A unit formed by a merger or split began on that
change's day, which its predecessors record too, so its day is not corrected on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from services.registry.domain.errors import InvalidRegistration, LifecycleConflict
from services.registry.domain.unit_values import china_today
from shared.types import EARLIEST_YEAR

if TYPE_CHECKING:
    from services.registry.domain.units.unit import Unit

FIELD = "effective_on"


def check_effective_date(
    unit: Unit, day: date, parent: Unit | None, sub_units: Sequence[Unit]
) -> None:
    """Raise the reason `unit` cannot begin on `day`, naming `effective_on`."""
    if day.year < EARLIEST_YEAR or day > china_today():
        raise InvalidRegistration(
            f"生效日期须在 {EARLIEST_YEAR}-01-01 至今天之间 "
            f"(the 生效日期 lies between {EARLIEST_YEAR}-01-01 and today)",
            field=FIELD,
        )
    if unit.predecessor_ids:
        raise LifecycleConflict(
            "由合并或拆分新设的单位, 生效日期即该次合并或拆分的生效日期, 不能单独更正 "
            "(a unit formed by a merger or split began on that change's day)",
            field=FIELD,
            unit_id=str(unit.id),
        )
    if unit.effective_on_stated and day == unit.registered_on:
        raise LifecycleConflict(
            f"生效日期已是 {day}, 未变 (the 生效日期 is already {day})", field=FIELD
        )
    if unit.first_change_on is not None and day > unit.first_change_on:
        raise LifecycleConflict(
            f"{unit.name} 自 {unit.first_change_on} 起已有变更, 生效日期不能晚于该日 "
            f"(the unit changed with effect from {unit.first_change_on}; changes are "
            "recorded in date order)",
            field=FIELD,
            unit_id=str(unit.id),
        )
    if parent is not None and day < parent.registered_on:
        raise LifecycleConflict(
            f"上级单位 {parent.name} 自 {parent.registered_on} 起才存在, 生效日期不能早于该日 "
            f"(the parent unit exists only from {parent.registered_on})",
            field=FIELD,
            parent_id=str(parent.id),
        )
    earliest = min(sub_units, key=lambda sub: sub.registered_on, default=None)
    if earliest is not None and day > earliest.registered_on:
        raise LifecycleConflict(
            f"下属单位 {earliest.name} 自 {earliest.registered_on} 起存在, 生效日期不能晚于该日 "
            f"(a sub-unit exists from {earliest.registered_on}; correct its 生效日期 first)",
            field=FIELD,
            sub_unit_id=str(earliest.id),
        )
