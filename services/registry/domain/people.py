"""评议代表 / 行评代表 / 评议人员库: evaluation representatives, their appointments (聘任) by an
appointing body for a cycle, their training, and disqualification (取消评议代表资格).

Rules from seed 000 that live here, on the one person they concern:
- nobody is appointed by both an office (纠风办) and a department in the same cycle, unless one
  of the two appointments is a school or hospital special evaluation (学校、医院专项评议);
- a disqualified representative cannot be appointed again.
The one-third-newly-appointed rule spans a body's whole roster, so it is a report
(`one_third_report`, in appointment_rules), not an invariant of one person.

The contact is never held in plaintext: the application stores a keyed hash (to find
duplicates) and an encrypted copy (for masked display); this module only carries both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.registry.domain.appointment_rules import (
    RosterEntry,
    one_third_report,
    overlap_summary,
)
from services.registry.domain.common import required_text
from services.registry.domain.errors import InvalidRegistration
from services.registry.domain.person_refusals import (
    AppointmentConflict,
    ContactKeyMissing,
    DuplicateContact,
    PersonDisqualified,
    PersonNotFound,
    appointment_conflict,
)
from services.registry.domain.person_values import (
    BODY_KIND_LABELS,
    PURPOSE_LABELS,
    SECTOR_BY_LABEL,
    SECTOR_LABELS,
    AppointingBody,
    Appointment,
    AppointmentPurpose,
    BodyKind,
    Cycle,
    SectorCode,
    Training,
    purpose_code,
    sector_code,
)

# Re-exported: the registry and its tests take these from here.
__all__ = [
    "BODY_KIND_LABELS",
    "CONTACT_NAMESPACE",
    "PURPOSE_LABELS",
    "SECTOR_BY_LABEL",
    "SECTOR_LABELS",
    "AppointingBody",
    "Appointment",
    "AppointmentConflict",
    "AppointmentPurpose",
    "BodyKind",
    "ContactClaim",
    "ContactHolder",
    "ContactKeyMissing",
    "Cycle",
    "DuplicateContact",
    "Person",
    "PersonDisqualified",
    "PersonNotFound",
    "RosterEntry",
    "SectorCode",
    "Training",
    "one_third_report",
    "overlap_summary",
    "sector_code",
]

CONTACT_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/representative-contact")


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
            raise InvalidRegistration(
                "姓名至多 50 个字符 (a name has at most 50 characters)", field=f"{field}name"
            )
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

    def record_training(
        self, held_on: date, topic: str, hours: Decimal, actor: str, *, today: date
    ) -> None:
        """`today`: the day in China, as the registry dates every fact (no clock tolerance:
        a day has none to allow for). A training is recorded once it has been held."""
        if held_on > today:
            raise InvalidRegistration(
                f"{held_on} 晚于今天, 培训举办后再登记 "
                f"({held_on} is in the future; record a training once it has been held)",
                field="held_on",
            )
        if not Decimal(0) < hours <= Decimal(200):
            raise InvalidRegistration(
                "学时须大于 0 且不超过 200 (hours must be more than 0 and at most 200)",
                field="hours",
            )
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
                "已取消资格的代表不能再次聘任 "
                "(a disqualified representative cannot be appointed again)",
                field="person_id",
                disqualified_reason=self.disqualified_reason,
            )
        checked = Appointment(body, str(Cycle.parse(cycle)), purpose_code(purpose))
        conflict = appointment_conflict(self.appointments, checked)
        if conflict is not None:
            raise conflict
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
                "该代表已被取消资格 (the representative is already disqualified)",
                field="person_id",
            )
        self._disqualified(reason=required_text(reason, "reason"), actor=actor)

    @event(Disqualified)
    def _disqualified(self, reason: str, actor: str) -> None:
        self.disqualified = True
        self.disqualified_reason = reason


class ContactHolder(NamedTuple):
    person_id: UUID
    jurisdiction_id: UUID


class ContactClaim(Aggregate):
    """Which representatives hold one contact hash.

    One human is one Person within what an office sees: registering a contact that a
    representative the caller may see already has is refused (409, naming that person),
    which is what lets the office/department overlap rule see all of a person's
    appointments. A representative the caller may not see (another county's) is never
    told apart from none at all, by that refusal or any other answer: the caller's
    registration goes through, and the person is recorded here as a further holder.

    Its id is derived from the hash, so two registrations of one contact racing each other
    touch the same aggregate and the second clashes on save (and is run again, seeing the
    first).
    """

    class Claimed(Aggregate.Created):
        contact_hash: str
        person_id: UUID
        jurisdiction_id: UUID

    class AlsoHeld(Aggregate.Event):
        """Another representative, registered where the earlier holders are out of sight,
        has the same contact."""

        person_id: UUID
        jurisdiction_id: UUID

    @event(Claimed)
    def __init__(self, contact_hash: str, person_id: UUID, jurisdiction_id: UUID) -> None:
        self.contact_hash = contact_hash
        self.person_id = person_id
        self.jurisdiction_id = jurisdiction_id
        self.holders: list[ContactHolder] = [ContactHolder(person_id, jurisdiction_id)]

    def add_holder(self, person_id: UUID, jurisdiction_id: UUID) -> None:
        self._also_held(person_id=person_id, jurisdiction_id=jurisdiction_id)

    @event(AlsoHeld)
    def _also_held(self, person_id: UUID, jurisdiction_id: UUID) -> None:
        self.holders.append(ContactHolder(person_id, jurisdiction_id))

    @staticmethod
    def create_id(contact_hash: str, person_id: UUID, jurisdiction_id: UUID) -> UUID:
        return ContactClaim.id_for(contact_hash)

    @staticmethod
    def id_for(contact_hash: str) -> UUID:
        return uuid5(CONTACT_NAMESPACE, contact_hash)
