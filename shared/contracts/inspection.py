"""Published inspection facts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload


class FindingRecorded(IntegrationPayload):
    event_type = "inspection.finding.recorded"
    finding_id: UUID
    unit_id: UUID
    method: Literal["明察", "暗访", "随机检查"]
    summary: str
    found_at: datetime
    actor: str
