"""The envelope every integration event travels in, on NATS and in local feeds alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from pydantic import BaseModel, ConfigDict, Field

from shared.canonical import message_json

EVENT_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/integration-event")


class IntegrationPayload(BaseModel):
    """Base of every published payload. Subclasses name their type and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    registry: ClassVar[dict[tuple[str, int], type[IntegrationPayload]]] = {}

    def json_payload(self) -> dict[str, Any]:
        """What the payload is on the wire: `model_dump(mode="json")`, unless a contract
        knows a faster way to the same value."""
        return self.model_dump(mode="json")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every concrete contract registers itself, so decoding needs no central list.
        if "event_type" in cls.__dict__:
            key = (cls.event_type, cls.schema_version)
            if key in IntegrationPayload.registry:
                raise TypeError(f"two contracts claim {key}")
            IntegrationPayload.registry[key] = cls


class IntegrationMessage(BaseModel):
    """One published fact with where it came from. Read tolerantly: envelope fields added
    by a newer producer are ignored.

    `position` is the notification id in the origin's own event log; `previous_position` is
    the position of the message the origin published just before this one, so a consumer
    can tell a gap (something it has not seen) from positions the origin never publishes.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID
    event_type: str
    schema_version: int = Field(ge=1)
    origin: str
    position: int = Field(ge=1)
    previous_position: int | None
    occurred_at: datetime
    payload: dict[str, Any]

    @staticmethod
    def event_id_for(origin: str, position: int) -> UUID:
        return uuid5(EVENT_ID_NAMESPACE, f"{origin}:{position}")

    def encode(self) -> bytes:
        return message_json(self.model_dump(mode="json"))

    @classmethod
    def decode(cls, data: bytes) -> IntegrationMessage:
        """orjson parses, pydantic validates the envelope: half the time of pydantic's own
        JSON reading, which builds the payload's values (a batch part's hundreds of
        questionnaires) through `Any`. Whatever orjson refuses (a lone surrogate, an
        integer past 64 bits) goes to pydantic, which answers as it always did."""
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return cls.model_validate_json(data)
        return cls.model_validate(parsed)

    def subject(self, namespace: str) -> str:
        return f"{namespace}.{self.event_type}"
