"""What a unit records. After registration each fact applies itself to the unit's state by
assignment only, so every stored fact loads whatever today's rules say.

These are bases: `Unit` nests a subclass of each, which eventsourcing makes the aggregate's
own event (`Unit.Registered`, `Unit.Renamed`, …), stored under the aggregate's topics as
when the facts were declared inside it. Never trigger these bases directly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from shared.contracts.registry import (
    DISSOLVED,
    MERGED,
    SPLIT,
    aliases_after,
    china_date,
    last_change_after_correction,
)


class Registered(Aggregate.Created):
    """v1 had no short name; v2 added it; v3 adds the parent unit, the vertical superior,
    the credit code and the day the unit exists from (None: the day it was recorded);
    v4 holds the values as `register` normalised them (before v4 the mutator stripped
    the texts and turned a blank short name into None when the event was applied);
    v5 says whether the 生效日期 was stated (`effective_on_stated`): v4 stored the
    recording day for a unit registered without one, indistinguishable from a stated day."""

    class_version = 5
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
    effective_on_stated: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        state["short_name"] = None

    @staticmethod
    def upcast_v2_v3(state: dict[str, object]) -> None:
        state.update(parent_id=None, vertical_superior=None, credit_code=None, effective_on=None)

    @staticmethod
    def upcast_v3_v4(state: dict[str, object]) -> None:
        # Exactly what the v3 mutator did on applying; never a check that could refuse.
        for key in ("name", "category"):
            text = state[key]
            state[key] = text.strip() if isinstance(text, str) else text
        short = state["short_name"]
        state["short_name"] = (short.strip() or None) if isinstance(short, str) else short

    @staticmethod
    def upcast_v4_v5(state: dict[str, object]) -> None:
        # v4 cannot say; a day other than the recording day was stated, the recording day is
        # read as unstated (what enrolment assumed of it before v5). A merger or split that
        # formed the unit makes its day stated again (FormedByMerger, FormedBySplit).
        day, recorded = state["effective_on"], state["timestamp"]
        state["effective_on_stated"] = (
            isinstance(day, str)
            and isinstance(recorded, datetime)
            and day != china_date(recorded).isoformat()
        )


class SubUnitAttached(Aggregate.Event):
    sub_unit_id: UUID

    def apply(self, aggregate: Any) -> None:
        aggregate.sub_unit_ids.append(self.sub_unit_id)


class Changed(Aggregate.Event):
    """Base of every lifecycle event: effective date, reason and actor."""

    effective_on: str
    reason: str
    actor: str


def _dated(aggregate: Any, effective_on: str) -> None:
    """A dated change of the unit: the first one bounds a correction of its 生效日期."""
    aggregate.last_change_on = date.fromisoformat(effective_on)
    if aggregate.first_change_on is None:
        aggregate.first_change_on = aggregate.last_change_on


class Renamed(Changed):
    old_name: str
    new_name: str
    old_short_name: str | None
    new_short_name: str | None

    def apply(self, aggregate: Any) -> None:
        aggregate.name, aggregate.short_name = self.new_name, self.new_short_name
        aggregate.aliases = aliases_after(
            aggregate.aliases,
            (self.old_name, self.old_short_name),
            aggregate.name,
            self.new_short_name,
        )
        _dated(aggregate, self.effective_on)


class Moved(Changed):
    from_jurisdiction_id: UUID
    to_jurisdiction_id: UUID

    def apply(self, aggregate: Any) -> None:
        aggregate.jurisdiction_id = self.to_jurisdiction_id
        _dated(aggregate, self.effective_on)


class Dissolved(Changed):
    def apply(self, aggregate: Any) -> None:
        aggregate.status = DISSOLVED
        _dated(aggregate, self.effective_on)


class MergedInto(Changed):
    merged_into: UUID

    def apply(self, aggregate: Any) -> None:
        aggregate.status = MERGED
        aggregate.merged_into = self.merged_into
        _dated(aggregate, self.effective_on)


class FormedByMerger(Changed):
    source_unit_ids: list[UUID]
    name: str

    def apply(self, aggregate: Any) -> None:
        aggregate.predecessor_ids = list(self.source_unit_ids)
        aggregate.effective_on_stated = True  # the merger's day is when the unit began


class SplitUp(Changed):
    new_unit_ids: list[UUID]

    def apply(self, aggregate: Any) -> None:
        aggregate.status = SPLIT
        aggregate.split_into = list(self.new_unit_ids)
        _dated(aggregate, self.effective_on)


class FormedBySplit(Changed):
    source_unit_id: UUID

    def apply(self, aggregate: Any) -> None:
        aggregate.predecessor_ids = [self.source_unit_id]
        aggregate.effective_on_stated = True  # the split's day is when the unit began


class EffectiveDateCorrected(Aggregate.Event):
    """The office states (or corrects) the day the unit began. A correction of the record, not
    a change of the unit: it moves the unit's start, and its last change only when the unit
    has had none since registration."""

    effective_on: str
    previous_effective_on: str
    previously_stated: bool
    reason: str
    actor: str

    def apply(self, aggregate: Any) -> None:
        aggregate.registered_on = date.fromisoformat(self.effective_on)
        aggregate.effective_on_stated = True
        aggregate.last_change_on = last_change_after_correction(
            aggregate.last_change_on, aggregate.first_change_on, aggregate.registered_on
        )
