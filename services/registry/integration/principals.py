"""Published facts about principals (key hashes only)."""

from __future__ import annotations

from typing import Any, cast

from services.registry.domain import Principal
from shared.contracts import IntegrationPayload
from shared.contracts import registry as contract


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    if isinstance(domain_event, Principal.Issued):
        return contract.PrincipalIssued(
            principal_id=domain_event.originator_id,
            name=domain_event.name,
            role=cast(contract.Role, domain_event.role),
            jurisdiction_id=domain_event.jurisdiction_id,
            key_hash=domain_event.key_hash,
            unit_id=domain_event.unit_id,
        )
    if isinstance(domain_event, Principal.Revoked):
        return contract.PrincipalRevoked(
            principal_id=domain_event.originator_id,
            reason=domain_event.reason,
            actor=domain_event.actor,
        )
    return None
