"""Stored registry events -> published contracts. Anything not listed stays internal."""

from __future__ import annotations

from typing import Any, cast

from services.registry.domain import Jurisdiction, Principal, Unit
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
    if isinstance(domain_event, Principal.Issued):
        return contract.PrincipalIssued(
            principal_id=domain_event.originator_id,
            name=domain_event.name,
            role=cast(contract.Role, domain_event.role),
            jurisdiction_id=domain_event.jurisdiction_id,
            key_hash=domain_event.key_hash,
        )
    if isinstance(domain_event, Principal.Revoked):
        return contract.PrincipalRevoked(
            principal_id=domain_event.originator_id,
            reason=domain_event.reason,
            actor=domain_event.actor,
        )
    return None
