"""Enrolment of a unit in a campaign: the shape the Campaign aggregate keeps for it, the
reasons a unit can be a key evaluation target (重点评议对象), and which units may be enrolled
at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict
from uuid import UUID

from services.registry.domain.common import STATUS_LABELS
from services.registry.domain.units import Unit
from shared.choices import Choices

KEY_TARGET_REASONS: dict[str, str] = {
    "concentrated_complaints": "群众意见集中",
    "weak_grade_last_cycle": "上年度考核一般",
    "other": "其他",
}
REASON_CHOICES = Choices(KEY_TARGET_REASONS)
ENROLLED = "enrolled"
WITHDRAWN = "withdrawn"


class KeyTarget(TypedDict):
    reason_code: str
    reason: str
    designated_by: str


class Enrolment(TypedDict):
    category: str
    status: str
    enrolled_by: str
    withdrawn_reason: str | None
    key_target: KeyTarget | None


def enrolment_refusal(
    unit: Unit,
    located: Callable[[UUID], bool],
    parent: Callable[[UUID], Unit],
    cycle_ends_on: str | None = None,
) -> str | None:
    """Why `unit` cannot be enrolled in a campaign, or None if it can.

    `located(jurisdiction_id)` tells whether a jurisdiction lies in the campaign's subtree. A
    unit belongs if it is located there (a vertically managed unit too: it is evaluated where
    it serves, whoever manages it) or if it is a sub-unit of a unit that belongs.

    `cycle_ends_on` (the campaign's last day): a unit the registry knows began after it
    cannot have been evaluated in it (`began_after`).

    Where the unit is is judged first: a unit outside the campaign is refused for that alone,
    so that an office told about another county's unit learns nothing of what became of it
    (dissolved, its 生效日期), which reading the unit would refuse it.
    """
    outside = _outside(unit, located, parent)
    if outside is not None:
        return outside
    if not unit.is_active:
        return (
            f"该单位{STATUS_LABELS.get(unit.status, unit.status)}, 只有在册单位可以参评 "
            f"(the unit is {unit.status}; only active units can be enrolled)"
        )
    if cycle_ends_on is not None and began_after(unit, cycle_ends_on):
        return (
            f"单位生效日期 ({unit.registered_on}) 晚于本期评议周期结束日 ({cycle_ends_on}), "
            f"不能参评 (the unit exists only from {unit.registered_on}, its effective date, after "
            f"this campaign's cycle ended on {cycle_ends_on})"
        )
    return None


def _outside(
    unit: Unit, located: Callable[[UUID], bool], parent: Callable[[UUID], Unit]
) -> str | None:
    """Why the unit does not belong to the campaign's jurisdiction, or None if it does."""
    current, seen = unit, {unit.id}
    while not located(current.jurisdiction_id):
        if current.parent_id is None or current.parent_id in seen:
            if unit.vertical_superior:
                return (
                    "垂直管理单位在其所在地参评, 该单位不在本次评议活动的辖区内 "
                    "(a vertically managed unit is enrolled where it is located, "
                    "and this one is located outside the campaign's jurisdiction)"
                )
            return (
                "该单位不在本次评议活动的辖区内, 也不是辖区内单位的下属单位 "
                "(the unit is outside the campaign's jurisdiction and not a sub-unit of one inside)"
            )
        seen.add(current.parent_id)
        current = parent(current.parent_id)
    return None


def began_after(unit: Unit, day: str) -> bool:
    """Whether the registry knows `unit` began after `day` (ISO): only from a stated day (a
    生效日期, a dated merger or split, or a correction). A unit registered without one exists,
    for the registry, from the day it was entered: that says when the office entered it, not
    when the body began (offices enter their long-standing units when they start using the
    registry, and backfill past campaigns), so such a unit is never known to have begun
    after a past campaign. An office that knows it began later states the day
    (POST /units/{id}/effective-date)."""
    return unit.effective_on_stated and unit.registered_on.isoformat() > day
