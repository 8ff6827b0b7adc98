"""Published facts about jurisdictions and units."""

from __future__ import annotations

from typing import Any

from services.registry.domain import Jurisdiction, Unit
from shared.contracts import IntegrationPayload
from shared.contracts import registry as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Jurisdiction.Registered):
        return contract.JurisdictionRegistered(
            jurisdiction_id=domain_event.originator_id,
            name=domain_event.name,
            level=domain_event.level,
            parent_id=domain_event.parent_id,
        )
    if isinstance(domain_event, Unit.Registered):
        return contract.UnitRegistered(
            unit_id=domain_event.originator_id,
            jurisdiction_id=domain_event.jurisdiction_id,
            name=domain_event.name.strip(),
            short_name=(domain_event.short_name or "").strip() or None,
            kind=domain_event.kind,
            category=domain_event.category.strip(),
        )
    return None
