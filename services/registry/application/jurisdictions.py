from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application.base import RegistryBase
from services.registry.domain import Jurisdiction, JurisdictionNotFound
from services.registry.domain.jurisdictions import CHILD_LEVELS
from shared.auth import Principal as Caller
from shared.idempotency import Response, run_idempotent

__all__ = ["CHILD_LEVELS", "JurisdictionCommands", "jurisdiction_out"]


class JurisdictionCommands(RegistryBase):
    def jurisdiction(self, jurisdiction_id: UUID, field: str = "jurisdiction_id") -> Jurisdiction:
        return self.load(jurisdiction_id, Jurisdiction, JurisdictionNotFound, field)

    def jurisdiction_lineage(
        self, jurisdiction_id: UUID, field: str = "jurisdiction_id"
    ) -> list[UUID]:
        """The jurisdiction and its ancestors, nearest first, from the event store itself (not
        a view), so rules checked against it never see a lagging copy."""
        chain: list[UUID] = []
        current: UUID | None = jurisdiction_id
        while current is not None and current not in chain:
            found = self.jurisdiction(current, field)
            chain.append(found.id)
            current = found.parent_id
        return chain

    def register_jurisdiction(
        self, caller: Caller, name: str, level: str, parent_id: UUID | None, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            parent = None if parent_id is None else self.jurisdiction(parent_id, "parent_id")
            jurisdiction = Jurisdiction.register(name, level, parent, caller.actor)
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
