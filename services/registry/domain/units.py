"""Units under evaluation (参评单位) and their sub-units."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text


class Unit(Aggregate):
    class Registered(Aggregate.Created):
        """v1 (before sub-unit work) had no short name; v2 adds it."""

        class_version = 2
        jurisdiction_id: UUID
        name: str
        short_name: str | None
        kind: str
        category: str
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["short_name"] = None

    @event(Registered)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        short_name: str | None,
        kind: str,
        category: str,
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = required_text(name, "name")
        self.short_name = short_name.strip() if short_name and short_name.strip() else None
        self.kind = kind
        self.category = required_text(category, "category")
        self.registered_by = actor
        # Filled in by later registration details and lifecycle events.
        self.parent_id: UUID | None = None
        self.vertical_superior: str | None = None
        self.credit_code: str | None = None
        self.status = "active"
        self.aliases: list[str] = []

    @property
    def is_active(self) -> bool:
        return self.status == "active"
