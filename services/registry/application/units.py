"""Registering units (参评单位), sub-units included; the lifecycle commands are mixed in from
unit_lifecycle, the loading helpers from unit_access."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application.unit_access import effective_date, unit_out
from services.registry.application.unit_lifecycle import UnitLifecycleCommands
from services.registry.application.unit_names import ListedUnits, UnitNames
from services.registry.domain import Unit
from services.registry.domain.units import UnitSpec, prefixed_errors
from shared.idempotency import Response
from shared.principals import Principal as Caller

__all__ = ["UnitCommands", "unit_out"]


class UnitCommands(UnitLifecycleCommands):
    def register_units(
        self,
        caller: Caller,
        units: list[dict[str, Any]],
        key: str | None,
        listed: ListedUnits | None = None,
    ) -> Response:
        """Register one or many units atomically: all of them, or none. Each spec: the UnitIn
        fields (jurisdiction_id, name, kind, category; optional short_name, parent_id,
        vertical_superior, credit_code, effective_on). Errors name `units.<i>.<field>`; a
        name an active unit of the jurisdiction bears, or another item's, is a 409
        `duplicate_unit_name` (`listed`: see `unit_names`)."""

        def command() -> tuple[list[Any], Response]:
            created: list[Unit] = []
            parents: dict[UUID, Unit] = {}
            # One lineage per jurisdiction per run: an import's thousands of rows name one.
            lineages: dict[UUID, list[UUID]] = {}
            names = self.unit_names(listed)
            for index, spec in enumerate(units):
                with prefixed_errors(f"units.{index}."):
                    created.append(
                        self._register_one(caller, spec, parents, lineages, names, index)
                    )
            # A parent gains a SubUnitAttached event, saved with its sub-units or not at all.
            saved = [*created, *parents.values(), *names.aggregates()]
            return saved, {"units": [unit_out(u) for u in created]}

        return self.idempotent(caller, "units", key, units, command)

    def _register_one(
        self,
        caller: Caller,
        spec: dict[str, Any],
        parents: dict[UUID, Unit],
        lineages: dict[UUID, list[UUID]],
        names: UnitNames,
        index: int,
    ) -> Unit:
        jurisdiction_id = _uuid(spec["jurisdiction_id"])
        if jurisdiction_id not in lineages:
            lineages[jurisdiction_id] = self.jurisdiction_lineage(jurisdiction_id)
        lineage = lineages[jurisdiction_id]
        parent: Unit | None = None
        if spec.get("parent_id"):
            parent_id = _uuid(spec["parent_id"])
            # One aggregate per parent in a batch, so its new events stay in sequence.
            parent = parents.get(parent_id) or self.unit(parent_id, "parent_id")
            parents[parent_id] = parent
        unit = Unit.register(
            UnitSpec(
                jurisdiction_id=jurisdiction_id,
                name=spec["name"],
                kind=spec["kind"],
                category=spec["category"],
                short_name=spec.get("short_name"),
                vertical_superior=spec.get("vertical_superior"),
                credit_code=spec.get("credit_code"),
            ),
            caller.actor,
            effective_date(spec.get("effective_on")),
            parent,
            lineage,
            stated=spec.get("effective_on") is not None,
        )
        names.claim(unit, "name", label=f"units.{index}")
        return unit


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
