"""Inspection aggregates: findings (问题) of open and unannounced inspections (明察暗访).

A finding is never edited: a correction or a withdrawal is a further event naming who made
it and why, so the record as first made stays readable next to what it became.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.contracts.inspection import INSPECTION_METHODS, InspectionMethod
from shared.errors import ConflictError, InvalidError, NotFoundError, PingyiError

Method = InspectionMethod
METHODS: frozenset[str] = frozenset(INSPECTION_METHODS)
SUMMARY_MAX = 2000
REASON_MAX = 500
# Inspectors' clocks and the server's disagree a little; beyond that a date is a typo.
CLOCK_TOLERANCE = timedelta(minutes=10)


class InspectionError(PingyiError):
    """Base of every inspection domain error."""


class FindingNotFound(InspectionError, NotFoundError):
    code = "finding_not_found"


class UnitNotFound(InspectionError, NotFoundError):
    code = "unit_not_found"


class InvalidFinding(InspectionError, InvalidError):
    code = "invalid_finding"


class FindingWithdrawn(InspectionError, ConflictError):
    code = "finding_withdrawn"


def _text(value: str, field: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidFinding("must not be blank", field=field)
    if len(cleaned) > limit:
        raise InvalidFinding(f"must be at most {limit} characters", field=field)
    return cleaned


def _method(value: str) -> Method:
    if value not in METHODS:
        raise InvalidFinding(f"must be one of {', '.join(sorted(METHODS))}", field="method")
    return cast(Method, value)


def _found_at(found_at: datetime, now: datetime) -> datetime:
    if found_at.tzinfo is None or found_at.utcoffset() is None:
        raise InvalidFinding("needs a timezone, e.g. +08:00", field="found_at")
    if found_at > now + CLOCK_TOLERANCE:
        raise InvalidFinding("lies in the future", field="found_at")
    return found_at


class Finding(Aggregate):
    """What an inspection found at one unit."""

    class Recorded(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        method: Method
        summary: str
        found_at: datetime
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
    ) -> Finding:
        """Validate and normalise first, so the stored event holds exactly what was meant."""
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            method=_method(method),
            summary=_text(summary, "summary", SUMMARY_MAX),
            found_at=_found_at(found_at, now),
            actor=actor,
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
    ) -> None:
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
            raise InvalidFinding("is the same as the current summary", field="summary")
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

    def _require_active(self) -> None:
        if self.withdrawn:
            raise FindingWithdrawn("the finding was withdrawn", field="finding_id")
