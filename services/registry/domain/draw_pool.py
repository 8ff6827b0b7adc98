"""The pool of a draw and the draw from it, as pure functions over recorded facts: who
could be drawn as of a log position (`PoolLedger`), the pool digest, and the keyed, optionally
stratified selection. The `Draw` aggregate (services.registry.domain.draws, whose docstring
specifies the algorithm) records their results; `pingyi verify-draw` re-runs them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from services.registry.domain.errors import RegistryError
from services.registry.domain.jurisdictions import Jurisdiction
from services.registry.domain.people import Person
from services.registry.domain.person_values import SECTOR_LABELS, sector_code
from shared.canonical import digest
from shared.errors import InvalidError

POOL_RULE = 2
"""The pool rule new draws are committed with: 2, one pool member per contact (`PoolLedger`);
1, every eligible registration (draws committed before rule 2)."""


class InvalidDraw(RegistryError, InvalidError):
    code = "invalid_draw"


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def draw_key(seed: str, person_id: str) -> str:
    return hashlib.sha256(f"{seed}:{person_id}".encode()).hexdigest()


def pool_digest(pool: Iterable[str]) -> str:
    return digest(sorted(pool))


def run_draw(
    seed: str, sectors: Mapping[str, str], size: int, quotas: Mapping[str, int]
) -> list[str]:
    """The chosen ids in order; `sectors` maps each eligible person id to its sector."""

    def smallest(ids: Iterable[str], count: int) -> list[str]:
        return sorted(ids, key=lambda p: (draw_key(seed, p), p))[:count]

    if not quotas:
        if size > len(sectors):
            raise InvalidDraw(
                f"名单只有 {len(sectors)} 人 (the pool has only {len(sectors)} people)",
                field="size",
            )
        return smallest(sectors, size)
    chosen: list[str] = []
    for sector in SECTOR_LABELS:
        count = quotas.get(sector, 0)
        if not count:
            continue
        stratum = [p for p, s in sectors.items() if s == sector]
        if count > len(stratum):
            raise InvalidDraw(
                f"名单中{SECTOR_LABELS[sector]}只有 {len(stratum)} 人 "
                f"(the pool has only {len(stratum)} {sector})",
                field=f"quotas.{sector}",
            )
        chosen.extend(smallest(stratum, count))
    return chosen


def checked_quotas(quotas: Mapping[str, int] | None, size: int) -> dict[str, int]:
    if size < 1:
        raise InvalidDraw("至少抽取一人 (a draw takes at least one person)", field="size")
    if not quotas:
        return {}
    checked: dict[str, int] = {}
    for raw, count in quotas.items():
        code = sector_code(raw, f"quotas.{raw}")
        if code in checked:
            raise InvalidDraw("同一界别重复 (the sector is named twice)", field=f"quotas.{raw}")
        if count < 1:
            raise InvalidDraw("名额至少为 1 (a quota is at least 1)", field=f"quotas.{raw}")
        checked[code] = count
    if sum(checked.values()) != size:
        raise InvalidDraw(
            f"各界别名额合计 {sum(checked.values())}, 与抽取人数 {size} 不符 "
            f"(the quotas add up to {sum(checked.values())}, not the size {size})",
            field="quotas",
        )
    return checked


@dataclass
class PoolLedger:
    """Who could be drawn, as of any position of the registry's event log.

    Fed with (position, domain event) in log order; the application uses it to freeze a
    pool, and `pingyi verify-draw` uses the same to re-derive that pool independently.
    """

    parents: dict[str, str | None] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)
    """person id -> (jurisdiction id, sector)"""
    appointments: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    """person id -> [(position, cycle, purpose)]"""
    disqualified_at: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, tuple[str, int]] = field(default_factory=dict)
    """person id -> (contact hash, position registered), for those registered with one"""

    def observe(self, position: int, domain_event: object) -> None:
        if isinstance(domain_event, Jurisdiction.Registered):
            parent = domain_event.parent_id
            self.parents[str(domain_event.originator_id)] = str(parent) if parent else None
        elif isinstance(domain_event, Person.Registered):
            person_id = str(domain_event.originator_id)
            self.people[person_id] = (str(domain_event.jurisdiction_id), domain_event.sector)
            if domain_event.contact_hash:
                self.contacts[person_id] = (domain_event.contact_hash, position)
        elif isinstance(domain_event, Person.Appointed):
            self.appointments.setdefault(str(domain_event.originator_id), []).append(
                (position, domain_event.cycle, domain_event.purpose)
            )
        elif isinstance(domain_event, Person.Disqualified):
            self.disqualified_at.setdefault(str(domain_event.originator_id), position)

    def _within(self, jurisdiction_id: str, root: str) -> bool:
        current: str | None = jurisdiction_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            if current == root:
                return True
            seen.add(current)
            current = self.parents.get(current)
        return False

    def eligible(
        self, jurisdiction_id: UUID, cycle: str, purpose: str, as_of: int, rule: int = POOL_RULE
    ) -> dict[str, str]:
        """Person id -> sector of everyone who could be drawn at log position `as_of`: under
        `rule` 2, one registration per contact (`once_per_contact`)."""
        root = str(jurisdiction_id)
        found: dict[str, str] = {}
        for person_id, (home, sector) in self.people.items():
            gone = self.disqualified_at.get(person_id)
            if gone is not None and gone <= as_of:
                continue
            if not any(
                pos <= as_of and c == cycle and p == purpose
                for pos, c, p in self.appointments.get(person_id, [])
            ):
                continue
            if self._within(home, root):
                found[person_id] = sector
        return self.once_per_contact(found) if rule >= 2 else found

    def once_per_contact(self, found: dict[str, str]) -> dict[str, str]:
        """`found` less the later registrations of a contact registered more than once: one
        human, one seat (the earliest registration stays; ties, impossible in one log, by
        id)."""
        first: dict[str, tuple[int, str]] = {}
        for person_id in found:
            if person_id in self.contacts:
                contact, position = self.contacts[person_id]
                first[contact] = min(
                    first.get(contact, (position, person_id)), (position, person_id)
                )
        kept = {person_id for _, person_id in first.values()}
        return {p: s for p, s in found.items() if p not in self.contacts or p in kept}

    def disqualified_between(self, people: Iterable[str], after: int, upto: int) -> list[str]:
        return sorted(
            p
            for p in people
            if p in self.disqualified_at and after < self.disqualified_at[p] <= upto
        )
