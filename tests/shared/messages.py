"""Build chains of integration messages for tests of the messaging kernel."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid5

from shared.contracts import IntegrationMessage
from shared.contracts.registry import UnitRegistered

NS = UUID("6f1c1f38-3a8e-4d5c-9a55-1d2f1b7a0c11")


def unit_message(position: int, previous: int | None, name: str = "教育局") -> IntegrationMessage:
    payload = UnitRegistered(
        unit_id=uuid5(NS, f"unit-{position}"),
        jurisdiction_id=uuid5(NS, "jurisdiction"),
        name=f"{name}{position}",
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
    )
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("registry", position),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="registry",
        position=position,
        previous_position=previous,
        occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
        payload=payload.model_dump(mode="json"),
    )


def chain(*positions: int, start_previous: int | None = None) -> list[IntegrationMessage]:
    previous = start_previous
    messages = []
    for position in positions:
        messages.append(unit_message(position, previous))
        previous = position
    return messages
