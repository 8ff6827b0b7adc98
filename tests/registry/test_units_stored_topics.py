"""The unit aggregate moved from one module into a package (domain/units/unit.py, what it
records declared in domain/units/events.py). Events stored before that name the old module
in their topic and in the aggregate's `originator_topic`; they must load, and publish,
exactly as events stored today."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic, resolve_topic

from services.registry.application import RegistryApplication
from services.registry.domain import Unit
from services.registry.domain.units import Change, UnitSpec
from services.registry.integration import to_payload
from shared.contracts import registry as contract
from tests.harness import IN_MEMORY
from tests.stored_events import store_as_before_the_split

OLD_MODULE = "services.registry.domain.units"
CITY, COUNTY = uuid4(), uuid4()
FOUNDED = date(2025, 1, 1)


def _spec(name: str, jurisdiction_id: UUID = CITY, kind: str = "government_department") -> UnitSpec:
    return UnitSpec(
        jurisdiction_id=jurisdiction_id,
        name=name,
        kind=kind,
        category="政府部门及其它机构",
    )


def _change(day: date) -> Change:
    return Change(effective_on=day, reason="机构改革", actor="office:a")


def _every_lifecycle_fact() -> list[Unit]:
    parent = Unit.register(_spec("漯河市民政局"), "office:a", FOUNDED)
    section = _spec("社会救助科", COUNTY, "key_section")
    child = Unit.register(section, "office:a", FOUNDED, parent, [COUNTY, CITY])
    parent.rename("漯河市民政事务局", "民政局", _change(date(2025, 2, 1)))
    child.move(CITY, [CITY], parent, _change(date(2025, 2, 2)))
    child.dissolve([], _change(date(2025, 3, 1)))
    first = Unit.register(_spec("市城管局"), "office:a", FOUNDED)
    second = Unit.register(_spec("市执法局"), "office:a", FOUNDED)
    merged = Unit.merge([first, second], _spec("市城市管理综合执法局"), _change(date(2025, 4, 1)))
    whole = Unit.register(_spec("市文广旅局"), "office:a", FOUNDED)
    parts = whole.split(
        [_spec("市文化局"), _spec("市旅游局")], [[CITY], [CITY]], _change(date(2025, 5, 1))
    )
    return [parent, child, first, second, merged, whole, *parts]


def test_events_stored_under_the_old_module_load_as_before() -> None:
    app = RegistryApplication(IN_MEMORY)
    units = _every_lifecycle_fact()
    expected = [vars(u).copy() for u in units]
    store_as_before_the_split(app, OLD_MODULE, *[e for u in units for e in u.collect_events()])
    for unit, state in zip(units, expected, strict=True):
        loaded = app.repository.get(unit.id)
        assert isinstance(loaded, Unit)
        assert vars(loaded) == state
    parent = app.repository.get(units[0].id)
    assert (parent.name, parent.aliases) == ("漯河市民政事务局", ["漯河市民政局"])


def test_events_stored_under_the_old_module_publish_their_contracts() -> None:
    app = RegistryApplication(IN_MEMORY)
    events = [e for u in _every_lifecycle_fact() for e in u.collect_events()]
    store_as_before_the_split(app, OLD_MODULE, *events)
    stored = app.recorder.select_notifications(start=1, limit=50)
    assert all(n.topic.startswith(f"{OLD_MODULE}:Unit.") for n in stored)
    published = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    registered, internal = contract.UnitRegistered, type(None)
    assert [type(p) for p in published] == [
        *(registered, internal, contract.UnitRenamed),  # SubUnitAttached stays internal
        *(registered, contract.UnitMoved, contract.UnitDissolved),
        *(registered, internal) * 2,  # MergedInto stays internal: UnitsMerged names both
        *(registered, contract.UnitsMerged),
        *(registered, contract.UnitSplit),
        *(registered, internal) * 2,  # FormedBySplit stays internal: UnitSplit names both
    ]


CURRENT_MODULE = "services.registry.domain.units.unit"
NESTED_EVENTS = (
    *("Registered", "SubUnitAttached", "Changed", "Renamed", "Moved", "Dissolved"),
    *("MergedInto", "FormedByMerger", "SplitUp", "FormedBySplit", "EffectiveDateCorrected"),
)


def test_events_stored_today_keep_their_topics() -> None:
    """The aggregate's checks live beside it (registration.py, lifecycle.py); its events
    stay nested in `Unit` in unit.py, so what is stored today resolves as it is written."""
    for name in NESTED_EVENTS:
        topic = f"{CURRENT_MODULE}:Unit.{name}"
        assert get_topic(getattr(Unit, name)) == topic
        assert resolve_topic(topic) is getattr(Unit, name)
    app = RegistryApplication(IN_MEMORY)
    units = _every_lifecycle_fact()
    app.save(*units)
    stored = app.recorder.select_notifications(start=1, limit=50)
    assert {n.topic.rsplit(".", 1)[1] for n in stored} <= set(NESTED_EVENTS)
    assert all(n.topic.startswith(f"{CURRENT_MODULE}:Unit.") for n in stored)
    assert [vars(app.repository.get(u.id)) for u in units] == [vars(u) for u in units]
