"""Stored inspection events -> published contracts. Anything not listed stays internal.

Corrections and withdrawals are not published yet: no contract carries them, so consumers
only ever see a finding as first recorded. The inspection API itself shows the current state.
"""

from __future__ import annotations

from typing import Any

from services.inspection.domain import Finding
from shared.contracts import IntegrationPayload
from shared.contracts import inspection as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Finding.Recorded):
        return contract.FindingRecorded(
            finding_id=domain_event.originator_id,
            unit_id=domain_event.unit_id,
            method=domain_event.method,
            summary=domain_event.summary,
            found_at=domain_event.found_at,
            actor=domain_event.actor,
        )
    return None
