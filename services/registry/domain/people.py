"""评议代表 / 行评代表 / 评议人员库: evaluation representatives, their appointments (聘任) by an
appointing body for a cycle, their training, and disqualification (取消评议代表资格).

Rules from seed 000 that live here, on the one person they concern:
- nobody is appointed by both an office (纠风办) and a department in the same cycle, unless one
  of the two appointments is a school or hospital special evaluation (学校、医院专项评议);
- a disqualified representative cannot be appointed again.
The one-third-newly-appointed rule spans a body's whole roster, so it is a report
(`one_third_report`), not an invariant of one person.

The contact is never held in plaintext: the application stores a keyed hash (to find
duplicates) and an encrypted copy (for masked display); this module only carries both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.registry.domain.common import required_text
from services.registry.domain.errors import InvalidRegistration, RegistryError
from shared.errors import ConflictError, NotFoundError, UnavailableError

SectorCode = Literal[
    "service_user",
    "npc_deputy",
    "cppcc_member",
    "industry_representative",
    "civil_servant",
    "community_cadre",
    "enterprise",
    "other",
]
# Ordered: stratified draws take strata in this order, so the order is part of the algorithm.
SECTOR_LABELS: dict[str, str] = {
    "service_user": "服务对象",
    "npc_deputy": "人大代表",
    "cppcc_member": "政协委员",
    "industry_representative": "行评代表",
    "civil_servant": "机关干部",
    "community_cadre": "社区群干",
    "enterprise": "企业代表",
    "other": "其他",
}
SECTOR_BY_LABEL: dict[str, str] = {label: code for code, label in SECTOR_LABELS.items()}

AppointmentPurpose = Literal["general", "school_special", "hospital_special"]
PURPOSE_LABELS: dict[str, str] = {
    "general": "综合评议",
    "school_special": "学校专项评议",
    "hospital_special": "医院专项评议",
}
BodyKind = Literal["office", "department"]
BODY_KIND_LABELS: dict[str, str] = {"office": "纠风办", "department": "参评部门"}

CONTACT_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/representative-contact")
_CYCLE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


class PersonNotFound(RegistryError, NotFoundError):
    code = "person_not_found"


class AppointmentConflict(RegistryError, ConflictError):
    code = "appointment_conflict"


class PersonDisqualified(RegistryError, ConflictError):
    code = "person_disqualified"


class DuplicateContact(RegistryError, ConflictError):
    code = "duplicate_contact"


class ContactKeyMissing(RegistryError, UnavailableError):
    code = "contact_key_missing"


def sector_code(value: str, field: str = "sector") -> str:
    """Accepts the code or the Chinese label (spreadsheets use labels)."""
    cleaned = value.strip()
    if cleaned in SECTOR_LABELS:
        return cleaned
    if cleaned in SECTOR_BY_LABEL:
        return SECTOR_BY_LABEL[cleaned]
    raise InvalidRegistration(
        f"unknown sector {cleaned!r}; one of {', '.join(SECTOR_LABELS.values())}", field=field
    )


@dataclass(frozen=True, order=True)
class Cycle:
    """A one-year ("2026") or two-year ("2026-2027") appointment cycle."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str, field: str = "cycle") -> Cycle:
        match = _CYCLE.match(text.strip())
        if match is None:
            raise InvalidRegistration('a cycle is "2026" or "2026-2027"', field=field)
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if not 2000 <= start <= 2100 or end not in (start, start + 1):
            raise InvalidRegistration(
                "a cycle spans one or two consecutive years from 2000 to 2100", field=field
            )
        return cls(start, end)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def follows(self, other: Cycle) -> bool:
        """True if `other` is a previous cycle: it ended the year before this one starts."""
        return other.end == self.start - 1


@dataclass(frozen=True)
class AppointingBody:
    """The office of a jurisdiction (body_id = jurisdiction id) or a department (unit id)."""

    kind: str
    body_id: UUID

    @classmethod
    def parse(cls, text: str, field: str = "body") -> AppointingBody:
        kind, _, raw_id = text.partition(":")
        if kind not in BODY_KIND_LABELS:
            raise InvalidRegistration(
                'an appointing body is "office:<jurisdiction id>" or "department:<unit id>"',
                field=field,
            )
        try:
            return cls(kind, UUID(raw_id))
        except ValueError:
            raise InvalidRegistration("not a valid id after the body kind", field=field) from None

    def __str__(self) -> str:
        return f"{self.kind}:{self.body_id}"


@dataclass(frozen=True)
class Appointment:
    body: AppointingBody
    cycle: str
    purpose: str

    @property
    def special(self) -> bool:
        return self.purpose != "general"


@dataclass(frozen=True)
class Training:
    held_on: str
    topic: str
    hours: Decimal
    recorded_by: str


class Person(Aggregate):
    """One evaluation representative. Registered once; everything after is a new event."""

    class Registered(Aggregate.Created):
        jurisdiction_id: UUID
        name: str
        sector: str
        contact_hash: str | None
        contact_sealed: str | None
        contact_key_id: str | None
        actor: str

    class TrainingRecorded(Aggregate.Event):
        held_on: str
        topic: str
        hours: Decimal
        actor: str

    class Appointed(Aggregate.Event):
        body_kind: str
        body_id: UUID
        cycle: str
        purpose: str
        actor: str

    class Disqualified(Aggregate.Event):
        reason: str
        actor: str

    @classmethod
    def register(
        cls,
        jurisdiction_id: UUID,
        name: str,
        sector: str,
        actor: str,
        contact: tuple[str, str, str] | None = None,
        field: str = "",
    ) -> Person:
        """`contact` is (keyed hash, sealed copy, key id); `field` prefixes error fields."""
        contact_hash, sealed, key_id = contact if contact else (None, None, None)
        cleaned = required_text(name, f"{field}name")
        if len(cleaned) > 50:
            raise InvalidRegistration("a name has at most 50 characters", field=f"{field}name")
        return cls(
            jurisdiction_id=jurisdiction_id,
            name=cleaned,
            sector=sector_code(sector, f"{field}sector"),
            contact_hash=contact_hash,
            contact_sealed=sealed,
            contact_key_id=key_id,
            actor=actor,
        )

    @event(Registered)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        sector: str,
        contact_hash: str | None,
        contact_sealed: str | None,
        contact_key_id: str | None,
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.sector = sector
        self.contact_hash = contact_hash
        self.contact_sealed = contact_sealed
        self.contact_key_id = contact_key_id
        self.registered_by = actor
        self.appointments: list[Appointment] = []
        self.trainings: list[Training] = []
        self.disqualified = False
        self.disqualified_reason: str | None = None

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS[self.sector]

    # --- training -----------------------------------------------------------------------------

    def record_training(self, held_on: date, topic: str, hours: Decimal, actor: str) -> None:
        if not Decimal(0) < hours <= Decimal(200):
            raise InvalidRegistration("hours must be more than 0 and at most 200", field="hours")
        self._trained(
            held_on=held_on.isoformat(),
            topic=required_text(topic, "topic"),
            hours=hours,
            actor=actor,
        )

    @event(TrainingRecorded)
    def _trained(self, held_on: str, topic: str, hours: Decimal, actor: str) -> None:
        self.trainings.append(Training(held_on, topic, hours, actor))

    # --- appointment (聘任) ------------------------------------------------------------------

    def appoint(self, body: AppointingBody, cycle: str, purpose: str, actor: str) -> None:
        if self.disqualified:
            raise PersonDisqualified(
                "a disqualified representative cannot be appointed again",
                field="person_id",
                disqualified_reason=self.disqualified_reason,
            )
        checked = Appointment(body, str(Cycle.parse(cycle)), _purpose(purpose))
        for held in self.appointments:
            if held.cycle != checked.cycle:
                continue
            if held.body == body and held.purpose == checked.purpose:
                raise AppointmentConflict(
                    "already appointed by this body for this cycle and purpose", field="cycle"
                )
            if held.body.kind != body.kind and not (held.special or checked.special):
                raise AppointmentConflict(
                    "already appointed by "
                    f"{BODY_KIND_LABELS[held.body.kind]} {held.body.body_id} for {held.cycle}; "
                    "an office and a department may share a representative only for a "
                    "school or hospital special evaluation",
                    field="body",
                    conflicting_body=str(held.body),
                )
        self._appointed(
            body_kind=body.kind,
            body_id=body.body_id,
            cycle=checked.cycle,
            purpose=checked.purpose,
            actor=actor,
        )

    @event(Appointed)
    def _appointed(
        self, body_kind: str, body_id: UUID, cycle: str, purpose: str, actor: str
    ) -> None:
        self.appointments.append(Appointment(AppointingBody(body_kind, body_id), cycle, purpose))

    # --- disqualification (取消评议代表资格) ---------------------------------------------

    def disqualify(self, reason: str, actor: str) -> None:
        if self.disqualified:
            raise PersonDisqualified(
                "the representative is already disqualified", field="person_id"
            )
        self._disqualified(reason=required_text(reason, "reason"), actor=actor)

    @event(Disqualified)
    def _disqualified(self, reason: str, actor: str) -> None:
        self.disqualified = True
        self.disqualified_reason = reason


class ContactClaim(Aggregate):
    """Claims one contact hash for one person, registry-wide.

    Its id is derived from the hash, so a second registration of the same contact clashes
    on save even when two requests race; one human is one Person, which is what lets the
    office/department overlap rule see all of a person's appointments.
    """

    class Claimed(Aggregate.Created):
        contact_hash: str
        person_id: UUID
        jurisdiction_id: UUID

    @event(Claimed)
    def __init__(self, contact_hash: str, person_id: UUID, jurisdiction_id: UUID) -> None:
        self.contact_hash = contact_hash
        self.person_id = person_id
        self.jurisdiction_id = jurisdiction_id

    @staticmethod
    def create_id(contact_hash: str, person_id: UUID, jurisdiction_id: UUID) -> UUID:
        return ContactClaim.id_for(contact_hash)

    @staticmethod
    def id_for(contact_hash: str) -> UUID:
        return uuid5(CONTACT_NAMESPACE, contact_hash)


def _purpose(value: str) -> str:
    if value not in PURPOSE_LABELS:
        raise InvalidRegistration(f"purpose is one of {', '.join(PURPOSE_LABELS)}", field="purpose")
    return value


@dataclass(frozen=True)
class RosterEntry:
    """One appointment of a body's roster as the one-third report sees it."""

    person_id: str
    cycle: str
    disqualified: bool


def one_third_report(cycle: str, roster: Iterable[RosterEntry]) -> dict[str, object]:
    """At least one third of a body's representatives in a cycle must be newly appointed:
    not appointed by the same body in a previous cycle (one that ended the year before).

    Disqualified people no longer count as representatives. A report, not a block: the
    office adjusts its roster (seed 000 asks for it by a date), the software shows the gap.
    """
    current = Cycle.parse(cycle)
    entries = list(roster)
    previous = {e.person_id for e in entries if current.follows(Cycle.parse(e.cycle))}
    serving = sorted(
        {e.person_id for e in entries if e.cycle == str(current) and not e.disqualified}
    )
    new = [p for p in serving if p not in previous]
    required = math.ceil(len(serving) / 3)
    return {
        "cycle": str(current),
        "previous_cycles": sorted(
            {e.cycle for e in entries if current.follows(Cycle.parse(e.cycle))}
        ),
        "representatives": len(serving),
        "newly_appointed": len(new),
        "reappointed": len(serving) - len(new),
        "required_new": required,
        "passes": len(new) >= required,
        "new_person_ids": new,
    }


def overlap_summary(
    body: AppointingBody, cycle: str, people: Mapping[str, list[Appointment]]
) -> dict[str, object]:
    """Of `body`'s people in `cycle`, who is also appointed by a body of the other kind.

    Allowed only with a special (school/hospital) appointment on either side; the command
    refuses the rest, so violations here mean data that predates or bypassed that rule.
    """
    exempt: list[str] = []
    violations: list[str] = []
    for person_id, appointments in sorted(people.items()):
        mine = [a for a in appointments if a.body == body and a.cycle == cycle]
        others = [a for a in appointments if a.body.kind != body.kind and a.cycle == cycle]
        if not mine or not others:
            continue
        allowed = all(a.special or o.special for a in mine for o in others)
        (exempt if allowed else violations).append(person_id)
    return {"shared_with_special_exemption": exempt, "violations": violations}
