"""Stored registry events -> published contracts. Anything no mapper claims stays internal."""

from __future__ import annotations

from typing import Any

from services.registry.integration import campaigns, draws, people, principals, units
from shared.contracts import IntegrationPayload

_MAPPERS = (
    units.to_payload,
    principals.to_payload,
    campaigns.to_payload,
    people.to_payload,
    draws.to_payload,
)


def to_payload(domain_event: Any) -> IntegrationPayload | None:
    for mapper in _MAPPERS:
        payload = mapper(domain_event)
        if payload is not None:
            return payload
    return None
