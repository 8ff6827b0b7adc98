"""What every unit command needs: loading units, their active sub-units, dates, and the
response shape of a unit."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.registry.application.jurisdictions import JurisdictionCommands
from services.registry.application.unit_names import ListedUnits, UnitNames
from services.registry.domain import InvalidRegistration, Unit, UnitNotFound
from services.registry.domain.units import Change, china_today
from shared.idempotency import Response
from shared.principals import Principal as Caller


def effective_date(value: date | str | None, field: str = "effective_on") -> date:
    """The day a change holds from: today in China unless given. A future day is refused:
    the registry records what has taken effect, so "now" never has to be re-evaluated later."""
    today = china_today()
    if value is None:
        return today
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise InvalidRegistration(
                "须为日期, 如 2024-05-01 (not a date (YYYY-MM-DD))", field=field
            ) from None
    if value > today:
        raise InvalidRegistration(
            f"{value} 晚于今天, 请在变更生效当天或之后登记 "
            f"({value} is in the future; record the change on or after the day it takes effect)",
            field=field,
        )
    return value


class UnitAccess(JurisdictionCommands):
    def unit(self, unit_id: UUID, field: str = "unit_id") -> Unit:
        return self.load(unit_id, Unit, UnitNotFound, field)

    def parent_of(self, unit: Unit) -> Unit | None:
        return None if unit.parent_id is None else self.unit(unit.parent_id, "parent_id")

    def active_sub_units(self, unit: Unit) -> list[Unit]:
        subs = (self.unit(sub_id, "sub_unit_id") for sub_id in unit.sub_unit_ids)
        return [sub for sub in subs if sub.is_active]

    def active_sub_unit_ids(self, unit: Unit) -> list[UUID]:
        return [sub.id for sub in self.active_sub_units(unit)]

    def unit_names(self, listed: ListedUnits | None) -> UnitNames:
        return UnitNames(self.repository, listed)

    @staticmethod
    def change(caller: Caller, effective_on: date | None, reason: str) -> Change:
        return Change(effective_date(effective_on), reason, caller.actor)


def unit_out(u: Unit) -> Response:
    return {
        "unit_id": str(u.id),
        "jurisdiction_id": str(u.jurisdiction_id),
        "name": u.name,
        "short_name": u.short_name,
        "kind": u.kind,
        "category": u.category,
        "parent_id": str(u.parent_id) if u.parent_id else None,
        "vertical_superior": u.vertical_superior,
        "credit_code": u.credit_code,
        "status": u.status,
        "aliases": list(u.aliases),
        "merged_into": str(u.merged_into) if u.merged_into else None,
        "split_into": [str(i) for i in u.split_into],
        "predecessor_ids": [str(i) for i in u.predecessor_ids],
        "registered_on": u.registered_on.isoformat(),
        "last_change_on": u.last_change_on.isoformat(),
    }
