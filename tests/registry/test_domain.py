"""Registry aggregates: commands validate and normalise, mutators only apply.

A stored event that today's rules would refuse (a blank name, from before a rule existed)
must still load; the commands keep refusing the same input with the same code and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.registry.application import RegistryApplication
from services.registry.domain import (
    AlreadyRevoked,
    InvalidRegistration,
    Jurisdiction,
    Principal,
    Unit,
    UnitSpec,
)
from tests.harness import IN_MEMORY
from tests.stored_events import created, store

GOV = "政府部门及其它机构"


@pytest.fixture
def app() -> Iterator[RegistryApplication]:
    application = RegistryApplication(IN_MEMORY)
    yield application
    application.close()


def unit_spec(name: str, category: str = GOV, short_name: str | None = None) -> UnitSpec:
    return UnitSpec(uuid4(), name, "government_department", category, short_name=short_name)


def test_a_unit_keeps_its_chinese_name_and_category() -> None:
    unit = Unit.register(
        unit_spec(" 漯河市教育局 ", short_name="市教育局"), "admin:x", date.today()
    )
    assert (unit.name, unit.short_name, unit.category) == ("漯河市教育局", "市教育局", GOV)
    (registered,) = unit.collect_events()
    assert isinstance(registered, Unit.Registered)
    assert registered.name == "漯河市教育局"  # the event holds the normalised value


@pytest.mark.parametrize(
    ("name", "category", "field"), [("   ", GOV, "name"), ("局", " ", "category")]
)
def test_registering_refuses_blank_texts_with_the_field(
    name: str, category: str, field: str
) -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Unit.register(unit_spec(name, category), "admin:x", date.today())
    assert (raised.value.code, raised.value.field) == ("invalid_registration", field)


def test_a_blank_short_name_is_recorded_as_none() -> None:
    unit = Unit.register(unit_spec("漯河市教育局", short_name="  "), "admin:x", date.today())
    (registered,) = unit.collect_events()
    assert registered.short_name is None and unit.short_name is None


def test_a_stored_unit_with_a_blank_name_still_loads(app: RegistryApplication) -> None:
    registered = created(
        Unit,
        Unit.Registered,
        jurisdiction_id=uuid4(),
        name="",
        short_name=None,
        kind="government_department",
        category="",
        actor="admin:old",
        parent_id=None,
        vertical_superior=None,
        credit_code=None,
        effective_on="2024-06-01",
        effective_on_stated=True,
    )
    store(app, registered)
    unit = app.repository.get(registered.originator_id)
    assert isinstance(unit, Unit)
    assert (unit.name, unit.category, unit.status) == ("", "", "active")


def test_a_v3_unit_is_read_as_the_v3_mutator_applied_it(app: RegistryApplication) -> None:
    """Before v4 the mutator stripped names and blanked short names; the upcaster does it now,
    so units stored then keep the state they had."""
    unit_id = uuid4()
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-06-01T00:00:00+00:00"},
        "originator_topic": "services.registry.domain:Unit",
        "class_version": 3,
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": uuid4().hex},
        "name": " 漯河市教育局 ",
        "short_name": "",
        "kind": "government_department",
        "category": f"{GOV} ",
        "actor": "admin:old",
        "parent_id": None,
        "vertical_superior": None,
        "credit_code": None,
        "effective_on": None,
    }
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=unit_id,
                originator_version=1,
                topic="services.registry.domain:Unit.Registered",
                state=json.dumps(state).encode(),
            )
        ]
    )
    unit = app.repository.get(unit_id)
    assert (unit.name, unit.short_name, unit.category) == ("漯河市教育局", None, GOV)


def test_principals_are_issued_by_command_and_a_blank_stored_name_still_loads(
    app: RegistryApplication,
) -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Principal.issue("  ", "agency", None, "hash", "admin:x")
    assert (raised.value.code, raised.value.field) == ("invalid_registration", "name")
    assert Principal.issue(" 调查公司 ", "agency", None, "hash", "admin:x").name == "调查公司"

    issued = created(
        Principal,
        Principal.Issued,
        name="",
        role="agency",
        jurisdiction_id=None,
        key_hash="hash",
        actor="admin:old",
        unit_id=None,
    )
    store(app, issued)
    principal = app.repository.get(issued.originator_id)
    assert isinstance(principal, Principal) and principal.name == ""
    principal.revoke("合同到期", "admin:x")  # and it still takes commands
    app.save(principal)
    assert app.repository.get(issued.originator_id).revoked


def test_revoking_is_a_new_event_and_only_once() -> None:
    principal = Principal.issue("调查公司", "agency", None, "hash", "admin:x")
    principal.revoke("合同到期", "admin:x")
    assert principal.revoked and principal.revoked_reason == "合同到期"
    assert [type(e).__name__ for e in principal.collect_events()] == ["Issued", "Revoked"]
    with pytest.raises(AlreadyRevoked):
        principal.revoke("again", "admin:x")
    with pytest.raises(InvalidRegistration) as raised:
        Principal.issue("调查公司", "agency", None, "hash", "admin:x").revoke(" ", "admin:x")
    assert raised.value.field == "reason"


def test_jurisdictions_are_registered_by_command_and_a_blank_stored_name_still_loads(
    app: RegistryApplication,
) -> None:
    city = Jurisdiction.register(" 漯河市 ", "city", None, "admin:x")
    assert city.name == "漯河市"
    with pytest.raises(InvalidRegistration) as raised:
        Jurisdiction.register(" ", "district", city, "admin:x")
    assert (raised.value.code, raised.value.field) == ("invalid_registration", "name")
    with pytest.raises(InvalidRegistration) as raised:
        Jurisdiction.register("源汇区", "district", None, "admin:x")
    assert raised.value.field == "parent_id"
    with pytest.raises(InvalidRegistration) as raised:
        Jurisdiction.register("某省", "province", city, "admin:x")
    assert raised.value.field == "level"

    registered = created(
        Jurisdiction, Jurisdiction.Registered, name="", level="zone", parent_id=None, actor="a"
    )
    store(app, registered)
    loaded = app.repository.get(registered.originator_id)
    assert isinstance(loaded, Jurisdiction) and (loaded.name, loaded.level) == ("", "zone")
