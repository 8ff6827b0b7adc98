"""Published registry facts: jurisdictions, units, principals."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

Role = Literal["admin", "office", "agency", "inspector", "unit", "auditor"]


class JurisdictionRegistered(IntegrationPayload):
    event_type = "registry.jurisdiction.registered"
    jurisdiction_id: UUID
    name: str
    level: str
    parent_id: UUID | None


class UnitRegistered(IntegrationPayload):
    event_type = "registry.unit.registered"
    unit_id: UUID
    jurisdiction_id: UUID
    name: str
    short_name: str | None
    kind: str
    category: str


class PrincipalIssued(IntegrationPayload):
    """Carries the key's hash only; the key itself is shown once to whoever issued it."""

    event_type = "registry.principal.issued"
    principal_id: UUID
    name: str
    role: Role
    jurisdiction_id: UUID | None
    key_hash: str


class PrincipalRevoked(IntegrationPayload):
    event_type = "registry.principal.revoked"
    principal_id: UUID
    reason: str
    actor: str
