"""Integration-event contracts: the only shapes that cross service boundaries.

Each concrete payload class registers itself under (event_type, schema_version) when its
module is imported; importing this package imports every contract module.
"""

from __future__ import annotations

from shared.contracts import (  # noqa: F401  (imported for registration)
    inspection,
    registry,
    registry_campaigns,
    registry_people,
    scoring,
    survey,
)
from shared.contracts.envelope import IntegrationMessage, IntegrationPayload

PAYLOAD_TYPES = IntegrationPayload.registry


class UnknownContractError(ValueError):
    pass


def parse_payload(message: IntegrationMessage) -> IntegrationPayload:
    try:
        model = PAYLOAD_TYPES[(message.event_type, message.schema_version)]
    except KeyError:
        raise UnknownContractError(
            f"no contract for {message.event_type} v{message.schema_version}"
        ) from None
    return model.model_validate(message.payload)


__all__ = [
    "PAYLOAD_TYPES",
    "IntegrationMessage",
    "IntegrationPayload",
    "UnknownContractError",
    "parse_payload",
]
