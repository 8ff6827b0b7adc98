"""Inspection commands. A finding's current state and its history are read from the event
store itself, so a correction is visible the moment it is made."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.domain import Finding, FindingNotFound
from shared.auth import Principal as Caller
from shared.idempotency import Response, run_idempotent
from shared.service.application import PublishingApplication


class InspectionApplication(PublishingApplication):
    name = "inspection"

    def finding(self, finding_id: UUID, field: str = "finding_id") -> Finding:
        try:
            found: Finding = self.repository.get(finding_id)
        except AggregateNotFoundError:
            raise FindingNotFound("no such finding", field=field) from None
        if not isinstance(found, Finding):
            raise FindingNotFound("no such finding", field=field)
        return found

    def record_finding(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        method: str,
        summary: str,
        found_at: datetime,
        key: str | None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            finding = Finding.record(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                method=method,
                summary=summary,
                found_at=found_at,
                actor=caller.actor,
                now=datetime.now(UTC),
            )
            return [finding], self.describe(finding)

        request = {"unit_id": unit_id, "method": method, "summary": summary, "found_at": found_at}
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="finding",
            key=key,
            request=request,
            command=command,
        )

    def correct_finding(
        self, caller: Caller, finding_id: UUID, summary: str, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            finding = self.finding(finding_id)
            finding.correct(summary, reason, caller.actor)
            return [finding], self.describe(finding)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"correction:{finding_id}",
            key=key,
            request={"summary": summary, "reason": reason},
            command=command,
        )

    def withdraw_finding(
        self, caller: Caller, finding_id: UUID, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            finding = self.finding(finding_id)
            finding.withdraw(reason, caller.actor)
            return [finding], self.describe(finding)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"withdrawal:{finding_id}",
            key=key,
            request={"reason": reason},
            command=command,
        )

    def describe(self, finding: Finding, *, with_history: bool = True) -> Response:
        """The finding as it stands; with every stored event (and any not yet saved)."""
        out = finding_out(finding)
        if with_history:
            events = [*self.events.get(finding.id), *finding.pending_events]
            out["history"] = [history_entry(e) for e in events]
        return out


def _iso(value: datetime) -> str:
    return value.isoformat()


def finding_out(f: Finding) -> Response:
    return {
        "finding_id": str(f.id),
        "unit_id": str(f.unit_id),
        "jurisdiction_id": str(f.jurisdiction_id),
        "method": f.method,
        "summary": f.summary,
        "found_at": _iso(f.found_at),
        "recorded_by": f.recorded_by,
        "recorded_at": _iso(f.created_on),
        "status": "withdrawn" if f.withdrawn else "active",
        "withdrawn_reason": f.withdrawn_reason,
        "version": f.version,
    }


def history_entry(domain_event: Any) -> Response:
    entry: Response = {"at": _iso(domain_event.timestamp), "actor": domain_event.actor}
    if isinstance(domain_event, Finding.Recorded):
        return entry | {"event": "recorded", "summary": domain_event.summary, "reason": None}
    if isinstance(domain_event, Finding.Corrected):
        summary = domain_event.summary
        return entry | {"event": "corrected", "summary": summary, "reason": domain_event.reason}
    if isinstance(domain_event, Finding.Withdrawn):
        return entry | {"event": "withdrawn", "summary": None, "reason": domain_event.reason}
    raise TypeError(f"{type(domain_event).__name__} is not a finding event")
