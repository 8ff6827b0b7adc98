from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text


class Jurisdiction(Aggregate):
    """A node of the province → city → county/district/zone tree."""

    class Registered(Aggregate.Created):
        name: str
        level: str
        parent_id: UUID | None
        actor: str

    @event(Registered)
    def __init__(self, name: str, level: str, parent_id: UUID | None, actor: str) -> None:
        self.name = required_text(name, "name")
        self.level = level
        self.parent_id = parent_id
        self.registered_by = actor
