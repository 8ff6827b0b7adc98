"""The unit-name rule across one command: a unit may take a name (or a 统一社会信用代码) in a
jurisdiction only if no other active unit there bears it (`services.registry.domain.unit_names`).

Who bears a name is read from two places. A `UnitNameClaim` names the unit that took it
since claims exist; it is saved with the unit's own events, so it is current the moment the
command commits and it is what makes two racing requests clash. Units registered before
claims existed hold none, so the command also asks the read model (`ListedUnits`) and
checks each unit it lists against the unit's own events, since the read model may lag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from services.registry.domain import Unit
from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import (
    DuplicateCreditCode,
    DuplicateUnitName,
    UnitNameClaim,
    code_key,
    code_of_key,
    name_key,
)

ListedUnits = Callable[[UUID, str], Iterable[UUID]]
"""Ids of the units a read model lists as active in the jurisdiction and called the name, or,
given a `code_key`, holding that credit code."""

Place = tuple[UUID, str]


def nothing_listed(jurisdiction_id: UUID, name: str) -> list[UUID]:
    """For callers without a read model (tests of the application alone): claims only."""
    return []


def _place(unit: Unit) -> Place | None:
    """Where a unit holds its name; an inactive unit holds none."""
    return (unit.jurisdiction_id, name_key(unit.name)) if unit.is_active else None


def _code_place(unit: Unit) -> Place | None:
    """Where a unit holds its credit code; an inactive unit, or one without a code, none."""
    code = getattr(unit, "credit_code", None)
    if not unit.is_active or not code:
        return None
    return (unit.jurisdiction_id, code_key(canonical_credit_code(code)))


def _code_field(field: str) -> str:
    """How an error about the code names it where the name's would be `field`."""
    return field.removesuffix("name") + "credit_code" if field.endswith("name") else field


_HELD = (_place, _code_place)


class UnitNames:
    """The claims one command reads and changes, for names and credit codes alike. Units the
    command creates or changes are judged as they stand in memory, so a batch's second row
    called as its first is refused although neither is saved yet."""

    def __init__(self, repository: Repository[UUID], listed: ListedUnits | None) -> None:
        self._repository = repository
        self._listed = listed or nothing_listed
        self._claims: dict[UUID, UnitNameClaim | None] = {}
        self._units: dict[UUID, Unit] = {}
        self._labels: dict[UUID, str] = {}

    def claim(self, unit: Unit, field: str, label: str | None = None) -> None:
        """A new unit takes its name and code; `label` is how an error names it ("units.0")."""
        self._units[unit.id] = unit
        if label is not None:
            self._labels[unit.id] = label
        for place in (_place(unit), _code_place(unit)):
            if place is not None:
                self._take(unit, place, field)

    @contextmanager
    def changing(self, *units: Unit, field: str = "name") -> Iterator[None]:
        """Around a change of name, jurisdiction or status: afterwards each unit gives up the
        name (and code) it held, and takes the one it now has, if either differs."""
        before = {(unit.id, held): held(unit) for unit in units for held in _HELD}
        self._units.update({unit.id: unit for unit in units})
        yield
        after = {(unit.id, held): held(unit) for unit in units for held in _HELD}
        changed = [
            (unit, held)
            for unit in units
            for held in _HELD
            if before[unit.id, held] != after[unit.id, held]
        ]
        for unit, held in changed:
            place = before[unit.id, held]
            if place is not None:
                self._release(unit.id, place)
        for unit, held in changed:
            place = after[unit.id, held]
            if place is not None:
                self._take(unit, place, field)

    def aggregates(self) -> list[Any]:
        """The claims to save with the command's units."""
        return [c for c in self._claims.values() if c is not None and c.pending_events]

    def _take(self, unit: Unit, place: Place, field: str) -> None:
        holder = self._holder(place, unit)
        if holder is not None:
            raise self._duplicate(unit, holder, place, field)
        claim = self._claim_of(place)
        if claim is None:
            self._claims[UnitNameClaim.id_for(*place)] = UnitNameClaim(*place, unit.id)
        else:
            claim.take(unit.id)

    def _release(self, unit_id: UUID, place: Place) -> None:
        claim = self._claim_of(place)
        if claim is not None:
            claim.release(unit_id)

    def _holder(self, place: Place, unit: Unit) -> Unit | None:
        return self.holder(place, unit.name, other_than=unit.id)

    def holder(
        self, place: Place, name: str | None = None, other_than: UUID | None = None
    ) -> Unit | None:
        """The active unit that bears the name (or code) `place` stands for, as a command
        taking it would find it (an import's dry run asks so). `name`: the name as written,
        for the read model's lookup; a code's place needs none."""
        claim = self._claim_of(place)
        candidates = [] if claim is None or claim.holder is None else [claim.holder]
        coded = code_of_key(place[1]) is not None
        candidates += self._listed(place[0], place[1] if coded or name is None else name)
        held = _code_place if coded else _place
        for candidate in candidates:
            other = None if candidate == other_than else self._unit(candidate)
            # A claim or a listing may be older than the unit's last change: its own state
            # decides whether it still bears the name (or code) here.
            if other is not None and held(other) == place:
                return other
        return None

    def _duplicate(
        self, unit: Unit, holder: Unit, place: Place, field: str
    ) -> DuplicateUnitName | DuplicateCreditCode:
        code = code_of_key(place[1])
        label = self._labels.get(holder.id)
        if code is not None:
            # The holder sits in the jurisdiction the caller is writing to: in its scope.
            field = _code_field(field)
            if label is not None:
                return DuplicateCreditCode(
                    f"与{label}代码相同 ({label} of this request has the same unified social "
                    "credit code)",
                    field=field,
                    same_as=label,
                    credit_code=code,
                )
            return DuplicateCreditCode(
                f"该辖区已登记该信用代码, 在册单位 {holder.name} 已使用 (an active unit of this "
                f"jurisdiction, {holder.name}, already has this unified social credit code)",
                field=field,
                unit_id=str(holder.id),
                name=holder.name,
                credit_code=code,
            )
        if label is not None:
            return DuplicateUnitName(
                f"与{label}重名 ({label} of this request has the same name)",
                field=field,
                same_as=label,
                name=unit.name,
            )
        return DuplicateUnitName(
            f"该辖区已登记同名单位 {holder.name} "
            f"(an active unit of this jurisdiction is already called {holder.name})",
            field=field,
            unit_id=str(holder.id),
            name=holder.name,
        )

    def _claim_of(self, place: Place) -> UnitNameClaim | None:
        claim_id = UnitNameClaim.id_for(*place)
        if claim_id not in self._claims:
            self._claims[claim_id] = self._load(claim_id, UnitNameClaim)
        return self._claims[claim_id]

    def _unit(self, unit_id: UUID) -> Unit | None:
        return self._units.get(unit_id) or self._load(unit_id, Unit)

    def _load(self, aggregate_id: UUID, kind: type[Any]) -> Any:
        try:
            found: Any = self._repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None
