"""Set-up the export tests share: registry payloads as the messages a view applies, in a
chain of positions from 1 (what the registry would have published, one event each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from shared.contracts import IntegrationMessage, IntegrationPayload


def registry_messages(
    payloads: Iterable[IntegrationPayload], start: int = 1
) -> list[IntegrationMessage]:
    """`payloads` at positions `start`, `start` + 1, …, each after the one before."""
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("registry", position),
            event_type=p.event_type,
            schema_version=p.schema_version,
            origin="registry",
            position=position,
            previous_position=position - 1 if position > 1 else None,
            occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
            payload=p.model_dump(mode="json"),
        )
        for position, p in enumerate(payloads, start=start)
    ]
