"""Inspection aggregates: findings (问题) of open and unannounced inspections (明察暗访).

A finding is never edited: a correction or a withdrawal is a further event naming who made
it and why, so the record as first made stays readable next to what it became.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.errors import InspectionError, checked_text
from shared.contracts.inspection import (
    EVALUATION_CONTENTS,
    INSPECTION_METHODS,
    SEVERITIES,
    EvaluationContent,
    InspectionMethod,
    Severity,
)
from shared.errors import ConflictError, InvalidError

Method = InspectionMethod
METHODS: frozenset[str] = frozenset(INSPECTION_METHODS)
SUMMARY_MAX = 2000
REASON_MAX = 500
# Inspectors' clocks and the server's disagree a little; beyond that a date is a typo.
CLOCK_TOLERANCE = timedelta(minutes=10)
DEDUCTION_CAP = Decimal("20")
"""At most this many points are deducted for one finding."""
EVIDENCE_MAX = 20
"""At most this many evidence files on one finding."""
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class InvalidFinding(InspectionError, InvalidError):
    code = "invalid_finding"


class FindingWithdrawn(InspectionError, ConflictError):
    code = "finding_withdrawn"


def _text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidFinding)


def _method(value: str) -> Method:
    if value not in METHODS:
        raise InvalidFinding(
            f"须为所列值之一 (must be one of {', '.join(sorted(METHODS))})", field="method"
        )
    return cast(Method, value)


def _item(value: str | None) -> EvaluationContent | None:
    if value is not None and value not in EVALUATION_CONTENTS:
        raise InvalidFinding(
            f"须为所列值之一 (must be one of {', '.join(EVALUATION_CONTENTS)})", field="item"
        )
    return cast(EvaluationContent | None, value)


def _severity(value: str | None) -> Severity | None:
    if value is not None and value not in SEVERITIES:
        raise InvalidFinding(
            f"须为所列值之一 (must be one of {', '.join(SEVERITIES)})", field="severity"
        )
    return cast(Severity | None, value)


def _deduction(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0:
        raise InvalidFinding(
            "扣分须为不小于 0 的分数 (must be a number of points, at least 0)", field="deduction"
        )
    if value > DEDUCTION_CAP:
        raise InvalidFinding(
            f"扣分最多 {DEDUCTION_CAP} 分 (must be at most {DEDUCTION_CAP} points)",
            field="deduction",
        )
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidFinding("最多两位小数 (at most two decimal places)", field="deduction")
    return value.quantize(Decimal("0.01"))


def evidence_hashes(values: Sequence[str], field: str = "evidence") -> tuple[str, ...]:
    hashes = tuple(v.strip().lower() for v in values)
    if any(not SHA256.match(h) for h in hashes):
        raise InvalidFinding(
            "每项须为 64 位十六进制的 SHA-256 (each must be a SHA-256 in hex, 64 characters)",
            field=field,
        )
    if len(set(hashes)) != len(hashes):
        raise InvalidFinding("文件重复列出 (a file is listed twice)", field=field)
    if len(hashes) > EVIDENCE_MAX:
        raise InvalidFinding(
            f"最多 {EVIDENCE_MAX} 个文件 (at most {EVIDENCE_MAX} files)", field=field
        )
    return hashes


def _found_at(found_at: datetime, now: datetime) -> datetime:
    if found_at.tzinfo is None or found_at.utcoffset() is None:
        raise InvalidFinding(
            "须带时区, 如 +08:00 (needs a timezone, e.g. +08:00)", field="found_at"
        )
    if found_at > now + CLOCK_TOLERANCE:
        raise InvalidFinding("不能晚于现在 (lies in the future)", field="found_at")
    return found_at


class Finding(Aggregate):
    """What an inspection found at one unit."""

    class Recorded(Aggregate.Created):
        class_version = 2
        unit_id: UUID
        jurisdiction_id: UUID
        method: Method
        summary: str
        found_at: datetime
        actor: str
        visit_id: UUID | None
        item: EvaluationContent | None
        severity: Severity | None
        deduction: Decimal | None
        evidence: tuple[str, ...]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 findings had no visit, checklist item, severity, deduction or evidence.
            state["visit_id"] = None
            state["item"] = None
            state["severity"] = None
            state["deduction"] = None
            state["evidence"] = ()

    class EvidenceAttached(Aggregate.Event):
        evidence: tuple[str, ...]
        actor: str

    class Corrected(Aggregate.Event):
        summary: str
        reason: str
        actor: str

    class Withdrawn(Aggregate.Event):
        reason: str
        actor: str

    @classmethod
    def record(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        method: str,
        summary: str,
        found_at: datetime,
        actor: str,
        now: datetime,
        visit_id: UUID | None = None,
        item: str | None = None,
        severity: str | None = None,
        deduction: Decimal | None = None,
        evidence: Sequence[str] = (),
    ) -> Finding:
        """Validate and normalise first, so the stored event holds exactly what was meant.
        A finding on a visit is checked against the visit by the application (Visit.admits)."""
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            method=_method(method),
            summary=_text(summary, "summary", SUMMARY_MAX),
            found_at=_found_at(found_at, now),
            actor=actor,
            visit_id=visit_id,
            item=_item(item),
            severity=_severity(severity),
            deduction=_deduction(deduction),
            evidence=evidence_hashes(evidence),
        )

    @event(Recorded)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        method: Method,
        summary: str,
        found_at: datetime,
        actor: str,
        visit_id: UUID | None,
        item: EvaluationContent | None,
        severity: Severity | None,
        deduction: Decimal | None,
        evidence: tuple[str, ...],
    ) -> None:
        self.visit_id = visit_id
        self.item = item
        self.severity = severity
        self.deduction = deduction
        self.evidence = tuple(evidence)
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.method = method
        self.summary = summary
        self.found_at = found_at
        self.recorded_by = actor
        self.withdrawn = False
        self.withdrawn_reason: str | None = None

    def correct(self, summary: str, reason: str, actor: str) -> None:
        self._require_active()
        cleaned = _text(summary, "summary", SUMMARY_MAX)
        if cleaned == self.summary:
            raise InvalidFinding(
                "与现有摘要相同 (is the same as the current summary)", field="summary"
            )
        self._corrected(summary=cleaned, reason=_text(reason, "reason", REASON_MAX), actor=actor)

    @event(Corrected)
    def _corrected(self, summary: str, reason: str, actor: str) -> None:
        self.summary = summary

    def withdraw(self, reason: str, actor: str) -> None:
        self._require_active()
        self._withdrawn(reason=_text(reason, "reason", REASON_MAX), actor=actor)

    @event(Withdrawn)
    def _withdrawn(self, reason: str, actor: str) -> None:
        self.withdrawn = True
        self.withdrawn_reason = reason

    def attach_evidence(self, evidence: Sequence[str], actor: str) -> None:
        self._require_active()
        hashes = evidence_hashes(evidence)
        if not hashes:
            raise InvalidFinding("至少列出一个文件 (name at least one file)", field="evidence")
        if set(hashes) & set(self.evidence):
            raise InvalidFinding("文件已附上 (a file is already attached)", field="evidence")
        if len(hashes) + len(self.evidence) > EVIDENCE_MAX:
            raise InvalidFinding(
                f"每条问题记录最多 {EVIDENCE_MAX} 个文件 "
                f"(at most {EVIDENCE_MAX} files per finding)",
                field="evidence",
            )
        self._evidence_attached(evidence=hashes, actor=actor)

    @event(EvidenceAttached)
    def _evidence_attached(self, evidence: tuple[str, ...], actor: str) -> None:
        self.evidence = (*self.evidence, *evidence)

    def _require_active(self) -> None:
        if self.withdrawn:
            raise FindingWithdrawn(
                "该问题记录已撤销 (the finding was withdrawn)", field="finding_id"
            )
