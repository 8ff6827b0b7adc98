"""Registry read models for representatives: handlers over the registry's own published log.

- "representatives": person id -> the published facts (never a contact), with appointments
  and disqualification folded in;
- "representative_appointments": "<body>|<cycle>|<person id>|<purpose>" -> one appointment,
  so one body's roster across cycles is a prefix scan (the one-third report needs the
  previous cycle as well).
"""

from __future__ import annotations

from typing import Any

from services.registry.domain.people import (
    PURPOSE_LABELS,
    SECTOR_LABELS,
    AppointingBody,
    Appointment,
    RosterEntry,
    one_third_report,
    overlap_summary,
)
from shared.contracts import IntegrationMessage
from shared.contracts.registry_people import (
    RepresentativeAppointed,
    RepresentativeDisqualified,
    RepresentativeRegistered,
)
from shared.messaging.inbox import ViewHandler
from shared.views import ViewReader, ViewTransaction

PEOPLE = "representatives"
APPOINTMENTS = "representative_appointments"
CYCLES_TEXT = "cycles_text"
"""A person's appointment cycles as "|2024-2025|2026-2027|": the list filters on a cycle in
SQL as the substring "|<cycle>|" (a person has several cycles, an index value holds one)."""


def cycle_needle(cycle: str) -> str:
    return f"|{cycle}|"


def _cycles_text(appointments: list[dict[str, Any]]) -> str:
    cycles = dict.fromkeys(a["cycle"] for a in appointments)
    return "|" + "".join(f"{c}|" for c in cycles)


def _registered(tx: ViewTransaction, p: RepresentativeRegistered, m: IntegrationMessage) -> None:
    tx.put(
        PEOPLE,
        str(p.person_id),
        {
            "person_id": str(p.person_id),
            "jurisdiction_id": str(p.jurisdiction_id),
            "name": p.name,
            "sector": p.sector,
            "sector_label": SECTOR_LABELS[p.sector],
            "has_contact": p.has_contact,
            "disqualified": False,
            "disqualified_reason": None,
            "appointments": [],
            CYCLES_TEXT: _cycles_text([]),
        },
    )


def _appointed(tx: ViewTransaction, p: RepresentativeAppointed, m: IntegrationMessage) -> None:
    body = f"{p.body_kind}:{p.body_id}"
    appointment = {
        "body": body,
        "body_kind": p.body_kind,
        "body_id": str(p.body_id),
        "cycle": p.cycle,
        "purpose": p.purpose,
        "purpose_label": PURPOSE_LABELS[p.purpose],
    }
    tx.put(APPOINTMENTS, f"{body}|{p.cycle}|{p.person_id}|{p.purpose}", appointment)
    doc = tx.get(PEOPLE, str(p.person_id))
    if doc is not None:
        doc["appointments"] = [*doc["appointments"], appointment]
        doc[CYCLES_TEXT] = _cycles_text(doc["appointments"])
        tx.put(PEOPLE, str(p.person_id), doc)


def _disqualified(
    tx: ViewTransaction, p: RepresentativeDisqualified, m: IntegrationMessage
) -> None:
    doc = tx.get(PEOPLE, str(p.person_id))
    if doc is not None:
        tx.put(
            PEOPLE, str(p.person_id), doc | {"disqualified": True, "disqualified_reason": p.reason}
        )


HANDLERS: dict[Any, ViewHandler] = {
    RepresentativeRegistered: _registered,
    RepresentativeAppointed: _appointed,
    RepresentativeDisqualified: _disqualified,
}


class RepresentativesView:
    def __init__(self, views: ViewReader) -> None:
        self._views = views

    def qualified_in(self, jurisdiction_id: str) -> list[dict[str, Any]]:
        """The jurisdiction's own pool (not the pools below it) without the disqualified,
        read through the jurisdiction and disqualified indexes as one state (`everything`):
        a pool longer than a page (the 评议人员库 export) is otherwise read in pages that see
        registrations between them, one sorted before the cursor missing while a later one
        is listed. In no order a reader may rely on."""
        where = {"jurisdiction_id": jurisdiction_id, "disqualified": "false"}
        return self._views.everything(PEOPLE, where=where)

    def person(self, person_id: str) -> dict[str, Any] | None:
        return self._views.get(PEOPLE, person_id)

    def rules_report(self, body: AppointingBody, cycle: str) -> dict[str, Any]:
        """The one-third-new report and the office/department overlap summary."""
        keys = [key for key, _ in self._views.scan(APPOINTMENTS, f"{body}|")]
        person_ids = sorted({key.split("|")[2] for key in keys})
        # One read for everyone on the roster, not one per person.
        docs: dict[str, dict[str, Any] | None] = dict.fromkeys(person_ids)
        docs.update(self._views.get_many(PEOPLE, person_ids))
        roster = [
            RosterEntry(
                person_id=key.split("|")[2],
                cycle=key.split("|")[1],
                disqualified=bool((docs.get(key.split("|")[2]) or {}).get("disqualified")),
            )
            for key in keys
        ]
        in_cycle = {e.person_id for e in roster if e.cycle == cycle}
        appointments = {
            person_id: [_appointment(a) for a in (docs[person_id] or {}).get("appointments", [])]
            for person_id in in_cycle
        }
        return {
            "body": str(body),
            "cycle": cycle,
            "one_third_new": one_third_report(cycle, roster),
            "overlap": overlap_summary(body, cycle, appointments),
            "disqualified": sorted(p for p in in_cycle if (docs[p] or {}).get("disqualified")),
        }


def _appointment(doc: dict[str, Any]) -> Appointment:
    return Appointment(AppointingBody.parse(doc["body"]), doc["cycle"], doc["purpose"])
