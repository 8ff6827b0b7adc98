"""Units under evaluation (参评单位), their sub-units, and their lifecycle.

Every change is a new event with its actor, its reason and the date it takes effect
(`effective_on`, an ISO date string: the event store has no date transcoding). A unit's
changes must be dated in the order they are recorded, so its event order is also the order
of its effective dates, and "the unit as of a date" is its state after the last change dated
on or before that day.

What the domain cannot see (the jurisdiction tree, which sub-units are still active) the
application hands in as plain values.

Sub-units: a sub-unit sits in its parent's jurisdiction or below it, and stays there when
moved. A unit with active sub-units cannot be dissolved, merged or split (409 naming the
field): its sub-units must be dissolved first, so no sub-unit is ever left hanging from a
unit that no longer exists. Moving a unit carries along the sub-units that sit in its own
jurisdiction (the application records a move for each).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.credit_code import normalize_credit_code
from services.registry.domain.errors import InvalidRegistration, LifecycleConflict
from services.registry.domain.unit_values import (
    UNIT_STATUSES,
    Change,
    UnitSpec,
    change_fields,
    china_today,
    optional_text,
    prefixed_errors,
)
from shared.contracts.registry import (
    ACTIVE,
    DISSOLVED,
    MERGED,
    SPLIT,
    aliases_after,
    registered_on,
)

# Re-exported: other parts of the registry take these from here.
__all__ = ["UNIT_STATUSES", "Change", "Unit", "UnitSpec", "china_today", "prefixed_errors"]


class Unit(Aggregate):
    class Registered(Aggregate.Created):
        """v1 had no short name; v2 added it; v3 adds the parent unit, the vertical superior,
        the credit code and the day the unit exists from (None: the day it was recorded);
        v4 holds the values as `register` normalised them (before v4 the mutator stripped
        the texts and turned a blank short name into None when the event was applied)."""

        class_version = 4
        jurisdiction_id: UUID
        name: str
        short_name: str | None
        kind: str
        category: str
        actor: str
        parent_id: UUID | None
        vertical_superior: str | None
        credit_code: str | None
        effective_on: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["short_name"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, object]) -> None:
            state.update(
                parent_id=None, vertical_superior=None, credit_code=None, effective_on=None
            )

        @staticmethod
        def upcast_v3_v4(state: dict[str, object]) -> None:
            # Exactly what the v3 mutator did on applying; never a check that could refuse.
            for key in ("name", "category"):
                text = state[key]
                state[key] = text.strip() if isinstance(text, str) else text
            short = state["short_name"]
            state["short_name"] = (short.strip() or None) if isinstance(short, str) else short

    class SubUnitAttached(Aggregate.Event):
        sub_unit_id: UUID

    class Changed(Aggregate.Event):
        """Base of every lifecycle event: effective date, reason and actor."""

        effective_on: str
        reason: str
        actor: str

    class Renamed(Changed):
        old_name: str
        new_name: str
        old_short_name: str | None
        new_short_name: str | None

    class Moved(Changed):
        from_jurisdiction_id: UUID
        to_jurisdiction_id: UUID

    class Dissolved(Changed):
        pass

    class MergedInto(Changed):
        merged_into: UUID

    class FormedByMerger(Changed):
        source_unit_ids: list[UUID]
        name: str

    class SplitUp(Changed):
        new_unit_ids: list[UUID]

    class FormedBySplit(Changed):
        source_unit_id: UUID

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
        self.last_change_on = self.registered_on
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
    ) -> Unit:
        """A new unit; a sub-unit when `parent` is given (`jurisdiction_lineage` is the new
        unit's jurisdiction and its ancestors, to check it sits within the parent's)."""
        code = optional_text(spec.credit_code)
        if parent is not None:
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
        )
        if parent is not None:
            parent._sub_unit_attached(sub_unit_id=unit.id)
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

    @event(SubUnitAttached)
    def _sub_unit_attached(self, sub_unit_id: UUID) -> None:
        self.sub_unit_ids.append(sub_unit_id)

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

    # --- rename, move, dissolve ------------------------------------------------------------

    def rename(self, name: str, short_name: str | None, change: Change) -> None:
        """`short_name=None` keeps the current short name."""
        self._require_changeable(change)
        new_name = required_text(name, "name")
        new_short = self.short_name if short_name is None else optional_text(short_name)
        if (new_name, new_short) == (self.name, self.short_name):
            raise LifecycleConflict("the unit already has this name", field="name")
        self._renamed(
            old_name=self.name,
            new_name=new_name,
            old_short_name=self.short_name,
            new_short_name=new_short,
            **change_fields(change),
        )

    @event(Renamed)
    def _renamed(
        self,
        old_name: str,
        new_name: str,
        old_short_name: str | None,
        new_short_name: str | None,
        effective_on: str,
        reason: str,
        actor: str,
    ) -> None:
        self.name, self.short_name = new_name, new_short_name
        self.aliases = aliases_after(
            self.aliases, (old_name, old_short_name), self.name, new_short_name
        )
        self.last_change_on = date.fromisoformat(effective_on)

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
        self._moved(
            from_jurisdiction_id=self.jurisdiction_id,
            to_jurisdiction_id=to_jurisdiction_id,
            **change_fields(change),
        )

    @event(Moved)
    def _moved(
        self,
        from_jurisdiction_id: UUID,
        to_jurisdiction_id: UUID,
        effective_on: str,
        reason: str,
        actor: str,
    ) -> None:
        self.jurisdiction_id = to_jurisdiction_id
        self.last_change_on = date.fromisoformat(effective_on)

    def dissolve(self, active_sub_unit_ids: Sequence[UUID], change: Change) -> None:
        self._require_changeable(change)
        self.require_no_active_sub_units(active_sub_unit_ids, "unit_id")
        self._dissolved(**change_fields(change))

    @event(Dissolved)
    def _dissolved(self, effective_on: str, reason: str, actor: str) -> None:
        self.status = DISSOLVED
        self.last_change_on = date.fromisoformat(effective_on)

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
        merged = cls.register(spec, change.actor, change.effective_on, parent, jurisdiction_lineage)
        merged._formed_by_merger(
            source_unit_ids=[s.id for s in sources], name=merged.name, **change_fields(change)
        )
        for source in sources:
            source._merged_into(merged_into=merged.id, **change_fields(change))
        return merged

    @event(FormedByMerger)
    def _formed_by_merger(
        self, source_unit_ids: list[UUID], name: str, effective_on: str, reason: str, actor: str
    ) -> None:
        self.predecessor_ids = list(source_unit_ids)

    @event(MergedInto)
    def _merged_into(self, merged_into: UUID, effective_on: str, reason: str, actor: str) -> None:
        self.status = MERGED
        self.merged_into = merged_into
        self.last_change_on = date.fromisoformat(effective_on)

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
                    Unit.register(spec, change.actor, change.effective_on, parent, lineage)
                )
        for unit in created:
            unit._formed_by_split(source_unit_id=self.id, **change_fields(change))
        self._split_up(new_unit_ids=[u.id for u in created], **change_fields(change))
        return created

    @event(FormedBySplit)
    def _formed_by_split(
        self, source_unit_id: UUID, effective_on: str, reason: str, actor: str
    ) -> None:
        self.predecessor_ids = [source_unit_id]

    @event(SplitUp)
    def _split_up(
        self, new_unit_ids: list[UUID], effective_on: str, reason: str, actor: str
    ) -> None:
        self.status = SPLIT
        self.split_into = list(new_unit_ids)
        self.last_change_on = date.fromisoformat(effective_on)
