"""What a representative's commands refuse with, and the one rule an appointment is checked
against on the person it concerns (the office/department overlap of seed 000). Defined apart
from the `Person` aggregate and re-exported by `services.registry.domain.people`."""

from __future__ import annotations

from collections.abc import Iterable

from services.registry.domain.errors import RegistryError
from services.registry.domain.person_values import BODY_KIND_LABELS, Appointment
from shared.errors import ConflictError, NotFoundError, UnavailableError


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


def appointment_conflict(
    appointments: Iterable[Appointment], checked: Appointment
) -> AppointmentConflict | None:
    """Why a person who holds `appointments` cannot take `checked` (an appointment already
    normalised), or None: the same body for the same cycle and purpose again, or an office
    and a department in one cycle outside a school or hospital special evaluation."""
    body = checked.body
    for held in appointments:
        if held.cycle != checked.cycle:
            continue
        if held.body == body and held.purpose == checked.purpose:
            return AppointmentConflict(
                "本届期已由该机关为同一用途聘任 "
                "(already appointed by this body for this cycle and purpose)",
                field="cycle",
            )
        if held.body.kind != body.kind and not (held.special or checked.special):
            return AppointmentConflict(
                f"{held.cycle} 届已由{BODY_KIND_LABELS[held.body.kind]} "
                f"{held.body.body_id} 聘任; 纠风办和参评部门只有在学校或医院专项评议中"
                "才可共用代表 (already appointed by "
                f"{held.body.kind} {held.body.body_id} for {held.cycle}; "
                "an office and a department may share a representative only for a "
                "school or hospital special evaluation)",
                field="body",
                conflicting_body=str(held.body),
            )
    return None
