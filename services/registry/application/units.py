from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application.jurisdictions import JurisdictionCommands
from services.registry.domain import JurisdictionNotFound, Unit, UnitNotFound
from shared.auth import Principal as Caller
from shared.idempotency import Response, run_idempotent


class UnitCommands(JurisdictionCommands):
    def unit(self, unit_id: UUID, field: str = "unit_id") -> Unit:
        return self.load(unit_id, Unit, UnitNotFound, field)

    def register_units(
        self, caller: Caller, units: list[dict[str, Any]], key: str | None
    ) -> Response:
        """Register one or many units atomically: all of them, or none."""

        def command() -> tuple[list[Any], Response]:
            created: list[Unit] = []
            for index, spec in enumerate(units):
                try:
                    self.jurisdiction(spec["jurisdiction_id"])
                except JurisdictionNotFound:
                    raise JurisdictionNotFound(
                        "no such jurisdiction", field=f"units.{index}.jurisdiction_id"
                    ) from None
                created.append(Unit(actor=caller.actor, **spec))
            return created, {"units": [unit_out(u) for u in created]}

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="units",
            key=key,
            request=units,
            command=command,
        )


def unit_out(u: Unit) -> Response:
    return {
        "unit_id": str(u.id),
        "jurisdiction_id": str(u.jurisdiction_id),
        "name": u.name,
        "short_name": u.short_name,
        "kind": u.kind,
        "category": u.category,
    }
