"""Inspection commands. A finding's current state and its history are read from the event
store itself, so a correction is visible the moment it is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.domain import Finding
from services.inspection.errors import FindingNotFound
from services.inspection.evidence_commands import EvidenceCommands, Naming, named
from services.inspection.evidence_records import Reach
from services.inspection.visit_commands import VisitCommands
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication


class InspectionApplication(EvidenceCommands, VisitCommands, PublishingApplication):
    name = "inspection"

    def finding(self, finding_id: UUID, field: str = "finding_id") -> Finding:
        try:
            found: Finding = self.repository.get(finding_id)
        except AggregateNotFoundError:
            raise FindingNotFound(field=field) from None
        if not isinstance(found, Finding):
            raise FindingNotFound(field=field)
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
        visit_id: UUID | None = None,
        item: str | None = None,
        severity: str | None = None,
        deduction: Decimal | None = None,
        evidence: Sequence[str] = (),
        reach: Reach | None = None,
    ) -> Response:
        """`reach`: whose uploads the caller may name (no files without it)."""

        def command(naming: Naming) -> tuple[list[Any], Response]:
            if visit_id is not None:
                self.visible_visit(caller, visit_id).admits(unit_id, method, item, found_at)
            files = self.nameable_evidence(evidence, reach, naming)
            finding = Finding.record(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                method=method,
                summary=summary,
                found_at=found_at,
                actor=caller.actor,
                now=datetime.now(UTC),
                visit_id=visit_id,
                item=item,
                severity=severity,
                deduction=deduction,
                evidence=evidence,
            )
            files = named(files, finding.id, finding.jurisdiction_id, caller.actor)
            return [finding, *files], self.describe(finding)

        request: dict[str, Any] = {
            "unit_id": unit_id,
            "method": method,
            "summary": summary,
            "found_at": found_at,
        }
        added = {  # only when given, so a retry across the upgrade still matches its key
            "visit_id": visit_id,
            "item": item,
            "severity": severity,
            "deduction": None if deduction is None else str(deduction),
            "evidence": list(evidence) or None,
        }
        request |= {name: value for name, value in added.items() if value is not None}
        return self.naming_files(
            lambda naming: run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope="finding",
                key=key,
                request=request,
                command=lambda: command(naming),
            )
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

    def attach_evidence(
        self,
        caller: Caller,
        finding_id: UUID,
        evidence: Sequence[str],
        key: str | None,
        reach: Reach | None = None,
    ) -> Response:
        def command(naming: Naming) -> tuple[list[Any], Response]:
            finding = self.finding(finding_id)
            naming.subject[finding.id] = finding.version
            finding.attach_evidence(evidence, caller.actor)
            files = self.nameable_evidence(evidence, reach, naming)
            files = named(files, finding.id, finding.jurisdiction_id, caller.actor)
            return [finding, *files], self.describe(finding)

        return self.naming_files(
            lambda naming: run_idempotent(
                self,
                principal_id=caller.principal_id,
                scope=f"evidence:{finding_id}",
                key=key,
                request={"evidence": list(evidence)},
                command=lambda: command(naming),
            )
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
        "visit_id": None if f.visit_id is None else str(f.visit_id),
        "item": f.item,
        "severity": f.severity,
        "deduction": None if f.deduction is None else str(f.deduction),
        "evidence": list(f.evidence),
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
    if isinstance(domain_event, Finding.EvidenceAttached):
        evidence = list(domain_event.evidence)
        return (
            entry
            | {"event": "evidence_attached", "summary": None, "reason": None}
            | {"evidence": evidence}
        )
    raise TypeError(f"{type(domain_event).__name__} is not a finding event")
