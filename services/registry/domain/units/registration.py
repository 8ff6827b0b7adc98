"""Registering a unit (by registration, merger or split): the values it is recorded with,
and what its kind needs of a parent unit (`unit_kinds`: which kinds have a parent, which
must have one, and which parent may hold them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from services.registry.domain.common import required_text
from services.registry.domain.credit_code import normalize_credit_code
from services.registry.domain.errors import InvalidRegistration, LifecycleConflict
from services.registry.domain.unit_kinds import missing_parent_refusal, sub_unit_refusal
from services.registry.domain.unit_values import UnitSpec, optional_text
from services.registry.domain.units.lifecycle import require_active

if TYPE_CHECKING:
    from services.registry.domain.units.unit import Unit


def check_parent(
    spec: UnitSpec,
    effective_on: date,
    parent: Unit | None,
    jurisdiction_lineage: Sequence[UUID],
    kind_field: str,
) -> None:
    """Refuse a unit whose kind needs a parent it lacks, or one its `parent` cannot hold,
    naming `kind_field` (`parent_id` when registering; `kind` for a merger or split, whose
    parent is their sources')."""
    if parent is None:
        missing = missing_parent_refusal(spec.kind)
        if missing is not None:
            raise InvalidRegistration(missing, field=kind_field, kind=spec.kind)
        return
    refusal = sub_unit_refusal(parent.kind, spec.kind)
    if refusal is not None:
        raise InvalidRegistration(refusal, field=kind_field, parent_kind=parent.kind)
    check_can_hold(parent, spec.jurisdiction_id, jurisdiction_lineage, effective_on)


def check_can_hold(
    parent: Unit, jurisdiction_id: UUID, jurisdiction_lineage: Sequence[UUID], effective_on: date
) -> None:
    """Refuse a sub-unit `parent` cannot take: it must be active, the sub-unit must sit in
    its jurisdiction or below, and must not exist before the parent does."""
    require_active(parent, "parent_id")
    if parent.jurisdiction_id not in jurisdiction_lineage:
        raise InvalidRegistration(
            "下属单位须在上级单位所在辖区或其下级辖区 "
            "(a sub-unit sits in its parent unit's jurisdiction or below it)",
            field="jurisdiction_id",
            parent_jurisdiction_id=str(parent.jurisdiction_id),
            jurisdiction_id=str(jurisdiction_id),
        )
    if effective_on < parent.registered_on:
        raise LifecycleConflict(
            f"上级单位自 {parent.registered_on} 起才存在 "
            f"(the parent unit exists only from {parent.registered_on})",
            field="effective_on",
        )


def normalized(spec: UnitSpec) -> UnitSpec:
    """`spec` as it is recorded: texts trimmed, blank optional ones None, the credit code in
    its canonical form (refused if invalid), name and category required."""
    code = optional_text(spec.credit_code)
    return replace(
        spec,
        credit_code=None if code is None else normalize_credit_code(code),
        name=required_text(spec.name, "name"),
        short_name=optional_text(spec.short_name),
        category=required_text(spec.category, "category"),
        vertical_superior=optional_text(spec.vertical_superior),
    )
