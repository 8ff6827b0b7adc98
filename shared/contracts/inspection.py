"""Published inspection facts: a finding as recorded, and every later correction and
withdrawal (each naming who made it and why), so a consumer can hold a finding's current
state without asking inspection for it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

InspectionMethod = Literal["明察", "暗访", "随机检查"]
"""How a finding was made: open inspection, unannounced visit, random check. The one
definition of the methods; the inspection service's domain and schemas use it."""
INSPECTION_METHODS: tuple[str, ...] = get_args(InspectionMethod)


class FindingRecorded(IntegrationPayload):
    event_type = "inspection.finding.recorded"
    finding_id: UUID
    unit_id: UUID
    method: InspectionMethod
    summary: str
    found_at: datetime
    actor: str
    jurisdiction_id: UUID | None = None
    """The jurisdiction the finding was recorded in: its scope for good, even if the unit
    moves later. Added after the first findings were published; those messages lack it."""


class FindingCorrected(IntegrationPayload):
    """A new summary replaced the finding's current one; the earlier stays on record."""

    event_type = "inspection.finding.corrected"
    finding_id: UUID
    summary: str
    reason: str
    actor: str
    version: int
    """The finding's version after this change (the recording is version 1)."""


class FindingWithdrawn(IntegrationPayload):
    """The finding stays on record, marked withdrawn; nothing changes it afterwards."""

    event_type = "inspection.finding.withdrawn"
    finding_id: UUID
    reason: str
    actor: str
    version: int
    """The finding's version after this change."""
