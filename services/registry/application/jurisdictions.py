from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application.base import RegistryBase
from services.registry.domain import InvalidRegistration, Jurisdiction, JurisdictionNotFound
from shared.auth import Principal as Caller
from shared.idempotency import Response, run_idempotent

# Levels that may sit directly below each level; a province has no parent.
CHILD_LEVELS: dict[str, set[str]] = {
    "province": {"city"},
    "city": {"county", "district", "zone"},
    "county": {"zone"},
    "district": {"zone"},
    "zone": set(),
}


class JurisdictionCommands(RegistryBase):
    def jurisdiction(self, jurisdiction_id: UUID, field: str = "jurisdiction_id") -> Jurisdiction:
        return self.load(jurisdiction_id, Jurisdiction, JurisdictionNotFound, field)

    def register_jurisdiction(
        self, caller: Caller, name: str, level: str, parent_id: UUID | None, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            if parent_id is None:
                if level not in ("province", "city"):
                    raise InvalidRegistration(
                        "only a province or a city may stand without a parent", field="parent_id"
                    )
            else:
                parent = self.jurisdiction(parent_id, "parent_id")
                if level not in CHILD_LEVELS.get(parent.level, set()):
                    raise InvalidRegistration(
                        f"a {level} cannot sit below a {parent.level}", field="level"
                    )
            jurisdiction = Jurisdiction(name, level, parent_id, caller.actor)
            return [jurisdiction], jurisdiction_out(jurisdiction)

        request = {"name": name, "level": level, "parent_id": parent_id}
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="jurisdiction",
            key=key,
            request=request,
            command=command,
        )


def jurisdiction_out(j: Jurisdiction) -> Response:
    return {
        "jurisdiction_id": str(j.id),
        "name": j.name,
        "level": j.level,
        "parent_id": str(j.parent_id) if j.parent_id else None,
    }
