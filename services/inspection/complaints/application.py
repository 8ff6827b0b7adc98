"""Complaint commands. The complainant's name and contact are sealed before anything is
stored (shared.contact_vault, key PINGYI_INSPECTION_CONTACT_KEY); offices see them masked,
units and published messages never. Deadlines are counted in working days on the calendar
named by PINGYI_INSPECTION_CALENDAR."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.complaints.domain import (
    AppearanceNotFound,
    Complaint,
    ComplaintNotFound,
    HotlineAppearance,
    InvalidComplaint,
)
from services.inspection.domain import InspectionError
from services.inspection.settings import DEADLINES_ENV, ComplaintDeadlines
from services.inspection.workdays import WorkingDays, china_today
from shared.auth import Principal as Caller
from shared.contact_vault import ContactVault, canonical_contact, mask_contact
from shared.errors import UnavailableError
from shared.idempotency import Response, run_idempotent
from shared.secrets import service_secret

CONTACT_KEY_ENV = "PINGYI_INSPECTION_CONTACT_KEY"
CONTACT_KEY_FILE = "inspection-contact-key"
NAME_MAX = 50

T = TypeVar("T")


class ContactKeyMissing(InspectionError, UnavailableError):
    code = "contact_key_missing"


class Commands(WorkingDays):
    """Complaints and hotline appearances (a mixin of the inspection application)."""

    @cached_property
    def complaint_deadlines(self) -> dict[str, int]:
        """Working days by kind as this deployment set them (settings, handed over in the
        application's environment); the issue's defaults when run without settings."""
        configured = self.env.get(DEADLINES_ENV)
        deadlines = (
            ComplaintDeadlines.model_validate_json(configured)
            if configured
            else ComplaintDeadlines()
        )
        return deadlines.by_kind()

    @cached_property
    def complaint_vault(self) -> ContactVault | None:
        secret = service_secret(self.env, CONTACT_KEY_ENV, CONTACT_KEY_FILE)
        return ContactVault(secret) if secret else None

    def _load_complaint(
        self, item_id: UUID, kind: type[T], missing: type[InspectionError], field: str
    ) -> T:
        try:
            found: Any = self.repository.get(item_id)
        except AggregateNotFoundError:
            raise missing("not found", field=field) from None
        if not isinstance(found, kind):
            raise missing("not found", field=field)
        return found

    def complaint(self, complaint_id: UUID, field: str = "complaint_id") -> Complaint:
        return self._load_complaint(complaint_id, Complaint, ComplaintNotFound, field)

    def hotline_appearance(self, appearance_id: UUID, field: str = "appearance_id") -> Any:
        return self._load_complaint(appearance_id, HotlineAppearance, AppearanceNotFound, field)

    def _seal_complainant(
        self, name: str | None, contact: str | None
    ) -> tuple[str, str, str, str] | None:
        if name is None and contact is None:
            return None
        if name is None or not name.strip():
            raise InvalidComplaint("a named complaint needs the complainant's name", field="name")
        if contact is None:
            raise InvalidComplaint("a named complaint needs a contact", field="contact")
        cleaned_name = name.strip()
        if len(cleaned_name) > NAME_MAX:
            raise InvalidComplaint(f"must be at most {NAME_MAX} characters", field="name")
        normal = canonical_contact(contact)
        if not 3 <= len(normal) <= 100:
            raise InvalidComplaint("a contact has 3 to 100 characters", field="contact")
        vault = self.complaint_vault
        if vault is None:
            raise ContactKeyMissing(
                f"complainants cannot be recorded: set {CONTACT_KEY_ENV}", field="complainant"
            )
        return vault.seal(cleaned_name), vault.seal(normal), vault.fingerprint(normal), vault.key_id

    def receive_complaint(
        self,
        caller: Caller,
        *,
        jurisdiction_id: UUID,
        unit_id: UUID | None,
        campaign_id: UUID | None,
        round: int | None,
        channel: str,
        kind: str,
        summary: str,
        received_on: date,
        deadline_days: int | None,
        complainant: dict[str, str] | None,
        key: str | None,
    ) -> Response:
        sealed = (
            self._seal_complainant(
                (complainant or {}).get("name"), (complainant or {}).get("contact")
            )
            if complainant is not None
            else None
        )

        def command() -> tuple[list[Any], Response]:
            complaint = Complaint.receive(
                jurisdiction_id=jurisdiction_id,
                unit_id=unit_id,
                campaign_id=campaign_id,
                round=round,
                channel=channel,
                kind=kind,
                summary=summary,
                received_on=received_on,
                deadline_days=deadline_days,
                sealed=sealed,
                actor=caller.actor,
                today=china_today(),
                default_deadlines=self.complaint_deadlines,
            )
            return [complaint], self.describe_complaint(complaint, complainant=True)

        # No plaintext of the complainant in the idempotency record: its fingerprint only.
        request = {
            "jurisdiction_id": jurisdiction_id,
            "unit_id": unit_id,
            "campaign_id": campaign_id,
            "round": round,
            "channel": channel,
            "kind": kind,
            "summary": summary,
            "received_on": received_on,
            "deadline_days": deadline_days,
            "complainant": None if sealed is None else sealed[2],
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="complaint",
            key=key,
            request=request,
            command=command,
        )

    def dispatch_complaint(
        self,
        caller: Caller,
        complaint_id: UUID,
        *,
        unit_id: UUID,
        unit_jurisdiction_id: UUID,
        key: str | None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            complaint = self.complaint(complaint_id)
            day = china_today()
            due = self.work_calendar.add_working_days(day, complaint.deadline_days)
            complaint.dispatch(
                unit_id,
                unit_jurisdiction_id=unit_jurisdiction_id,
                today=day,
                due_on=due,
                actor=caller.actor,
            )
            return [complaint], self.describe_complaint(complaint, complainant=True)

        return self._step(
            caller, f"complaint-dispatch:{complaint_id}", key, {"unit_id": unit_id}, command
        )

    def reply_to_complaint(
        self, caller: Caller, complaint_id: UUID, reply: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            complaint = self.complaint(complaint_id)
            complaint.answer(reply, today=china_today(), actor=caller.actor)
            shown = caller.role != "unit"
            return [complaint], self.describe_complaint(complaint, complainant=shown)

        return self._step(caller, f"complaint-reply:{complaint_id}", key, {"reply": reply}, command)

    def conclude_complaint(
        self, caller: Caller, complaint_id: UUID, outcome: str, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            complaint = self.complaint(complaint_id)
            complaint.conclude(outcome, reason, caller.actor)
            return [complaint], self.describe_complaint(complaint, complainant=True)

        request = {"outcome": outcome, "reason": reason}
        return self._step(caller, f"complaint-outcome:{complaint_id}", key, request, command)

    def record_callback(
        self, caller: Caller, complaint_id: UUID, satisfaction: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            complaint = self.complaint(complaint_id)
            complaint.call_back(satisfaction, caller.actor)
            return [complaint], self.describe_complaint(complaint, complainant=True)

        request = {"satisfaction": satisfaction}
        return self._step(caller, f"complaint-callback:{complaint_id}", key, request, command)

    def record_hotline_appearance(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        appeared_on: date,
        topic: str | None,
        key: str | None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            appearance = HotlineAppearance.record(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                appeared_on=appeared_on,
                topic=topic,
                actor=caller.actor,
                today=china_today(),
            )
            return [appearance], appearance_out(appearance)

        request = {
            "unit_id": unit_id,
            "campaign_id": campaign_id,
            "round": round,
            "appeared_on": appeared_on,
            "topic": topic,
        }
        return self._step(caller, "hotline-appearance", key, request, command)

    def _step(
        self, caller: Caller, scope: str, key: str | None, request: Any, command: Any
    ) -> Response:
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=scope,
            key=key,
            request=request,
            command=command,
        )

    def describe_complaint(self, complaint: Complaint, *, complainant: bool) -> Response:
        """The complaint as it stands; `complainant`: with the masked name and contact (for
        offices), else without any complainant data (for the unit)."""
        out = complaint_out(complaint)
        out["complainant"] = self._masked(complaint) if complainant else None
        return out

    def _masked(self, complaint: Complaint) -> dict[str, str | None] | None:
        if complaint.anonymous:
            return None
        vault = self.complaint_vault
        name = contact = None
        if vault is not None and complaint.complainant_name_sealed is not None:
            opened = vault.open(complaint.complainant_name_sealed)
            name = None if opened is None else opened[:1] + "*" * max(len(opened) - 1, 1)
        if vault is not None and complaint.complainant_contact_sealed is not None:
            opened = vault.open(complaint.complainant_contact_sealed)
            contact = None if opened is None else mask_contact(opened)
        return {"name": name, "contact": contact}


def _id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def complaint_out(c: Complaint) -> Response:
    return {
        "complaint_id": str(c.id),
        "jurisdiction_id": str(c.jurisdiction_id),
        "unit_id": _id(c.unit_id),
        "campaign_id": _id(c.campaign_id),
        "round": c.round,
        "channel": c.channel,
        "kind": c.kind,
        "summary": c.summary,
        "received_on": c.received_on,
        "deadline_days": c.deadline_days,
        "anonymous": c.anonymous,
        "status": c.status,
        "dispatched_on": c.dispatched_on,
        "due_on": c.due_on,
        "reply": c.reply,
        "replied_on": c.replied_on,
        "outcome": c.outcome,
        "outcome_reason": c.outcome_reason,
        "satisfaction": c.satisfaction,
        "received_by": c.received_by,
        "version": c.version,
    }


def appearance_out(a: HotlineAppearance) -> Response:
    return {
        "appearance_id": str(a.id),
        "unit_id": str(a.unit_id),
        "jurisdiction_id": str(a.jurisdiction_id),
        "campaign_id": _id(a.campaign_id),
        "round": a.round,
        "appeared_on": a.appeared_on,
        "topic": a.topic,
        "recorded_by": a.recorded_by,
    }
