"""Unit.Registered is at class_version 2; events stored as v1 must still decode."""

from __future__ import annotations

import json
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from services.registry.application import RegistryApplication
from services.registry.domain import Unit
from services.registry.integration import to_payload
from tests.harness import IN_MEMORY


def test_a_v1_unit_registered_payload_still_decodes() -> None:
    app = RegistryApplication(IN_MEMORY)
    unit_id, jurisdiction_id = uuid4(), uuid4()
    v1_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-06-01T00:00:00+00:00"},
        "originator_topic": "services.registry.domain:Unit",
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": jurisdiction_id.hex},
        "name": "漯河市教育局",
        "kind": "government_department",
        "category": "政府部门及其它机构",
        "actor": "admin:old",
    }
    stored = StoredEvent(
        originator_id=unit_id,
        originator_version=1,
        topic="services.registry.domain:Unit.Registered",
        state=json.dumps(v1_state).encode(),
    )
    app.recorder.insert_events([stored])

    unit = app.repository.get(unit_id)
    assert isinstance(unit, Unit)
    assert unit.short_name is None and unit.name == "漯河市教育局"
    event = next(iter(app.events.get(unit_id)))
    payload = to_payload(event)
    assert payload is not None and payload.model_dump()["short_name"] is None
