"""Integration-event contracts: the only shapes that cross service boundaries."""

from __future__ import annotations

from shared.contracts import inspection, registry, scoring, survey
from shared.contracts.envelope import IntegrationMessage, IntegrationPayload

PAYLOAD_TYPES: dict[tuple[str, int], type[IntegrationPayload]] = {
    (cls.event_type, cls.schema_version): cls
    for cls in (
        registry.JurisdictionRegistered,
        registry.UnitRegistered,
        registry.PrincipalIssued,
        registry.PrincipalRevoked,
        survey.WaveOpened,
        survey.ResponseRecorded,
        survey.WaveClosed,
        scoring.ScoreComputed,
        inspection.FindingRecorded,
    )
}


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
