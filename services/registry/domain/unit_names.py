"""One active unit per name in a jurisdiction (同一辖区单位名称不重复).

Two units of one jurisdiction called the same would make every later reference by name
ambiguous (an import's 上级单位, a spreadsheet's 单位名称), so registration, renaming, moving,
merging and splitting refuse a name an active unit of the target jurisdiction already bears.
Units that are dissolved, merged or split no longer hold their name: a successor may take it.

Names compare as the import compares them (`name_key`): 全角/半角 forms alike (NFKC) and
whitespace anywhere ignored, so "临颍县民政局" and " 临颍县 民政局 " are one name.

A `UnitNameClaim` records which unit holds a (jurisdiction, name). Its id derives from both,
so two requests racing to register one name both try to create the same aggregate and the
second clashes on save, as `ContactClaim` does for representatives' contacts.

One active unit per 统一社会信用代码 in a jurisdiction, too: two units of one jurisdiction with
one code are one body registered twice (and an import naming the code could not tell them
apart). Another jurisdiction may register the same code (a vertically managed body's local
office, a city bureau's 基层站所 evaluated in a county: each evaluated where it serves), so
the rule, and every refusal, stays within the jurisdiction the caller writes to. A code is
held by a `UnitNameClaim` under `code_key(code)`: a name key never contains a space and a
code key does, so a name and a code never share a claim.
"""

from __future__ import annotations

import re
import unicodedata
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.registry.domain.errors import RegistryError
from shared.errors import ConflictError

UNIT_NAME_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/unit-name")
_SPACE = re.compile(r"\s+")


def name_key(text: str) -> str:
    """全角/半角 and stray spaces do not make two names different."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


_CODE_KEY = "统一社会信用代码 "


def code_key(code: str) -> str:
    """The claim key of a (canonical) credit code; never a name's `name_key`."""
    return _CODE_KEY + code


def code_of_key(key: str) -> str | None:
    """The credit code a claim key stands for, or None for a name's key."""
    return key[len(_CODE_KEY) :] if key.startswith(_CODE_KEY) else None


class DuplicateUnitName(RegistryError, ConflictError):
    code = "duplicate_unit_name"


class DuplicateCreditCode(RegistryError, ConflictError):
    code = "duplicate_credit_code"


class UnitNameClaim(Aggregate):
    """Which unit, if any, holds one name in one jurisdiction. Whether another unit may take
    it is the application's to decide (it needs the holder's state); this only records."""

    class Claimed(Aggregate.Created):
        jurisdiction_id: UUID
        name_key: str
        unit_id: UUID

    class Released(Aggregate.Event):
        unit_id: UUID

    class Taken(Aggregate.Event):
        unit_id: UUID

    @event(Claimed)
    def __init__(self, jurisdiction_id: UUID, name_key: str, unit_id: UUID) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name_key = name_key
        self.holder: UUID | None = unit_id
        # The unit that held it last, kept after it is released: a unit ended a moment ago
        # (dissolved, merged, split) is still found by the name it gave up.
        self.last_holder: UUID = unit_id

    @staticmethod
    def create_id(jurisdiction_id: UUID, name_key: str, unit_id: UUID) -> UUID:
        return UnitNameClaim.id_for(jurisdiction_id, name_key)

    @staticmethod
    def id_for(jurisdiction_id: UUID, key: str) -> UUID:
        return uuid5(UNIT_NAME_NAMESPACE, f"{jurisdiction_id}/{key}")

    def take(self, unit_id: UUID) -> None:
        if self.holder != unit_id:
            self._taken(unit_id=unit_id)

    def release(self, unit_id: UUID) -> None:
        """Only the holder gives a name up: a unit that never held it has nothing to release."""
        if self.holder == unit_id:
            self._released(unit_id=unit_id)

    @event(Taken)
    def _taken(self, unit_id: UUID) -> None:
        self.holder = unit_id
        self.last_holder = unit_id

    @event(Released)
    def _released(self, unit_id: UUID) -> None:
        self.holder = None
