"""Registry commands for evaluation representatives (评议代表): register, train, appoint,
disqualify. `register_people` and `appoint` are called by the importer; keep their signatures.

Contacts are hashed and sealed before anything is stored; how, and where the key comes from,
is in services.registry.application.contacts, and how a registration checks and claims them
in services.registry.application.contact_claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.registry.application.base import as_uuid
from services.registry.application.contact_claims import ContactCommands
from services.registry.application.contacts import (
    CONTACT_KEY_ENV,
    CONTACT_KEY_FILE,
    ContactVault,
    contact_secret,
    mask_contact,
    normalise_contact,
)
from services.registry.domain import InvalidRegistration, JurisdictionNotFound, LifecycleConflict
from services.registry.domain.common import STATUS_LABELS, no_such
from services.registry.domain.people import (
    PURPOSE_LABELS,
    AppointingBody,
    ContactClaim,
    Person,
    PersonNotFound,
)
from services.registry.domain.units import china_today
from shared.idempotency import Response
from shared.principals import Principal as Caller

# Re-exported: the importer takes the contact helpers from here.
__all__ = [
    "CONTACT_KEY_ENV",
    "CONTACT_KEY_FILE",
    "PERSON_FIELDS",
    "ContactVault",
    "PeopleCommands",
    "as_uuid",
    "contact_secret",
    "mask_contact",
    "normalise_contact",
    "person_out",
]

PERSON_FIELDS = frozenset({"jurisdiction_id", "name", "sector", "contact"})


class PeopleCommands(ContactCommands):
    def person(self, person_id: UUID, field: str = "person_id") -> Person:
        return self.load(person_id, Person, PersonNotFound, field)

    def register_people(
        self,
        caller: Caller,
        people: list[dict[str, Any]],
        key: str | None,
        *,
        prefix: str | None = "people",
    ) -> Response:
        """Register representatives atomically, all or none. Each dict: name, sector (code or
        Chinese label), jurisdiction_id, contact (optional). Error fields read
        "people.<index>.<field>"; with prefix=None (one person) just "<field>"."""
        sealed = [self._sealed_contact(spec, _prefix(prefix, i)) for i, spec in enumerate(people)]

        def command() -> tuple[list[Any], Response]:
            created: list[Any] = []
            persons: list[Person] = []
            first_row: dict[str, int] = {}
            for index, (spec, contact) in enumerate(zip(people, sealed, strict=True)):
                field = _prefix(prefix, index)
                unknown = sorted(set(spec) - PERSON_FIELDS)
                if unknown:
                    raise InvalidRegistration(
                        "代表没有这个字段 (not a representative field)", field=field + unknown[0]
                    )
                jurisdiction_id = as_uuid(spec.get("jurisdiction_id"), f"{field}jurisdiction_id")
                try:
                    self.jurisdiction(jurisdiction_id)
                except JurisdictionNotFound:
                    raise JurisdictionNotFound(
                        no_such("jurisdiction"), field=f"{field}jurisdiction_id"
                    ) from None
                claim = None
                if contact is not None:
                    claim = self._unclaimed_in_sight(
                        caller, contact[0], first_row, index, f"{field}contact"
                    )
                person = Person.register(
                    jurisdiction_id,
                    str(spec.get("name") or ""),
                    str(spec.get("sector") or ""),
                    caller.actor,
                    contact,
                    field,
                )
                persons.append(person)
                created.append(person)
                if contact is not None and claim is None:
                    created.append(ContactClaim(contact[0], person.id, jurisdiction_id))
                elif claim is not None:
                    claim.add_holder(person.id, jurisdiction_id)
                    created.append(claim)
            return created, {"people": [person_out(p) for p in persons]}

        # The plaintext contact must not reach the stored idempotency record, even digested.
        request = [
            {k: v for k, v in spec.items() if k != "contact"} | {"contact": c and c[0]}
            for spec, c in zip(people, sealed, strict=True)
        ]
        return self.idempotent(caller, "people", key, request, command)

    def record_training(
        self,
        caller: Caller,
        person_id: UUID,
        held_on: date,
        topic: str,
        hours: Decimal,
        key: str | None = None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            person = self.person(person_id)
            person.record_training(held_on, topic, hours, caller.actor, today=china_today())
            return [person], person_out(person)

        request = {"person_id": person_id, "held_on": held_on, "topic": topic, "hours": hours}
        return self.idempotent(caller, "person.training", key, request, command)

    def appoint(
        self,
        caller: Caller,
        person_id: UUID,
        body: dict[str, Any] | str,
        cycle: str,
        purpose: str,
        key: str | None = None,
    ) -> Response:
        """body: {"kind": "office", "jurisdiction_id": …} (that jurisdiction's 纠风办) or
        {"kind": "department", "unit_id": …}, or the same as "office:<id>" / "department:<id>";
        cycle "2026" or "2026-2027"; purpose general, school_special or hospital_special."""

        def command() -> tuple[list[Any], Response]:
            person = self.person(person_id)
            person.appoint(self.appointing_body(body), cycle, purpose, caller.actor)
            return [person], person_out(person)

        request = {"person_id": person_id, "body": body, "cycle": cycle, "purpose": purpose}
        return self.idempotent(caller, "person.appointment", key, request, command)

    def appointing_body(self, body: Mapping[str, Any] | str, field: str = "body") -> AppointingBody:
        if isinstance(body, str):
            parsed = AppointingBody.parse(body, field)
            id_field = "jurisdiction_id" if parsed.kind == "office" else "unit_id"
            body = {"kind": parsed.kind, id_field: parsed.body_id}
        kind = body.get("kind")
        if kind == "office":
            jurisdiction_id = as_uuid(body.get("jurisdiction_id"), f"{field}.jurisdiction_id")
            self.jurisdiction(jurisdiction_id, f"{field}.jurisdiction_id")
            return AppointingBody("office", jurisdiction_id)
        if kind == "department":
            unit_id = as_uuid(body.get("unit_id"), f"{field}.unit_id")
            unit = self.unit(unit_id, f"{field}.unit_id")
            if not unit.is_active:
                raise LifecycleConflict(
                    f"该单位{STATUS_LABELS.get(unit.status, unit.status)}, 不能聘任代表 "
                    f"(the unit is {unit.status}; it appoints no one)",
                    field=f"{field}.unit_id",
                )
            return AppointingBody("department", unit_id)
        raise InvalidRegistration(
            'kind 须为 "office" (纠风办) 或 "department" (参评部门) '
            '(kind is "office" or "department")',
            field=f"{field}.kind",
        )

    def disqualify(
        self, caller: Caller, person_id: UUID, reason: str, key: str | None = None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            person = self.person(person_id)
            person.disqualify(reason, caller.actor)
            return [person], person_out(person)

        request = {"person_id": person_id, "reason": reason}
        return self.idempotent(caller, "person.disqualification", key, request, command)


def _prefix(prefix: str | None, index: int) -> str:
    return f"{prefix}.{index}." if prefix else ""


def contacts_visible_to(caller: Caller) -> bool:
    """Masked contacts are shown to the offices that manage the pool (and admins); auditors
    see that a contact exists, not what it is."""
    return caller.role in ("office", "admin")


def person_out(p: Person) -> Response:
    """Never the contact: responses are kept in idempotency records."""
    return {
        "person_id": str(p.id),
        "jurisdiction_id": str(p.jurisdiction_id),
        "name": p.name,
        "sector": p.sector,
        "sector_label": p.sector_label,
        "has_contact": p.contact_hash is not None,
        "disqualified": p.disqualified,
        "disqualified_reason": p.disqualified_reason,
        "appointments": [
            {
                "body": str(a.body),
                "body_kind": a.body.kind,
                "body_id": str(a.body.body_id),
                "cycle": a.cycle,
                "purpose": a.purpose,
                "purpose_label": PURPOSE_LABELS[a.purpose],
            }
            for a in p.appointments
        ],
        "trainings": [
            {"held_on": t.held_on, "topic": t.topic, "hours": str(t.hours)} for t in p.trainings
        ],
    }
