"""Complaint and hotline commands. Deadlines are counted in working days on the calendar
named by PINGYI_INSPECTION_CALENDAR; every command runs once per idempotency key."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

# The module, not its names: the settings import the complaint rules (their bounds), so
# `import services.inspection.settings` first would find this module's names not yet there.
from services.inspection import settings as inspection_settings
from services.inspection.campaigns import Checks, Counted, unchecked
from services.inspection.complaints.application.complainants import Complainants
from services.inspection.complaints.application.outputs import (
    appearance_out,
    complaint_history,
    complaint_out,
    deadline_in_force,
)
from services.inspection.complaints.domain import (
    AppearanceNotFound,
    Complaint,
    ComplaintNotFound,
    HotlineAppearance,
)
from services.inspection.errors import InspectionNotFound
from services.inspection.workdays import WorkingDays, china_today
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller

T = TypeVar("T")


class Commands(Complainants, WorkingDays):
    """Complaints and hotline appearances (a mixin of the inspection application)."""

    @cached_property
    def complaint_deadlines(self) -> dict[str, int]:
        """Working days by kind as this deployment set them (settings, handed over in the
        application's environment); the issue's defaults when run without settings."""
        configured = self.env.get(inspection_settings.DEADLINES_ENV)
        model = inspection_settings.ComplaintDeadlines
        deadlines = model.model_validate_json(configured) if configured else model()
        return deadlines.by_kind()

    def _load_complaint(
        self, item_id: UUID, kind: type[T], missing: type[InspectionNotFound], field: str
    ) -> T:
        try:
            found: Any = self.repository.get(item_id)
        except AggregateNotFoundError:
            raise missing(field=field) from None
        if not isinstance(found, kind):
            raise missing(field=field)
        return found

    def complaint(self, complaint_id: UUID, field: str = "complaint_id") -> Complaint:
        return self._load_complaint(complaint_id, Complaint, ComplaintNotFound, field)

    def hotline_appearance(self, appearance_id: UUID, field: str = "appearance_id") -> Any:
        return self._load_complaint(appearance_id, HotlineAppearance, AppearanceNotFound, field)

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
        counted: Counted = unchecked,
    ) -> Response:
        """`counted`: the request's checks against the registry copy (campaign, round,
        enrolment, where the unit lies), run once the key was looked up; they answer the
        window the day received must lie in."""
        sealed = (
            self._seal_complainant(
                (complainant or {}).get("name"), (complainant or {}).get("contact")
            )
            if complainant is not None
            else None
        )

        def command() -> tuple[list[Any], Response]:
            window = counted()
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
                window=window,
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
            "complainant": self._complainant_fingerprint(sealed, (complainant or {}).get("name")),
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
        checks: Checks = unchecked,
    ) -> Response:
        """`checks`: the unit's enrolment in the complaint's campaign, run once the key was
        looked up."""

        def command() -> tuple[list[Any], Response]:
            checks()
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

    def correct_complaint_outcome(
        self, caller: Caller, complaint_id: UUID, outcome: str, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            complaint = self.complaint(complaint_id)
            complaint.correct_outcome(outcome, reason, caller.actor)
            return [complaint], self.describe_complaint(complaint, complainant=True)

        request = {"outcome": outcome, "reason": reason}
        return self._step(caller, f"complaint-correction:{complaint_id}", key, request, command)

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
        counted: Counted = unchecked,
    ) -> Response:
        """`counted`: the campaign checks, run once the key was looked up; they answer the
        window the day must lie in."""

        def command() -> tuple[list[Any], Response]:
            window = counted()
            appearance = HotlineAppearance.record(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                appeared_on=appeared_on,
                topic=topic,
                actor=caller.actor,
                today=china_today(),
                window=window,
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
        """The complaint as it stands, with every stored event (and any not yet saved) as
        its history; `complainant`: with the masked name and contact (for offices), else
        without any complainant data (for the unit)."""
        out = complaint_out(complaint)
        out |= deadline_in_force(
            self.work_calendar, complaint.dispatched_on, complaint.deadline_days, complaint.due_on
        )
        out["complainant"] = self._masked(complaint) if complainant else None
        events = [*self.events.get(complaint.id), *complaint.pending_events]
        out["history"] = complaint_history(events)
        return out
