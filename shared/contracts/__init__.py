"""Integration-event contracts: the only shapes that cross service boundaries.

Each concrete payload class registers itself under (event_type, schema_version) when its
module is imported; importing this package imports every contract module.

Versions: a contract that changes shape gets a new class with `schema_version` one higher,
and the old class stays registered so messages already on a stream still decode. The newer
class defines `upcast_from_previous(data) -> data`, turning a payload dict of the version
just below into its own shape. `parse_payload` decodes with the message's own version and
then upcasts step by step, so consumers only ever see the newest model of each event type.
"""

from __future__ import annotations

from typing import Any

from shared.contracts import (  # noqa: F401  (imported for registration)
    inspection,
    inspection_assessments,
    inspection_complaints,
    inspection_rectification,
    inspection_tasks,
    registry,
    registry_campaigns,
    registry_people,
    reporting,
    scoring,
    survey,
    survey_batch,
    survey_quotas,
)
from shared.contracts.envelope import IntegrationMessage, IntegrationPayload

PAYLOAD_TYPES = IntegrationPayload.registry
UPCASTER = "upcast_from_previous"


class UnknownContractError(ValueError):
    pass


def latest_version(event_type: str) -> int:
    """The newest schema version registered for `event_type`."""
    versions = [version for (kind, version) in PAYLOAD_TYPES if kind == event_type]
    if not versions:
        raise UnknownContractError(f"no contract for {event_type}")
    return max(versions)


def upcast(payload: IntegrationPayload) -> IntegrationPayload:
    """`payload` lifted to the newest registered version of its event type."""
    current = payload
    newer = PAYLOAD_TYPES.get((current.event_type, current.schema_version + 1))
    while newer is not None:
        data = getattr(newer, UPCASTER)(current.model_dump(mode="json"))
        current = newer.model_validate(data)
        newer = PAYLOAD_TYPES.get((current.event_type, current.schema_version + 1))
    return current


def parse_payload(message: IntegrationMessage) -> IntegrationPayload:
    """The message's payload as the newest model of its event type.

    A tolerant reader: fields a newer producer added to a version we know are ignored (the
    producer's own models stay strict, so nothing is dropped by mistake on the way out).
    An unknown version, or a payload that fails validation, raises: the consumer stalls
    on it visibly rather than guess."""
    try:
        model = PAYLOAD_TYPES[(message.event_type, message.schema_version)]
    except KeyError:
        raise UnknownContractError(
            f"no contract for {message.event_type} v{message.schema_version}"
        ) from None
    # Read once: pydantic's `model_fields` accessor is slow enough to cost every consumer
    # about 15 µs per message when looked up once per key.
    fields = model.model_fields
    known = {name: value for name, value in message.payload.items() if name in fields}
    return upcast(model.model_validate(known))


def _check_upcasters(types: dict[tuple[str, int], Any]) -> None:
    """Refuse at import a newer version that could not lift its predecessor's messages."""
    for (event_type, version), model in types.items():
        if (event_type, version - 1) in types and not callable(getattr(model, UPCASTER, None)):
            raise TypeError(
                f"{model.__name__} ({event_type} v{version}) needs a classmethod {UPCASTER}"
            )


_check_upcasters(PAYLOAD_TYPES)

__all__ = [
    "PAYLOAD_TYPES",
    "IntegrationMessage",
    "IntegrationPayload",
    "UnknownContractError",
    "latest_version",
    "parse_payload",
    "upcast",
]
