"""The jurisdiction tree (province → city → county / district / zone), and the rule that a
parent's children have different names (`JurisdictionNameClaim`)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import LEVEL_LABELS, an, required_text
from services.registry.domain.errors import InvalidRegistration, RegistryError
from services.registry.domain.unit_names import name_key
from shared.errors import ConflictError

JURISDICTION_NAME_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/jurisdiction-name")

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
                f"{LEVEL_LABELS.get(level, level)}须填写上级辖区 parent_id, 只有省或市可以没有上级 "
                "(only a province or a city may stand without a parent)",
                field="parent_id",
            )
        return
    if level not in CHILD_LEVELS.get(parent_level, frozenset()):
        below, above = LEVEL_LABELS.get(level, level), LEVEL_LABELS.get(parent_level, parent_level)
        raise InvalidRegistration(
            f"{above}之下不能设{below} ({an(level)} cannot sit below {an(parent_level)})",
            field="level",
        )


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


class DuplicateJurisdictionName(RegistryError, ConflictError):
    code = "duplicate_jurisdiction_name"


class JurisdictionNameClaim(Aggregate):
    """Which child of a parent bears one name (同一上级辖区下辖区名称不重复).

    Two children of one parent called the same (two 临颍县 under 漯河市) would make every
    choice by name ambiguous (a county picked from a list, a key bound "to 临颍县"). Names
    compare as unit names do (`name_key`: 全角/半角 alike, spaces ignored), so "临颍 县" is
    临颍县. Jurisdictions are never renamed, moved or dissolved, so a claim, once made, holds.

    Its id derives from the parent and the name, so two requests racing to register one
    name both create the same aggregate and the second clashes on save. Top-level
    jurisdictions (no parent; an admin's to register) are not compared."""

    class Claimed(Aggregate.Created):
        parent_id: UUID
        name_key: str
        jurisdiction_id: UUID

    @event(Claimed)
    def __init__(self, parent_id: UUID, name_key: str, jurisdiction_id: UUID) -> None:
        self.parent_id = parent_id
        self.name_key = name_key
        self.jurisdiction_id = jurisdiction_id

    @staticmethod
    def create_id(parent_id: UUID, name_key: str, jurisdiction_id: UUID) -> UUID:
        return JurisdictionNameClaim.id_for(parent_id, name_key)

    @staticmethod
    def id_for(parent_id: UUID, key: str) -> UUID:
        return uuid5(JURISDICTION_NAME_NAMESPACE, f"{parent_id}/{key}")

    @classmethod
    def claim(cls, jurisdiction: Jurisdiction) -> JurisdictionNameClaim | None:
        """The claim a new jurisdiction makes on its name among its parent's children."""
        if jurisdiction.parent_id is None:
            return None
        return cls(jurisdiction.parent_id, name_key(jurisdiction.name), jurisdiction.id)


def duplicate_name(holder_id: UUID, holder_name: str) -> DuplicateJurisdictionName:
    return DuplicateJurisdictionName(
        f"同一上级辖区下已有同名辖区 {holder_name} "
        f"(this parent jurisdiction already has {holder_name})",
        field="name",
        jurisdiction_id=str(holder_id),
        name=holder_name,
    )
