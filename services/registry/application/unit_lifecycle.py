"""Rename, move, dissolve, merge, split and 生效日期 corrections: each a new event (never an
overwrite), each runnable at most once per Idempotency-Key. Scope checks are the API's; the
rules are the domain's; this module loads what the rules need and saves what they produce,
in one go.

Every change of a unit's name, jurisdiction or status goes through `UnitNames.changing`, so
a name is given up and taken with the unit's own events; `listed` is the read model's
lookup of units that hold no claim (see `unit_names`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from services.registry.application.unit_access import UnitAccess, unit_out
from services.registry.application.unit_names import ListedUnits, UnitNames
from services.registry.domain import InvalidRegistration, LifecycleConflict, Unit
from services.registry.domain.units import Change, UnitSpec
from shared.idempotency import Response
from shared.principals import Principal as Caller


class UnitLifecycleCommands(UnitAccess):
    def rename_unit(
        self,
        caller: Caller,
        unit_id: UUID,
        name: str,
        short_name: str | None,
        effective_on: date | None,
        reason: str,
        key: str | None = None,
        listed: ListedUnits | None = None,
    ) -> Response:
        """`short_name=None` keeps the short name; "" clears it."""

        def command() -> tuple[list[Any], Response]:
            unit = self.unit(unit_id)
            names = self.unit_names(listed)
            with names.changing(unit):
                unit.rename(name, short_name, self.change(caller, effective_on, reason))
            return [unit, *names.aggregates()], unit_out(unit)

        request: dict[str, Any] = {"unit_id": unit_id, "name": name, "short_name": short_name}
        request |= {"effective_on": effective_on, "reason": reason}
        return self.idempotent(caller, "unit.rename", key, request, command)

    def move_unit(
        self,
        caller: Caller,
        unit_id: UUID,
        to_jurisdiction_id: UUID,
        effective_on: date | None,
        reason: str,
        key: str | None = None,
        listed: ListedUnits | None = None,
    ) -> Response:
        """Sub-units sitting in the unit's own jurisdiction move with it (each with its own
        event); the response lists them in `carried_sub_unit_ids`. A name the target
        jurisdiction has already (the unit's or a carried sub-unit's) is a 409 naming
        `jurisdiction_id`."""

        def command() -> tuple[list[Any], Response]:
            unit = self.unit(unit_id)
            change = self.change(caller, effective_on, reason)
            target_lineage = self.jurisdiction_lineage(to_jurisdiction_id)
            origin = unit.jurisdiction_id
            names = self.unit_names(listed)
            with names.changing(unit, field="jurisdiction_id"):
                unit.move(to_jurisdiction_id, target_lineage, self.parent_of(unit), change)
            carried = self._carry_sub_units(unit, origin, target_lineage, change, names)
            return [unit, *carried, *names.aggregates()], unit_out(unit) | {
                "carried_sub_unit_ids": [str(sub.id) for sub in carried]
            }

        request: dict[str, Any] = {"unit_id": unit_id, "jurisdiction_id": to_jurisdiction_id}
        request |= {"effective_on": effective_on, "reason": reason}
        return self.idempotent(caller, "unit.move", key, request, command)

    def _carry_sub_units(
        self,
        unit: Unit,
        origin: UUID,
        target_lineage: list[UUID],
        change: Change,
        names: UnitNames,
    ) -> list[Unit]:
        """Move along the active sub-units that sat in `origin` with the unit; refuse when one
        sits below `origin` outside the unit's new jurisdiction, since it would be left
        outside its parent."""
        carried: list[Unit] = []
        for sub in self.active_sub_units(unit):
            if sub.jurisdiction_id == origin:
                with names.changing(sub, field="jurisdiction_id"):
                    sub.move(unit.jurisdiction_id, target_lineage, unit, change)
                deeper = self._carry_sub_units(sub, origin, target_lineage, change, names)
                carried += [sub, *deeper]
            elif unit.jurisdiction_id not in self.jurisdiction_lineage(sub.jurisdiction_id):
                raise LifecycleConflict(
                    f"下属单位 {sub.name} 在该单位辖区的下级辖区, 迁移后将落在其辖区之外; "
                    "请先把它迁到该单位本身的辖区 (之后会随单位一同迁移) 或将其撤销 "
                    f"(sub-unit {sub.name} sits below the unit's jurisdiction and would be left "
                    "outside it; move it into the unit's own jurisdiction first (it is then "
                    "carried along) or dissolve it)",
                    field="jurisdiction_id",
                    sub_unit_id=str(sub.id),
                )
        return carried

    def dissolve_unit(
        self,
        caller: Caller,
        unit_id: UUID,
        effective_on: date | None,
        reason: str,
        key: str | None = None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            unit = self.unit(unit_id)
            change = self.change(caller, effective_on, reason)
            names = self.unit_names(None)  # giving a name up asks no one
            with names.changing(unit):
                unit.dissolve(self.active_sub_unit_ids(unit), change)
            return [unit, *names.aggregates()], unit_out(unit)

        request = {"unit_id": unit_id, "effective_on": effective_on, "reason": reason}
        return self.idempotent(caller, "unit.dissolve", key, request, command)

    def correct_effective_date(
        self,
        caller: Caller,
        unit_id: UUID,
        effective_on: date,
        reason: str,
        key: str | None = None,
    ) -> Response:
        """State or correct the day the unit began (生效日期): a new event with actor and
        reason; the rules are `domain.units.effective_date`'s."""

        def command() -> tuple[list[Any], Response]:
            unit = self.unit(unit_id)
            change = self.change(caller, effective_on, reason)
            subs = [self.unit(sub_id, "sub_unit_id") for sub_id in unit.sub_unit_ids]
            unit.correct_effective_date(change, self.parent_of(unit), subs)
            return [unit], unit_out(unit)

        request = {"unit_id": unit_id, "effective_on": effective_on, "reason": reason}
        return self.idempotent(caller, "unit.effective_date", key, request, command)

    def merge_units(
        self,
        caller: Caller,
        spec: dict[str, Any],
        key: str | None = None,
        listed: ListedUnits | None = None,
    ) -> Response:
        """spec: source_unit_ids, name, reason; optional short_name, kind, category,
        jurisdiction_id, vertical_superior, credit_code (defaults: the sources' common values),
        effective_on."""

        def command() -> tuple[list[Any], Response]:
            ids: Sequence[UUID] = spec["source_unit_ids"]
            for index, unit_id in enumerate(ids):
                if unit_id in ids[:index]:
                    raise LifecycleConflict(
                        "同一单位不能与自身合并 (a unit cannot be merged with itself)",
                        field=f"source_unit_ids.{index}",
                    )
            sources = [self.unit(u, f"source_unit_ids.{i}") for i, u in enumerate(ids)]
            for index, source in enumerate(sources):
                if source.is_active:
                    source.require_no_active_sub_units(
                        self.active_sub_unit_ids(source), f"source_unit_ids.{index}"
                    )
            change = self.change(caller, spec.get("effective_on"), spec.get("reason", ""))
            new_spec = _merged_spec(sources, spec)
            lineage = self.jurisdiction_lineage(new_spec.jurisdiction_id)
            parent = self.parent_of(sources[0])
            names = self.unit_names(listed)
            # The sources give their names up first: the merged unit may take one of them.
            with names.changing(*sources):
                merged = Unit.merge(sources, new_spec, change, parent, lineage)
            names.claim(merged, "name")
            saved = [merged, *sources, *([parent] if parent else []), *names.aggregates()]
            response = {"unit": unit_out(merged), "sources": [unit_out(s) for s in sources]}
            return saved, response

        return self.idempotent(caller, "unit.merge", key, spec, command)

    def split_unit(
        self,
        caller: Caller,
        unit_id: UUID,
        new_units: list[dict[str, Any]],
        effective_on: date | None,
        reason: str,
        key: str | None = None,
        listed: ListedUnits | None = None,
    ) -> Response:
        """new_units: [{name, optional short_name, kind, category, jurisdiction_id,
        vertical_superior, credit_code}], each defaulting to the source's values (the credit
        code excepted: a new body gets a new code)."""

        def command() -> tuple[list[Any], Response]:
            unit = self.unit(unit_id)
            change = self.change(caller, effective_on, reason)
            specs = [_split_spec(unit, item) for item in new_units]
            lineages = [
                self.jurisdiction_lineage(s.jurisdiction_id, f"units.{i}.jurisdiction_id")
                for i, s in enumerate(specs)
            ]
            parent = self.parent_of(unit)
            active_subs = self.active_sub_unit_ids(unit) if unit.is_active else []
            names = self.unit_names(listed)
            # The source gives its name up first: a new unit may keep it.
            with names.changing(unit):
                created = unit.split(specs, lineages, change, active_subs, parent)
            for index, new_unit in enumerate(created):
                names.claim(new_unit, f"units.{index}.name", label=f"units.{index}")
            saved = [*created, unit, *([parent] if parent else []), *names.aggregates()]
            return saved, {"source": unit_out(unit), "units": [unit_out(u) for u in created]}

        request: dict[str, Any] = {"unit_id": unit_id, "units": new_units}
        request |= {"effective_on": effective_on, "reason": reason}
        return self.idempotent(caller, "unit.split", key, request, command)


def _common(values: Sequence[Any]) -> Any:
    """The one value all items share, or None."""
    return values[0] if values and all(v == values[0] for v in values) else None


def _merged_spec(sources: Sequence[Unit], spec: dict[str, Any]) -> UnitSpec:
    jurisdiction_id = spec.get("jurisdiction_id") or _common([s.jurisdiction_id for s in sources])
    if jurisdiction_id is None:
        raise InvalidRegistration(
            "这些单位分属不同辖区, 请填写合并后单位的辖区 jurisdiction_id "
            "(the units sit in different jurisdictions; name the merged unit's jurisdiction)",
            field="jurisdiction_id",
        )
    first = sources[0]
    return UnitSpec(
        jurisdiction_id=jurisdiction_id,
        name=spec.get("name", ""),
        kind=spec.get("kind") or first.kind,
        category=spec.get("category") or first.category,
        short_name=spec.get("short_name"),
        vertical_superior=spec.get("vertical_superior")
        or _common([s.vertical_superior for s in sources]),
        credit_code=spec.get("credit_code"),
    )


def _split_spec(source: Unit, item: dict[str, Any]) -> UnitSpec:
    return UnitSpec(
        jurisdiction_id=item.get("jurisdiction_id") or source.jurisdiction_id,
        name=item.get("name", ""),
        kind=item.get("kind") or source.kind,
        category=item.get("category") or source.category,
        short_name=item.get("short_name"),
        vertical_superior=item.get("vertical_superior") or source.vertical_superior,
        credit_code=item.get("credit_code"),
    )
