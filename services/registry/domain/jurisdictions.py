from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.errors import InvalidRegistration

# Levels that may sit directly below each level. A development zone (开发区, "zone") sits
# below a city (e.g. 武汉经济技术开发区) or below a county or district that hosts it.
CHILD_LEVELS: dict[str, frozenset[str]] = {
    "province": frozenset({"city"}),
    "city": frozenset({"county", "district", "zone"}),
    "county": frozenset({"zone"}),
    "district": frozenset({"zone"}),
    "zone": frozenset(),
}
# Only these stand at the top of a tree: a province, or a city registered on its own.
ROOT_LEVELS = frozenset({"province", "city"})


def check_placement(level: str, parent_level: str | None) -> None:
    """Refuse a jurisdiction that would break the province → city → county/district/zone tree."""
    if parent_level is None:
        if level not in ROOT_LEVELS:
            raise InvalidRegistration(
                "only a province or a city may stand without a parent", field="parent_id"
            )
        return
    if level not in CHILD_LEVELS.get(parent_level, frozenset()):
        raise InvalidRegistration(f"a {level} cannot sit below a {parent_level}", field="level")


class Jurisdiction(Aggregate):
    """A node of the province → city → county/district/zone tree."""

    class Registered(Aggregate.Created):
        name: str
        level: str
        parent_id: UUID | None
        actor: str

    @classmethod
    def register(
        cls, name: str, level: str, parent: Jurisdiction | None, actor: str
    ) -> Jurisdiction:
        """A new node below `parent` (None: a root), placed by the tree's rules."""
        check_placement(level, None if parent is None else parent.level)
        parent_id = None if parent is None else parent.id
        return cls(required_text(name, "name"), level, parent_id, actor)

    @event(Registered)
    def __init__(self, name: str, level: str, parent_id: UUID | None, actor: str) -> None:
        self.name = name
        self.level = level
        self.parent_id = parent_id
        self.registered_by = actor
