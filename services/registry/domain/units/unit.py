"""The unit aggregate (参评单位): registered, possibly under a parent unit, then renamed,
moved, dissolved, merged or split, each change dated and in date order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.credit_code import normalize_credit_code
from services.registry.domain.errors import InvalidRegistration, LifecycleConflict
from services.registry.domain.unit_kinds import sub_unit_refusal
from services.registry.domain.unit_names import name_key
from services.registry.domain.unit_values import (
    Change,
    UnitSpec,
    change_fields,
    optional_text,
    prefixed_errors,
)
from services.registry.domain.units import events
from services.registry.domain.units.effective_date import check_effective_date
from shared.contracts.registry import ACTIVE, registered_on


class Unit(Aggregate):
    # What a unit records is declared, with how each fact applies itself, in `events`;
    # nesting a subclass of each here makes it the aggregate's own event, stored under its
    # topics (`Unit.Renamed`), and keeps lifecycle events under `Unit.Changed`.

    class Registered(events.Registered):
        pass

    class SubUnitAttached(events.SubUnitAttached):
        pass

    class Changed(events.Changed):
        pass

    class Renamed(events.Renamed, Changed):
        pass

    class Moved(events.Moved, Changed):
        pass

    class Dissolved(events.Dissolved, Changed):
        pass

    class MergedInto(events.MergedInto, Changed):
        pass

    class FormedByMerger(events.FormedByMerger, Changed):
        pass

    class SplitUp(events.SplitUp, Changed):
        pass

    class FormedBySplit(events.FormedBySplit, Changed):
        pass

    class EffectiveDateCorrected(events.EffectiveDateCorrected):
        pass

    @event(Registered)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        short_name: str | None,
        kind: str,
        category: str,
        actor: str,
        parent_id: UUID | None = None,
        vertical_superior: str | None = None,
        credit_code: str | None = None,
        effective_on: str | None = None,
        effective_on_stated: bool = False,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.short_name = short_name
        self.kind = kind
        self.category = category
        self.registered_by = actor
        self.parent_id = parent_id
        self.vertical_superior = vertical_superior
        self.credit_code = credit_code
        self.registered_on = registered_on(
            date.fromisoformat(effective_on) if effective_on else None, self.created_on
        )
        self.effective_on_stated = effective_on_stated
        self.last_change_on = self.registered_on
        self.first_change_on: date | None = None
        self.status: str = ACTIVE
        self.aliases: list[str] = []
        self.sub_unit_ids: list[UUID] = []
        self.merged_into: UUID | None = None
        self.split_into: list[UUID] = []
        self.predecessor_ids: list[UUID] = []

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    # --- registration --------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        spec: UnitSpec,
        actor: str,
        effective_on: date,
        parent: Unit | None = None,
        jurisdiction_lineage: Sequence[UUID] = (),
        kind_field: str = "parent_id",
        stated: bool = True,
    ) -> Unit:
        """A new unit; a sub-unit when `parent` is given (`jurisdiction_lineage` is the new
        unit's jurisdiction and its ancestors, to check it sits within the parent's; a kind
        the parent cannot hold is refused naming `kind_field`: see `unit_kinds`).
        `stated=False`: the office gave no 生效日期 and `effective_on` is the day it is
        entered, which says nothing about when the body began."""
        code = optional_text(spec.credit_code)
        if parent is not None:
            refusal = sub_unit_refusal(parent.kind, spec.kind)
            if refusal is not None:
                raise InvalidRegistration(refusal, field=kind_field, parent_kind=parent.kind)
            parent.check_can_hold(spec.jurisdiction_id, jurisdiction_lineage, effective_on)
        credit_code = None if code is None else normalize_credit_code(code)
        unit = cls(
            spec.jurisdiction_id,
            required_text(spec.name, "name"),
            optional_text(spec.short_name),
            spec.kind,
            required_text(spec.category, "category"),
            actor,
            parent_id=None if parent is None else parent.id,
            vertical_superior=optional_text(spec.vertical_superior),
            credit_code=credit_code,
            effective_on=effective_on.isoformat(),
            effective_on_stated=stated,
        )
        if parent is not None:
            parent.trigger_event(parent.SubUnitAttached, sub_unit_id=unit.id)
        return unit

    def check_can_hold(
        self, jurisdiction_id: UUID, jurisdiction_lineage: Sequence[UUID], effective_on: date
    ) -> None:
        """Refuse a sub-unit this unit cannot take: it must be active, the sub-unit must sit in
        its jurisdiction or below, and must not exist before the parent does."""
        self.require_active("parent_id")
        if self.jurisdiction_id not in jurisdiction_lineage:
            raise InvalidRegistration(
                "a sub-unit sits in its parent unit's jurisdiction or below it",
                field="jurisdiction_id",
                parent_jurisdiction_id=str(self.jurisdiction_id),
                jurisdiction_id=str(jurisdiction_id),
            )
        if effective_on < self.registered_on:
            raise LifecycleConflict(
                f"the parent unit exists only from {self.registered_on}", field="effective_on"
            )

    # --- guards ----------------------------------------------------------------------------

    def require_active(self, field: str) -> None:
        if self.status != ACTIVE:
            raise LifecycleConflict(
                f"{self.name} is {self.status}; only an active unit can change",
                field=field,
                unit_id=str(self.id),
                status=self.status,
            )

    def require_in_order(self, effective_on: date) -> None:
        if effective_on < self.last_change_on:
            raise LifecycleConflict(
                f"{self.name} last changed with effect from {self.last_change_on}; "
                "changes are recorded in date order",
                field="effective_on",
                unit_id=str(self.id),
            )

    def require_no_active_sub_units(self, active_sub_unit_ids: Sequence[UUID], field: str) -> None:
        if active_sub_unit_ids:
            raise LifecycleConflict(
                f"{self.name} still has active sub-units; dissolve them first",
                field=field,
                sub_unit_ids=[str(u) for u in active_sub_unit_ids],
            )

    def _require_changeable(self, change: Change) -> None:
        self.require_active("unit_id")
        self.require_in_order(change.effective_on)

    # --- corrections -----------------------------------------------------------------------

    def correct_effective_date(
        self, change: Change, parent: Unit | None, sub_units: Sequence[Unit]
    ) -> None:
        """State or correct the unit's 生效日期 (`change.effective_on`): refused when it would
        put the unit's dated record out of order (see `effective_date`)."""
        check_effective_date(self, change.effective_on, parent, sub_units)
        self.trigger_event(
            self.EffectiveDateCorrected,
            previous_effective_on=self.registered_on.isoformat(),
            previously_stated=self.effective_on_stated,
            **change_fields(change),
        )

    # --- rename, move, dissolve ------------------------------------------------------------

    def rename(self, name: str, short_name: str | None, change: Change) -> None:
        """`short_name=None` keeps the current short name. A name that differs from the
        current one only in spaces or 全角/半角 forms is the same name (`name_key`, as
        registration compares names): not a rename, so it records no dated change and
        leaves no alias; renaming to the same name and short name is a 409."""
        self._require_changeable(change)
        new_name = required_text(name, "name")
        new_short = self.short_name if short_name is None else optional_text(short_name)
        if name_key(new_name) == name_key(self.name):
            new_name = self.name
        if new_short and self.short_name and name_key(new_short) == name_key(self.short_name):
            new_short = self.short_name
        if (new_name, new_short) == (self.name, self.short_name):
            raise LifecycleConflict(
                f"the unit is already called {self.name}: spaces and 全角/半角 forms do not "
                "make another name (名称未变)",
                field="name",
            )
        self.trigger_event(
            self.Renamed,
            old_name=self.name,
            new_name=new_name,
            old_short_name=self.short_name,
            new_short_name=new_short,
            **change_fields(change),
        )

    def move(
        self,
        to_jurisdiction_id: UUID,
        target_lineage: Sequence[UUID],
        parent: Unit | None,
        change: Change,
    ) -> None:
        """`target_lineage`: the target and its ancestors; `parent`: the parent unit, if any."""
        self._require_changeable(change)
        if to_jurisdiction_id == self.jurisdiction_id:
            raise LifecycleConflict(
                "the unit is already in this jurisdiction", field="jurisdiction_id"
            )
        if parent is not None and parent.jurisdiction_id not in target_lineage:
            raise LifecycleConflict(
                "a sub-unit stays in its parent unit's jurisdiction or below it",
                field="jurisdiction_id",
                parent_id=str(parent.id),
            )
        self.trigger_event(
            self.Moved,
            from_jurisdiction_id=self.jurisdiction_id,
            to_jurisdiction_id=to_jurisdiction_id,
            **change_fields(change),
        )

    def dissolve(self, active_sub_unit_ids: Sequence[UUID], change: Change) -> None:
        self._require_changeable(change)
        self.require_no_active_sub_units(active_sub_unit_ids, "unit_id")
        self.trigger_event(self.Dissolved, **change_fields(change))

    # --- merge and split -------------------------------------------------------------------

    @classmethod
    def merge(
        cls,
        sources: Sequence[Unit],
        spec: UnitSpec,
        change: Change,
        parent: Unit | None = None,
        jurisdiction_lineage: Sequence[UUID] = (),
    ) -> Unit:
        """Several active units become one NEW unit, evaluated as one from `effective_on`.
        `parent` is the sources' common parent unit, if they are sub-units."""
        seen: set[UUID] = set()
        for index, source in enumerate(sources):
            field = f"source_unit_ids.{index}"
            if source.id in seen:
                raise LifecycleConflict("a unit cannot be merged with itself", field=field)
            seen.add(source.id)
            source.require_active(field)
            source.require_in_order(change.effective_on)
        if len(seen) < 2:
            raise LifecycleConflict("a merger needs at least two units", field="source_unit_ids")
        if len({source.parent_id for source in sources}) > 1:
            raise LifecycleConflict(
                "only units with the same parent unit (or none) can be merged",
                field="source_unit_ids",
            )
        merged = cls.register(
            spec, change.actor, change.effective_on, parent, jurisdiction_lineage, "kind"
        )
        merged.trigger_event(
            merged.FormedByMerger,
            source_unit_ids=[s.id for s in sources],
            name=merged.name,
            **change_fields(change),
        )
        for source in sources:
            source.trigger_event(source.MergedInto, merged_into=merged.id, **change_fields(change))
        return merged

    def split(
        self,
        specs: Sequence[UnitSpec],
        lineages: Sequence[Sequence[UUID]],
        change: Change,
        active_sub_unit_ids: Sequence[UUID] = (),
        parent: Unit | None = None,
    ) -> list[Unit]:
        """This unit becomes several NEW units (`lineages[i]`: jurisdiction lineage of the
        i-th); sub-units of a parent stay sub-units of that parent."""
        self._require_changeable(change)
        self.require_no_active_sub_units(active_sub_unit_ids, "unit_id")
        if len(specs) < 2:
            raise LifecycleConflict("a split needs at least two new units", field="units")
        names: dict[str, int] = {}
        created: list[Unit] = []
        for index, (spec, lineage) in enumerate(zip(specs, lineages, strict=True)):
            with prefixed_errors(f"units.{index}."):
                name = required_text(spec.name, "name")
                if name in names:
                    raise InvalidRegistration(f"repeats units.{names[name]}.name", field="name")
                names[name] = index
                created.append(
                    Unit.register(spec, change.actor, change.effective_on, parent, lineage, "kind")
                )
        for unit in created:
            unit.trigger_event(unit.FormedBySplit, source_unit_id=self.id, **change_fields(change))
        self.trigger_event(
            self.SplitUp, new_unit_ids=[u.id for u in created], **change_fields(change)
        )
        return created
