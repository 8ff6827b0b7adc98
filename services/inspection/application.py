"""Inspection commands. A finding's current state and its history are read from the event
store itself, so a correction is visible the moment it is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.inspection.domain import Finding, FindingNotFound, InvalidFinding, evidence_hashes
from services.inspection.evidence import EvidenceStore, evidence_dir
from services.inspection.evidence_records import EvidenceFile, Reach, evidence_record_id
from services.inspection.visit_commands import VisitCommands
from shared.auth import Principal as Caller
from shared.idempotency import Response, run_idempotent
from shared.service.application import PublishingApplication


class InspectionApplication(VisitCommands, PublishingApplication):
    name = "inspection"

    @cached_property
    def evidence_store(self) -> EvidenceStore:
        return EvidenceStore(evidence_dir(self.env))

    def evidence_file(self, sha256: str) -> EvidenceFile | None:
        """The file's record of uploaders and namings; None for a file never uploaded, or
        stored before records were kept."""
        try:
            found: Any = self.repository.get(evidence_record_id(sha256))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, EvidenceFile) else None

    def record_upload(self, uploader: Caller, sha256: str, content_type: str, size: int) -> None:
        """The uploader of a file just stored, however many upload it at once: a conflict
        means another writer's event landed first, so the record is read again with it and
        this uploader added to that (the same one twice changes nothing). Retried only
        while the record moves on, so there is no bound to exceed under contention and no
        endless loop when a conflict has some other cause."""
        seen: int | None = None
        while True:
            record = self.evidence_file(sha256)
            if record is None:
                record = EvidenceFile.upload(sha256, content_type, size, uploader)
            else:
                record.upload_again(uploader)
            if not record.pending_events:
                return
            version = record.pending_events[0].originator_version
            if version == seen:  # nothing landed since the last conflict: not a race
                raise IntegrityError(f"the record of evidence {sha256} cannot be written")
            seen = version
            try:
                self.save(record)
                return
            except IntegrityError:
                continue

    def evidence_readable(self, sha256: str, reach: Reach) -> bool:
        record = self.evidence_file(sha256)
        return reach.everything or (record is not None and record.readable_by(reach))

    def _nameable_evidence(self, hashes: Sequence[str], reach: Reach | None) -> list[EvidenceFile]:
        """The records of the files a finding is to name: each uploaded by the caller or in
        its jurisdiction. Any other file is refused exactly as one never uploaded, so a hash
        cannot be used to learn that a file exists elsewhere."""
        checked = evidence_hashes(hashes)
        records = [self.evidence_file(h) for h in checked]
        refused = [
            h
            for h, record in zip(checked, records, strict=True)
            if reach is None
            or record is None
            or not record.nameable_by(reach)
            or not self.evidence_store.has(h)
        ]
        if refused:
            raise InvalidFinding(
                "upload each file first (POST /evidence): a finding names only files "
                "uploaded by you or within your jurisdiction",
                field="evidence",
                files=refused,
            )
        return [record for record in records if record is not None]

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

        def command() -> tuple[list[Any], Response]:
            if visit_id is not None:
                self.visible_visit(caller, visit_id).admits(unit_id, method, item, found_at)
            files = self._nameable_evidence(evidence, reach)
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
            return [finding, *_named(files, finding, caller)], self.describe(finding)

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

    def attach_evidence(
        self,
        caller: Caller,
        finding_id: UUID,
        evidence: Sequence[str],
        key: str | None,
        reach: Reach | None = None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            finding = self.finding(finding_id)
            finding.attach_evidence(evidence, caller.actor)
            files = self._nameable_evidence(evidence, reach)
            return [finding, *_named(files, finding, caller)], self.describe(finding)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"evidence:{finding_id}",
            key=key,
            request={"evidence": list(evidence)},
            command=command,
        )

    def describe(self, finding: Finding, *, with_history: bool = True) -> Response:
        """The finding as it stands; with every stored event (and any not yet saved)."""
        out = finding_out(finding)
        if with_history:
            events = [*self.events.get(finding.id), *finding.pending_events]
            out["history"] = [history_entry(e) for e in events]
        return out


def _named(files: list[EvidenceFile], finding: Finding, caller: Caller) -> list[EvidenceFile]:
    """Each file's record, noting the finding that names it: callers in the finding's
    jurisdiction read the file from now on."""
    for record in files:
        record.name_on(finding.id, finding.jurisdiction_id, caller.actor)
    return files


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
