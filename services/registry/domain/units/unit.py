"""The unit aggregate (参评单位): registered, possibly under a parent unit, then renamed,
moved, dissolved, merged or split, each change dated and in date order.

The aggregate validates through `registration` (what a new unit and its parent need),
`lifecycle` (what a dated change needs) and `effective_date` (correcting the day it
began), then records. Its events stay nested here, so their stored topics stay
`services.registry.domain.units.unit:Unit.<Event>`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.errors import LifecycleConflict
from services.registry.domain.unit_values import Change, UnitSpec, change_fields, prefixed_errors
from services.registry.domain.units import events, lifecycle
from services.registry.domain.units.effective_date import check_effective_date
from services.registry.domain.units.registration import check_parent, normalized
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
        unit's jurisdiction and its ancestors, to check it sits within the parent's). A kind
        that needs a parent it lacks, or that the parent cannot hold, is refused naming
        `kind_field` (see `registration.check_parent`). `stated=False`: the office gave no
        生效日期 and `effective_on` is the day it is entered, which says nothing about when
        the body began."""
        check_parent(spec, effective_on, parent, jurisdiction_lineage, kind_field)
        values = normalized(spec)
        unit = cls(
            values.jurisdiction_id,
            values.name,
            values.short_name,
            values.kind,
            values.category,
            actor,
            parent_id=None if parent is None else parent.id,
            vertical_superior=values.vertical_superior,
            credit_code=values.credit_code,
            effective_on=effective_on.isoformat(),
            effective_on_stated=stated,
        )
        if parent is not None:
            parent.trigger_event(parent.SubUnitAttached, sub_unit_id=unit.id)
        return unit

    def require_no_active_sub_units(self, active_sub_unit_ids: Sequence[UUID], field: str) -> None:
        lifecycle.require_no_active_sub_units(self, active_sub_unit_ids, field)

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
        """`short_name=None` keeps the current short name; a name the same but for spaces or
        全角/半角 forms is no new name (see `lifecycle.new_names`)."""
        lifecycle.require_changeable(self, change)
        new_name, new_short = lifecycle.new_names(self, name, short_name)
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
        lifecycle.require_changeable(self, change)
        lifecycle.check_move(self, to_jurisdiction_id, target_lineage, parent)
        self.trigger_event(
            self.Moved,
            from_jurisdiction_id=self.jurisdiction_id,
            to_jurisdiction_id=to_jurisdiction_id,
            **change_fields(change),
        )

    def dissolve(self, active_sub_unit_ids: Sequence[UUID], change: Change) -> None:
        lifecycle.require_changeable(self, change)
        lifecycle.require_no_active_sub_units(self, active_sub_unit_ids, "unit_id")
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
        lifecycle.check_merger_sources(sources, change)
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
        lifecycle.require_changeable(self, change)
        lifecycle.require_no_active_sub_units(self, active_sub_unit_ids, "unit_id")
        if len(specs) < 2:
            raise LifecycleConflict(
                "拆分至少需要两个新单位 (a split needs at least two new units)", field="units"
            )
        # Two parts called alike are the name rule's to refuse (the application's claims:
        # 409 `duplicate_unit_name` with `same_as`, as a batch answers), which compares names
        # as registration does, per jurisdiction.
        created: list[Unit] = []
        for index, (spec, lineage) in enumerate(zip(specs, lineages, strict=True)):
            with prefixed_errors(f"units.{index}."):
                required_text(spec.name, "name")
                created.append(
                    Unit.register(spec, change.actor, change.effective_on, parent, lineage, "kind")
                )
        for unit in created:
            unit.trigger_event(unit.FormedBySplit, source_unit_id=self.id, **change_fields(change))
        self.trigger_event(
            self.SplitUp, new_unit_ids=[u.id for u in created], **change_fields(change)
        )
        return created
