"""Published inspection facts."""

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
