"""The findings as they stand, built from inspection's own published log (recorded,
corrected, withdrawn), so GET /findings is one indexed query per page and never loads a
finding from the event store.

A document has the shape of FindingOut without its history, plus `found_order` (found_at in
UTC at a fixed width, so text order is time order whatever offset it was given in) and the
position of the last message applied. Scope is the jurisdiction recorded on the finding,
as for GET /findings/{id}; a finding published before messages carried it has none, and
only callers who see everything list it.

`finding_evidence` holds one row per (file, finding naming it) with the finding's
jurisdiction. It no longer decides who reads a file: findings named files unchecked before
uploaders were recorded, so GET /evidence/{sha256} asks the file's record
(services/inspection/evidence_records.py). Kept so the view's shape, and its version, stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from shared.contracts import IntegrationMessage
from shared.contracts.inspection import (
    FindingCorrected,
    FindingEvidenceAttached,
    FindingRecorded,
    FindingWithdrawn,
)
from shared.messaging.inbox import ViewHandler
from shared.views import Collection, Document, ViewTransaction
from shared.views.model import View

FINDINGS = "findings"
FINDING_EVIDENCE = "finding_evidence"


def found_order(found_at: datetime) -> str:
    return found_at.astimezone(UTC).isoformat(timespec="microseconds")


def _recorded(tx: ViewTransaction, p: FindingRecorded, m: IntegrationMessage) -> None:
    jurisdiction = None if p.jurisdiction_id is None else str(p.jurisdiction_id)
    doc: Document = {
        "finding_id": str(p.finding_id),
        "unit_id": str(p.unit_id),
        "jurisdiction_id": jurisdiction,
        "method": p.method,
        "visit_id": None if p.visit_id is None else str(p.visit_id),
        "item": p.item,
        "severity": p.severity,
        "deduction": None if p.deduction is None else str(p.deduction),
        "evidence": list(p.evidence),
        "summary": p.summary,
        "found_at": p.found_at.isoformat(),
        "recorded_by": p.actor,
        "recorded_at": m.occurred_at.isoformat(),
        "status": "active",
        "withdrawn_reason": None,
        "version": 1,
        "found_order": found_order(p.found_at),
        "position": m.position,
    }
    tx.put(FINDINGS, doc["finding_id"], doc)
    _name_files(tx, doc["finding_id"], jurisdiction, p.evidence)


def _name_files(
    tx: ViewTransaction, finding_id: str, jurisdiction: str | None, hashes: Iterable[str]
) -> None:
    for sha256 in hashes:
        row = {"sha256": sha256, "finding_id": finding_id, "jurisdiction_id": jurisdiction}
        tx.put(FINDING_EVIDENCE, f"{sha256}|{finding_id}", row)


def _change(tx: ViewTransaction, finding_id: object, m: IntegrationMessage, **change: Any) -> None:
    doc = tx.get(FINDINGS, str(finding_id))
    if doc is None:  # only if the log itself were incomplete; the inbox refuses gaps
        raise LookupError(f"finding {finding_id} was never recorded")
    tx.put(FINDINGS, str(finding_id), doc | change | {"position": m.position})


def _corrected(tx: ViewTransaction, p: FindingCorrected, m: IntegrationMessage) -> None:
    _change(tx, p.finding_id, m, summary=p.summary, version=p.version)


def _withdrawn(tx: ViewTransaction, p: FindingWithdrawn, m: IntegrationMessage) -> None:
    _change(tx, p.finding_id, m, status="withdrawn", withdrawn_reason=p.reason, version=p.version)


def _evidence(tx: ViewTransaction, p: FindingEvidenceAttached, m: IntegrationMessage) -> None:
    doc = tx.get(FINDINGS, str(p.finding_id))
    evidence = [*(doc or {}).get("evidence", []), *p.evidence]
    _change(tx, p.finding_id, m, evidence=evidence, version=p.version)
    _name_files(tx, str(p.finding_id), (doc or {}).get("jurisdiction_id"), p.evidence)


HANDLERS: dict[Any, ViewHandler] = {
    FindingRecorded: _recorded,
    FindingCorrected: _corrected,
    FindingWithdrawn: _withdrawn,
    FindingEvidenceAttached: _evidence,
}

FINDINGS_VIEW = View(
    "findings",
    4,
    (
        Collection(FINDINGS, index=("jurisdiction_id", "unit_id", "status"), sort="found_order"),
        Collection(FINDING_EVIDENCE, index=("sha256", "jurisdiction_id")),
    ),
    {"inspection": HANDLERS},
    "Every finding as it stands (after corrections and withdrawals), from inspection's own "
    "published log.",
)
