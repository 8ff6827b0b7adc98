"""Unit contracts: v1 messages still decode as v2, stored v2 events as v3, and every
service's registry copy follows renames, moves, mergers, splits and dissolutions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.registry.application import RegistryApplication
from services.registry.domain import Unit
from services.registry.integration import to_payload
from shared.contracts import (
    IntegrationMessage,
    IntegrationPayload,
    UnknownContractError,
    latest_version,
    parse_payload,
)
from shared.contracts import _check_upcasters as check_upcasters
from shared.contracts.registry import (
    JurisdictionRegistered,
    UnitDissolved,
    UnitMoved,
    UnitRegistered,
    UnitRegisteredV1,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from shared.registry_view import RegistryView
from shared.views import MemoryViewStore
from tests.harness import IN_MEMORY, feed_registry_copy

CITY, COUNTY, OTHER = uuid4(), uuid4(), uuid4()


def message(position: int, payload: dict[str, Any], event_type: str, version: int) -> Any:
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("registry", position),
        event_type=event_type,
        schema_version=version,
        origin="registry",
        position=position,
        previous_position=position - 1 if position > 1 else None,
        # 2024-03-31 16:30 UTC is already 1 April in China.
        occurred_at=datetime(2024, 3, 31, 16, 30, tzinfo=UTC),
        payload=payload,
    )


def messages(payloads: list[IntegrationPayload]) -> list[IntegrationMessage]:
    return [
        message(i, p.model_dump(mode="json"), p.event_type, p.schema_version)
        for i, p in enumerate(payloads, start=1)
    ]


def test_a_v1_unit_registered_message_decodes_as_v2() -> None:
    v1 = {
        "unit_id": str(uuid4()),
        "jurisdiction_id": str(COUNTY),
        "name": "源汇区民政局",
        "short_name": None,
        "kind": "government_department",
        "category": "政府部门及其它机构",
    }
    decoded = parse_payload(message(1, v1, "registry.unit.registered", 1))
    assert isinstance(decoded, UnitRegistered) and decoded.schema_version == 2
    assert decoded.name == "源汇区民政局"
    assert (decoded.parent_id, decoded.credit_code, decoded.effective_on) == (None, None, None)
    assert latest_version("registry.unit.registered") == 2
    # A tolerant reader: fields added to a known version are ignored, not refused, and a
    # v1 message is still read as v1 (the added field does not leak into the upcast).
    parent = str(uuid4())
    extended = parse_payload(message(1, v1 | {"parent_id": parent}, "registry.unit.registered", 1))
    assert isinstance(extended, UnitRegistered) and extended.parent_id is None
    # What the known fields say is still checked.
    with pytest.raises(ValueError, match="unit_id"):
        parse_payload(message(1, v1 | {"unit_id": "不是编号"}, "registry.unit.registered", 1))


def test_unknown_versions_are_refused() -> None:
    with pytest.raises(UnknownContractError):
        parse_payload(message(1, {}, "registry.unit.registered", 3))


def test_a_newer_version_without_an_upcaster_is_refused_at_import() -> None:
    class Lacking:
        __name__ = "Lacking"

    types: dict[tuple[str, int], Any] = {
        ("registry.unit.registered", 1): UnitRegisteredV1,
        ("registry.unit.registered", 2): Lacking,
    }
    with pytest.raises(TypeError, match="upcast_from_previous"):
        check_upcasters(types)


def test_a_stored_v2_unit_registered_event_still_decodes() -> None:
    app = RegistryApplication(IN_MEMORY)
    unit_id = uuid4()
    v2_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-03-31T16:30:00+00:00"},
        "originator_topic": "services.registry.domain:Unit",
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": COUNTY.hex},
        "name": "漯河市教育局",
        "short_name": "市教育局",
        "kind": "government_department",
        "category": "政府部门及其它机构",
        "actor": "admin:old",
        "class_version": 2,
    }
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=unit_id,
                originator_version=1,
                topic="services.registry.domain:Unit.Registered",
                state=json.dumps(v2_state).encode(),
            )
        ]
    )
    unit = app.repository.get(unit_id)
    assert isinstance(unit, Unit)
    assert (unit.short_name, unit.parent_id, unit.credit_code, unit.status) == (
        "市教育局",
        None,
        None,
        "active",
    )
    assert unit.registered_on == date(2024, 4, 1)  # the day in China it was recorded
    payload = to_payload(next(iter(app.events.get(unit_id))))
    assert isinstance(payload, UnitRegistered)
    assert (payload.effective_on, payload.actor) == (None, "admin:old")
    app.close()


def registered(name: str, where: UUID = COUNTY, **more: Any) -> UnitRegistered:
    return UnitRegistered(
        unit_id=uuid4(),
        jurisdiction_id=where,
        name=name,
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        **more,
    )


def dated(on: str) -> dict[str, Any]:
    return {"effective_on": date.fromisoformat(on), "reason": "机构改革", "actor": "office:x"}


def test_every_services_registry_copy_follows_the_lifecycle() -> None:
    views = MemoryViewStore()
    views.setup()
    fgj, tjj, gsj = registered("源汇区发改局"), registered("源汇区统计局"), registered("工商质监局")
    civil, grain = registered("源汇区民政局"), registered("源汇区粮食局")
    merged = registered("源汇区发改局(区统计局)", effective_on=date(2024, 7, 1))
    market, quality = registered("市场监管局"), registered("质监局")
    window = registered("婚姻登记处", parent_id=civil.unit_id)
    feed: list[IntegrationPayload] = [
        JurisdictionRegistered(jurisdiction_id=CITY, name="漯河市", level="city", parent_id=None),
        JurisdictionRegistered(
            jurisdiction_id=COUNTY, name="源汇区", level="district", parent_id=CITY
        ),
        JurisdictionRegistered(
            jurisdiction_id=OTHER, name="郾城区", level="district", parent_id=CITY
        ),
        *(fgj, tjj, gsj, civil, grain, window, merged),
        UnitsMerged(
            new_unit_id=merged.unit_id,
            source_unit_ids=(fgj.unit_id, tjj.unit_id),
            name=merged.name,
            **dated("2024-07-01"),
        ),
        market,
        quality,
        UnitSplit(
            source_unit_id=gsj.unit_id,
            new_unit_ids=(market.unit_id, quality.unit_id),
            **dated("2024-08-01"),
        ),
        UnitRenamed(
            unit_id=civil.unit_id,
            old_name="源汇区民政局",
            new_name="源汇区民政事务局",
            **dated("2024-09-01"),
        ),
        UnitMoved(
            unit_id=civil.unit_id,
            from_jurisdiction_id=COUNTY,
            to_jurisdiction_id=OTHER,
            **dated("2024-10-01"),
        ),
        UnitDissolved(unit_id=grain.unit_id, **dated("2024-11-01")),
    ]
    feed_registry_copy(views, messages(feed))
    view = RegistryView(views)

    def status(u: UnitRegistered) -> str | None:
        return view.unit_status(str(u.unit_id))

    assert [status(u) for u in (fgj, tjj, gsj, grain, merged)] == [
        "merged",
        "merged",
        "split",
        "dissolved",
        "active",
    ]
    doc = view.unit(str(civil.unit_id))
    assert doc is not None
    assert (doc["name"], doc["aliases"], doc["jurisdiction_id"], doc["last_change_on"]) == (
        "源汇区民政事务局",
        ["源汇区民政局"],
        str(OTHER),
        "2024-10-01",
    )
    assert view.successors(str(tjj.unit_id)) == [str(merged.unit_id)]
    assert view.successors(str(gsj.unit_id)) == [str(market.unit_id), str(quality.unit_id)]
    assert view.successors(str(grain.unit_id)) == []
    assert view.subtree(str(CITY)) == {str(CITY), str(COUNTY), str(OTHER)}
    active_here = {d["name"] for d in view.units_within(str(COUNTY), active_only=True)}
    assert active_here == {"源汇区发改局(区统计局)", "市场监管局", "质监局", "婚姻登记处"}
    assert [d["name"] for d in view.sub_units(str(civil.unit_id))] == ["婚姻登记处"]
    registered_on = view.unit(str(fgj.unit_id))["registered_on"]  # type: ignore[index]
    assert registered_on == "2024-04-01"
    views.close()
